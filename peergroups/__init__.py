"""Peer groups: groups, sessions, venues, bookings, waiting lists, attendance, initial calls."""
