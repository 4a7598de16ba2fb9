"""Scheduled jobs: the registry, one scheduler process (`liaison scheduler`), runs recorded per period;
their page is in ``liaison.system``."""
