"""The audit trail (操作日志): who did what, when, from where, and how it ended; its page is in
``liaison.system``."""
