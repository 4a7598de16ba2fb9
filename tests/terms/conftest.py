"""Helpers for the term page tests."""
import pytest


@pytest.fixture()
def committee(login_as):
    """A signed-in member of the district committee (区人大常委会)."""
    return login_as("committee")
