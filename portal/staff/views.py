"""Staff shell views: the dashboard by role, and team management for coordinators."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_http_methods, require_POST

from peergroups.models import Attendance
from portal.audit.models import AuditEvent
from portal.audit.services import audit_record
from portal.audit.viewing import personal_data_shown, shows_personal_data
from portal.organisations import services as organisation_services
from portal.organisations.models import Invitation, Membership
from portal.organisations.permissions import (
    coordinated_organisation_or_404,
    role_summary,
)
from portal.organisations.roles import Role
from portal.organisations.selectors import active_memberships

from . import dashboards, selectors
from .forms import InvitationForm

AUDIT_PAGE_SIZE = 50


@shows_personal_data(page="dashboard")
def dashboard(request):
    roles = role_summary(request.user)
    context = {"roles": roles}
    if roles.keys() & {Role.CASEWORKER, Role.COORDINATOR}:
        context["casework"] = dashboards.caseworker_panel(user=request.user)
    if roles.keys() & {Role.FACILITATOR, Role.COORDINATOR}:
        sessions = dashboards.facilitator_sessions(user=request.user)
        context["sessions"] = sessions
        _rosters_shown(request, sessions)
    if Role.COORDINATOR in roles:
        context["coordinating"] = dashboards.coordinator_panels(user=request.user)
        context["other_meetings"] = dashboards.other_meetings(user=request.user)
    context["statuses"] = Attendance.Status.choices
    return render(request, "staff/dashboard.html", context)


def _rosters_shown(request, sessions: list[dashboards.SessionPanel]) -> None:
    """Rosters name people: audited like the register itself, for each organisation whose
    meetings' rosters are on the page."""
    organisations = {m.organisation_id: m.organisation for m in active_memberships(request.user)}
    by_organisation: dict = {}
    for panel in sessions:
        if panel.roster:
            group = panel.session.group
            organisation = organisations.get(group.organisation_id) or group.organisation
            by_organisation.setdefault(organisation, []).append(str(panel.session.pk))
    for organisation, session_ids in by_organisation.items():
        personal_data_shown(request, organisation=organisation, sessions=session_ids)


def _audit_filters(request) -> dict:
    from portal.core.parsing import parse_date

    return {
        "action": request.GET.get("action", ""),
        "since": parse_date(request.GET.get("since", "")),
        "until": parse_date(request.GET.get("until", "")),
    }


def audit_log(request, organisation_id):
    organisation = coordinated_organisation_or_404(request.user, organisation_id)
    filters = _audit_filters(request)
    page = Paginator(
        selectors.audit_events(organisation=organisation, **filters), AUDIT_PAGE_SIZE
    ).get_page(request.GET.get("page"))
    query = {key: value for key, value in filters.items() if value}
    return render(
        request,
        "staff/audit_log.html",
        {
            "organisation": organisation,
            "page": page,
            **filters,
            "actions": AuditEvent.Action.choices,
            "query": urlencode(query),
        },
    )


def audit_export(request, organisation_id):
    """The filtered audit log as CSV, streamed; the export itself is audited."""
    from django.http import StreamingHttpResponse

    from portal.core.spreadsheets import csv_lines

    organisation = coordinated_organisation_or_404(request.user, organisation_id)
    filters = _audit_filters(request)
    audit_record(
        action=AuditEvent.Action.EXPORTED,
        request=request,
        organisation=organisation,
        detail={"export": "audit log", **{k: str(v) for k, v in filters.items() if v}},
    )
    events = selectors.audit_events(organisation=organisation, **filters)

    def rows():
        yield ["when", "who", "action", "detail", "record type", "record id", "address"]
        for event in events.iterator(chunk_size=2000):
            yield [
                timezone.localtime(event.at).isoformat(),
                event.actor.email if event.actor else "",
                event.action,
                event.detail.get("change") or event.detail.get("page") or "",
                event.target_type,
                event.target_id,
                event.ip_address or "",
            ]

    response = StreamingHttpResponse(csv_lines(rows()), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="audit-{organisation.slug}.csv"'
    return response


def team(request, organisation_id):
    organisation = coordinated_organisation_or_404(request.user, organisation_id)
    return render(
        request,
        "staff/team.html",
        {
            "organisation": organisation,
            "members": selectors.team_members(organisation=organisation),
            "invitations": selectors.pending_invitations(
                organisation=organisation, user=request.user
            ),
            "now": timezone.now(),
        },
    )


@require_http_methods(["GET", "POST"])
def invitation_create(request, organisation_id):
    organisation = coordinated_organisation_or_404(request.user, organisation_id)
    form = InvitationForm(request.POST or None, organisation=organisation)
    if request.method == "POST" and form.is_valid():
        try:
            organisation_services.invitation_create(
                organisation=organisation,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                agency=form.cleaned_data["agency"],
                invited_by=request.user,
                base_url=request.build_absolute_uri("/"),
                request=request,
            )
        except organisation_services.InvitationError as error:
            form.add_error("email", str(error))
        else:
            messages.success(request, f"Invitation sent to {form.cleaned_data['email']}.")
            return redirect("staff:team", organisation_id=organisation.pk)
    return render(
        request, "staff/invitation_form.html", {"organisation": organisation, "form": form}
    )


@require_POST
def invitation_revoke(request, organisation_id, invitation_id):
    organisation = coordinated_organisation_or_404(request.user, organisation_id)
    invitation = get_object_or_404(
        Invitation.objects.for_member(request.user, roles=[Role.COORDINATOR]).filter(
            organisation=organisation
        ),
        pk=invitation_id,
    )
    try:
        organisation_services.invitation_revoke(
            invitation=invitation, actor=request.user, request=request
        )
    except organisation_services.InvitationError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"Invitation to {invitation.email} withdrawn.")
    return redirect("staff:team", organisation_id=organisation.pk)


@require_POST
def membership_end(request, organisation_id, membership_id):
    organisation = coordinated_organisation_or_404(request.user, organisation_id)
    membership = get_object_or_404(
        Membership.objects.active().filter(Q(organisation=organisation)).select_related("user"),
        pk=membership_id,
    )
    try:
        organisation_services.membership_end(
            membership=membership, actor=request.user, request=request
        )
    except organisation_services.InvitationError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, f"{membership.user} no longer has the {membership.get_role_display()} role."
        )
    return redirect("staff:team", organisation_id=organisation.pk)
