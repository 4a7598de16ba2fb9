"""Tests of the congress term (届) pages."""
