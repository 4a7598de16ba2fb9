"""Exports: the one place that writes spreadsheets."""
