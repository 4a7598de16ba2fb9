"""Reporting and visiting rates (月进站, 季回家, 年述职, 届内述职率), computed by SQL aggregates."""
