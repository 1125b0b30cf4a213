"""Whether the signed-in person may message a group (``group_messages``), for the
group's page to offer the link only to those who may."""

from django import template

from peergroups.group_messages import may_message_group

register = template.Library()


@register.filter
def may_message(user, group) -> bool:
    return may_message_group(user, group)
