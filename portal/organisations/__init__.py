"""Charity organisations, referring agencies, memberships with roles, and invitations."""
