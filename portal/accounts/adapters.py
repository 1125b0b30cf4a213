"""django-allauth adapter: staff and referrers join only through an invitation."""

from allauth.account.adapter import DefaultAccountAdapter
from django.core.exceptions import PermissionDenied

from portal.core.client_address import client_address
from portal.notifications.senders import portal_sender_headers


class InvitationOnlyAccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request) -> bool:
        return False

    def get_from_email(self) -> str:
        # allauth's emails (password resets) take their From header from the one place
        # headers are made, like every other email the portal sends.
        return portal_sender_headers().from_email

    def get_client_ip(self, request) -> str:
        # allauth's rate limits count by this; the portal decides the address in one place.
        address = client_address(request)
        if not address:
            raise PermissionDenied("Unable to determine client IP address")
        return address
