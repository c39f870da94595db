"""Analyses over the findings table: overview, recurring and persisting weaknesses, grades."""
