"""Figures for funders and trustees, computed in the database."""
