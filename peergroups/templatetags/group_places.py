"""What the group and meeting pages show about ended places and Zoom updates, for the
parts of those pages that ``places_ending`` and ``zoom_retry`` own."""

from django import template

from ..places_ending import ended_places, may_end_places
from ..zoom_retry import may_retry, sync_status

register = template.Library()


@register.simple_tag
def group_ended_places(group):
    return ended_places(group=group)


@register.simple_tag
def user_may_end_places(user, group):
    return may_end_places(user, group)


@register.simple_tag
def meeting_sync(session, user):
    return {**sync_status(session), "may_act": may_retry(user, session.group)}
