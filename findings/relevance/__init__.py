"""Relevance of findings to a query: deep candidates, their features, a calibrated model, counts."""
