"""The zone the stored local dates were written in (rule R2): its record, the start-up check, the recompute.

Local dates and period keys are written with each check-in and opinion, so they belong to the zone
in force when they were written. ``stored_zone`` records that zone; the app refuses to start when
``LIAISON_TIMEZONE`` names another one while data exists, until ``liaison zone recompute`` has
rewritten every stored local date in the configured zone.
"""
