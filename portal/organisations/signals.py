"""What a request has kept of memberships is dropped as soon as one changes."""

from __future__ import annotations

from django.conf import settings
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .models import Membership
from .selectors import memberships_forget


@receiver([post_save, post_delete], sender=Membership)
@receiver([post_save, post_delete], sender=settings.AUTH_USER_MODEL)
def forget_kept_memberships(**kwargs) -> None:
    memberships_forget()
