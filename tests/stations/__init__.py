"""Tests of the home/station network pages."""
