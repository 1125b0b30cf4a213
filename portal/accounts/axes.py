"""Tells django-axes which account a sign-in attempt was for."""


def username_from_request(request, credentials: dict | None) -> str | None:
    # allauth authenticates with ``email``; its login form posts the address as ``login``.
    if credentials:
        value = credentials.get("email") or credentials.get("login")
    else:
        data = getattr(request, "POST", {}) or {}
        value = data.get("login") or data.get("email")
    return value.strip().lower() if value else None
