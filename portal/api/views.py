from rest_framework.response import Response
from rest_framework.views import APIView

from portal.organisations.permissions import role_summary


class CurrentUserView(APIView):
    """Who the caller is and which roles they hold."""

    def get(self, request):
        roles = role_summary(request.user)
        return Response(
            {
                "email": request.user.email,
                "name": request.user.full_name,
                "roles": {role: sorted(places) for role, places in roles.items()},
            }
        )
