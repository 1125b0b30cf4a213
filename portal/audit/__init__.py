"""The append-only audit log: who did or saw what, when, and from where."""
