from rest_framework.permissions import BasePermission


class IsVerifiedUser(BasePermission):
    """Signed in with a verified second factor: the API's default for staff sessions."""

    message = "Sign in with your second factor to use the API."

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(
            user and user.is_authenticated and getattr(user, "is_verified", lambda: False)()
        )
