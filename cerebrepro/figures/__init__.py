"""Figures: the paper's figures drawn from results and statistics."""
