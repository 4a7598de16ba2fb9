"""Pages (filled in by the management-pages work)."""
