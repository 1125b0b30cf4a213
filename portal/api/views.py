from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.organisations.permissions import role_summary

from .permissions import IsVerifiedUser
from .schema import ERROR_RESPONSES


class CurrentUserSerializer(serializers.Serializer):
    email = serializers.EmailField()
    name = serializers.CharField()
    roles = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Each role held, with the organisations or agencies where it is held.",
    )


class CurrentUserView(APIView):
    """Who the signed-in caller is and which roles they hold (referrers too)."""

    permission_classes = [IsVerifiedUser]

    @extend_schema(
        summary="The signed-in person", responses={200: CurrentUserSerializer, **ERROR_RESPONSES}
    )
    def get(self, request):
        roles = role_summary(request.user)
        return Response(
            {
                "email": request.user.email,
                "name": request.user.full_name,
                "roles": {role: sorted(places) for role, places in roles.items()},
            }
        )
