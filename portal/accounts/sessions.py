"""Keeping the record of a user's sessions true when the session id changes."""

from .models import UserSession


def session_rotate(request) -> None:
    """Give the session a new id (after a privilege change) and follow it in UserSession."""
    old_key = request.session.session_key
    request.session.cycle_key()
    if old_key:
        UserSession.objects.filter(session_key=old_key).update(
            session_key=request.session.session_key
        )
