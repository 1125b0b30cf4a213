"""Sign-in bookkeeping: sessions a user holds, audit rows, and deactivation."""

import time

from allauth.account.signals import password_reset
from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_save
from django.dispatch import receiver

from portal.audit.models import AuditEvent
from portal.audit.services import audit_record

from .middleware import SESSION_LAST_ACTIVITY_KEY, SESSION_STARTED_KEY
from .models import User, UserSession


@receiver(user_logged_in)
def on_logged_in(sender, request, user, **kwargs):
    now = time.time()
    request.session[SESSION_STARTED_KEY] = now
    request.session[SESSION_LAST_ACTIVITY_KEY] = now
    if request.session.session_key is None:
        request.session.save()
    UserSession.objects.get_or_create(
        session_key=request.session.session_key, defaults={"user": user}
    )
    audit_record(action=AuditEvent.Action.SIGN_IN, actor=user, request=request)


@receiver(user_logged_out)
def on_logged_out(sender, request, user, **kwargs):
    if request is not None and request.session.session_key:
        UserSession.objects.filter(session_key=request.session.session_key).delete()
    if user is not None:
        audit_record(action=AuditEvent.Action.SIGN_OUT, actor=user, request=request)


@receiver(user_login_failed)
def on_login_failed(sender, credentials, request=None, **kwargs):
    # The attempted address is not kept here: it may not belong to anyone, and the
    # lockout records in django-axes already hold what brute-force protection needs.
    audit_record(action=AuditEvent.Action.SIGN_IN_FAILED, request=request)


@receiver(user_locked_out)
def on_locked_out(sender, request, username, **kwargs):
    # Sent by django-axes on every refused attempt once the limit is reached; the
    # notice itself goes at most once per cool-off period.
    from .notifications import sign_in_paused_notice_queue

    user_agent = request.META.get("HTTP_USER_AGENT", "") if request is not None else ""
    sign_in_paused_notice_queue(username=username, user_agent=user_agent)


@receiver(password_reset)
def on_password_reset(sender, request, user, **kwargs):
    # A new password ends every other session; the second factor is still required.
    from .services import user_sessions_end

    user_sessions_end(user=user)


@receiver(post_save, sender=User)
def end_sessions_of_deactivated_user(sender, instance: User, **kwargs):
    if not instance.is_active:
        from .services import user_sessions_end

        user_sessions_end(user=instance)
