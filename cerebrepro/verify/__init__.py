"""Verify: stored regression statistics, tolerances and reports."""
