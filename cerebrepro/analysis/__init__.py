"""Analysis: statistics as pure functions of spike arrays."""
