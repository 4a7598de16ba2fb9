"""Tests of the township (乡镇/街道) and electoral district (选区) pages."""
