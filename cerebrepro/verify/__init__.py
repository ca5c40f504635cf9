"""Verify: regression metrics, tolerances, stored references and the checks against them."""
