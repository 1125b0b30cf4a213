"""Staff pages for peer groups: groups, schedules, places, session registers.

Every object comes through an organisation-scoped selector: another organisation's
group, session or place answers 404. Pages that name people are marked
``shows_personal_data`` and audited whatever they render; pages about one referral (offer
a place, book a call) pass the reason-for-access gate too (``referrals.access``).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from portal.audit.viewing import personal_data_shown, shows_personal_data
from portal.organisations.permissions import coordinated_organisation_or_404, organisations_for
from portal.organisations.roles import CASE_ROLES
from referrals.access import referral_record
from referrals.safe_contact_rules import UnsafeContact, UnsafeOffer

from . import selectors, services, views_staff_sessions
from .attendance import attendance_record
from .forms import (
    AttendanceForm,
    CallBookingForm,
    CallOutcomeForm,
    CallSlotForm,
    CallVideoLinkForm,
    GroupForm,
    JoiningDetailsForm,
    ScheduleForm,
    VenueForm,
    ZoomAccountForm,
)
from .forms_offer import OfferForm
from .models import Booking, Group, InitialCallSlot, ZoomAccount
from .scheduling import ScheduleError

# A national charity runs hundreds of groups over the years; lists show a page at a time.
LIST_PAGE_SIZE = 50


@require_GET
def group_list(request):
    groups = selectors.groups_for_staff(user=request.user)
    return render(
        request,
        "peergroups/staff/group_list.html",
        {
            "page": Paginator(groups, LIST_PAGE_SIZE).get_page(request.GET.get("page")),
            "mine": list(groups.filter(facilitators=request.user)),
            "sessions": selectors.sessions_this_week(user=request.user),
        },
    )


@require_GET
@shows_personal_data(page="group")
def group_detail(request, group_id):
    group = selectors.group_for_staff(user=request.user, group_id=group_id)
    personal_data_shown(request, organisation=group.organisation, target=group)
    return render(
        request,
        "peergroups/staff/group_detail.html",
        {
            "group": group,
            "places": selectors.group_bookings(group=group),
            "sessions": selectors.upcoming_sessions(group=group),
        },
    )


@require_http_methods(["GET", "POST"])
def schedule_edit(request, group_id):
    group = selectors.group_for_staff(user=request.user, group_id=group_id)
    form = ScheduleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            sessions = services.schedule_apply(group=group, spec=form.spec(), actor=request.user)
        except (ScheduleError, services.PeerGroupError) as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"Schedule saved: {len(sessions)} meetings planned.")
            return redirect("groups:detail", group_id=group.pk)
    return render(
        request,
        "peergroups/staff/schedule_form.html",
        {"group": group, "form": form},
        status=400 if form.errors else 200,
    )


@require_POST
def place_action(request, group_id, booking_id, action):
    group = selectors.group_for_staff(user=request.user, group_id=group_id)
    booking = get_object_or_404(Booking, pk=booking_id, group=group)
    try:
        if action == "cancel":
            services.booking_release(
                booking=booking, state=Booking.State.CANCELLED, actor=request.user
            )
            messages.success(
                request, "Place cancelled. The next person waiting has been offered it."
            )
        elif action == "approve":
            services.offer_approve(booking=booking, actor=request.user)
            messages.success(request, "Offer sent.")
        else:
            return redirect("groups:detail", group_id=group.pk)
    except services.PeerGroupError as error:
        messages.error(request, str(error))
    return redirect("groups:detail", group_id=group.pk)


@require_http_methods(["GET", "POST"])
@referral_record(page="offer a place")
def offer_place(request, referral):
    """Offer a place. A group whose coming meetings fall outside the person's safe times,
    or that does not meet the way they asked, is not offered until the caseworker has
    seen those meetings in words and given a reason (``UnsafeOffer``)."""
    groups = Group.objects.for_member(request.user).filter(organisation=referral.organisation)
    form = OfferForm(request.POST or None, groups=groups)
    does_not_fit = None
    if request.method == "POST" and form.is_valid():
        try:
            booking = services.booking_offer(
                group=form.cleaned_data["group"],
                referral=referral,
                actor=request.user,
                override_reason=form.cleaned_data["override_reason"],
                request=request,
            )
        except UnsafeOffer as refusal:
            does_not_fit = refusal.check
            form.add_error(
                "override_reason",
                f"{form.cleaned_data['group']} does not fit what they said. "
                "Give a reason to offer it anyway, or choose another group.",
            )
        except services.PeerGroupError as error:
            form.add_error("group", str(error))
        else:
            if booking.state == Booking.State.OFFERED:
                messages.success(request, "Place offered. They have been sent a private link.")
            else:
                messages.success(request, "The group is full: they are on its waiting list.")
            return redirect("referrals:detail", referral_id=referral.pk)
    return render(
        request,
        "peergroups/staff/offer_form.html",
        {
            "referral": referral,
            "form": form,
            "safe": referral.safe_contact,
            "does_not_fit": does_not_fit,
            "chosen": form.cleaned_data.get("group") if does_not_fit else None,
        },
        status=400 if form.errors else 200,
    )


@require_GET
@shows_personal_data(page="register")
def session_register(request, session_id):
    """The meeting's register (taken only once it has started) and its session notes."""
    session = selectors.session_for_staff(user=request.user, session_id=session_id)
    return views_staff_sessions.register_page(request, session)


@require_POST
def attendance(request, session_id, booking_id):
    """One person's mark. Refused, with the reason shown, before the register opens or
    for a cancelled meeting; every change is audited (``attendance.attendance_record``)."""
    session = selectors.session_for_staff(user=request.user, session_id=session_id)
    booking = get_object_or_404(Booking, pk=booking_id, group=session.group)
    form = AttendanceForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose attended, apologies or did not attend.")
    else:
        try:
            attendance_record(
                session=session,
                booking=booking,
                status=form.cleaned_data["status"],
                actor=request.user,
                request=request,
            )
        except services.PeerGroupError as error:
            messages.error(request, str(error))
    if request.POST.get("return_to") == "dashboard":
        return redirect(reverse("staff:dashboard") + f"#booking-{session.pk}-{booking.pk}")
    return redirect(
        reverse("groups:session", kwargs={"session_id": session.pk}) + f"#booking-{booking.pk}"
    )


@require_POST
def session_cancel(request, session_id):
    session = selectors.session_for_staff(user=request.user, session_id=session_id)
    if request.POST.get("confirm") != "yes":
        messages.error(request, "Tick the box to confirm you want to cancel this meeting.")
        return redirect("groups:session", session_id=session.pk)
    try:
        services.session_cancel(session=session, actor=request.user)
    except services.PeerGroupError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Meeting cancelled. Everyone with a place has been told.")
    return redirect("groups:detail", group_id=session.group_id)


@require_http_methods(["GET", "POST"])
@shows_personal_data(page="initial calls")
def call_slots(request):
    """A facilitator's call times: publish new ones, see who is booked, record outcomes."""
    organisations = organisations_for(request.user, roles=CASE_ROLES)
    form = CallSlotForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        organisation = organisations.first()
        starts_at, ends_at = form.times()
        try:
            services.call_slot_publish(
                facilitator=request.user,
                organisation=organisation,
                starts_at=starts_at,
                ends_at=ends_at,
                video_link=form.cleaned_data["video_link"],
            )
        except services.PeerGroupError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Call time added.")
            return redirect("groups:calls")
    page = Paginator(selectors.call_slots_for_staff(user=request.user), LIST_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    # Booked calls name the referral: audited for each organisation whose calls are listed.
    booked = [slot for slot in page.object_list if slot.referral_id]
    if booked:
        by_id = {organisation.pk: organisation for organisation in organisations}
        for slot in booked:
            organisation = by_id.get(slot.organisation_id) or slot.organisation
            personal_data_shown(request, organisation=organisation)
    return render(
        request,
        "peergroups/staff/call_slots.html",
        {
            "form": form,
            "page": page,
            "outcome_form": CallOutcomeForm(),
            "link_form": CallVideoLinkForm(),
            "now": timezone.now(),
        },
        status=400 if form.errors else 200,
    )


@require_POST
def call_video_link(request, slot_id):
    """Give or change where a video call at this time is joined."""
    slot = get_object_or_404(InitialCallSlot.objects.for_member(request.user), pk=slot_id)
    form = CallVideoLinkForm(request.POST)
    if not form.is_valid():
        messages.error(request, form.errors["video_link"][0])
    else:
        try:
            services.call_video_link_set(
                slot=slot, link=form.cleaned_data["video_link"], actor=request.user
            )
        except services.PeerGroupError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, "Video call link saved.")
    return redirect("groups:calls")


@require_POST
def call_outcome(request, slot_id):
    slot = get_object_or_404(InitialCallSlot.objects.for_member(request.user), pk=slot_id)
    form = CallOutcomeForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose how the call went.")
    else:
        try:
            services.call_outcome_record(
                slot=slot, outcome=form.cleaned_data["outcome"], actor=request.user
            )
        except services.PeerGroupError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, "Call outcome saved.")
    return redirect("groups:calls")


@require_http_methods(["GET", "POST"])
@referral_record(page="book an initial call")
def call_book(request, referral):
    """Book a person's initial call, or move the one they have: when, and how it happens,
    beside what is safe for them. An unsafe way or time needs a reason."""
    current = selectors.upcoming_call(referral=referral)
    free = selectors.free_call_slots(organisation=referral.organisation)
    slots = [*([current] if current else []), *free]
    form = CallBookingForm(request.POST or None, slots=slots, referral=referral, current=current)
    check = None
    if request.method == "POST" and form.is_valid():
        slot, chosen = (
            form.cleaned_data["slot"],
            dict(
                method=form.cleaned_data["method"],
                actor=request.user,
                request=request,
                override_reason=form.cleaned_data["override_reason"],
            ),
        )
        try:
            if current is not None and slot.pk != current.pk:
                services.call_slot_move(referral=referral, to_slot=slot, **chosen)
                done = "Initial call moved."
            else:
                services.call_slot_book(slot=slot, referral=referral, **chosen)
                done = "Initial call booked." if current is None else "Initial call changed."
        except UnsafeContact as error:
            form.unsafe(error)
            check = error.check
        except services.PeerGroupError as error:
            form.add_error("slot", str(error))
        else:
            messages.success(
                request, f"{done} We will confirm it to them in a safe way, at a safe time."
            )
            return redirect("referrals:detail", referral_id=referral.pk)
    return render(
        request,
        "peergroups/staff/call_book.html",
        {
            "referral": referral,
            "form": form,
            "current": current,
            "safe": getattr(referral, "safe_contact", None),
            "check": check,
        },
        status=400 if form.errors else 200,
    )


def _organisation_for_new_group(request):
    organisation = organisations_for(request.user, roles=CASE_ROLES).first()
    if organisation is None:
        raise Http404
    return organisation


@require_http_methods(["GET", "POST"])
def group_edit(request, group_id=None):
    if group_id is None:
        group, organisation = None, _organisation_for_new_group(request)
    else:
        group = selectors.group_for_staff(user=request.user, group_id=group_id)
        organisation = group.organisation
    form = GroupForm(request.POST or None, instance=group, organisation=organisation)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.group_save(
                organisation=organisation,
                values={field: form.cleaned_data.get(field) for field in services.GROUP_FIELDS},
                facilitators=form.cleaned_data["facilitators"],
                actor=request.user,
                group=group,
            )
        except services.PeerGroupError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Group saved.")
            return redirect("groups:detail", group_id=saved.pk)
    return render(
        request,
        "peergroups/staff/group_form.html",
        {"group": group, "form": form},
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def venue_new(request):
    organisation = _organisation_for_new_group(request)
    form = VenueForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        venue = form.save(commit=False)
        venue.organisation = organisation
        venue.save()
        messages.success(request, f"Venue '{venue.name}' added. You can now choose it for a group.")
        return redirect("groups:list")
    return render(
        request,
        "peergroups/staff/venue_form.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


@require_POST
def joining_details(request, session_id):
    session = selectors.session_for_staff(user=request.user, session_id=session_id)
    form = JoiningDetailsForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    else:
        try:
            services.session_joining_details_set(
                session=session, actor=request.user, **form.cleaned_data
            )
        except services.PeerGroupError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, "Joining details saved.")
    return redirect("groups:session", session_id=session.pk)


@require_http_methods(["GET", "POST"])
def zoom_account(request, organisation_id):
    organisation = coordinated_organisation_or_404(request.user, organisation_id)
    account = ZoomAccount.objects.filter(organisation=organisation).first()
    initial = (
        {
            "account_id": account.account_id,
            "client_id": account.client_id,
            "registration_enabled": account.registration_enabled,
        }
        if account
        else {}
    )
    form = ZoomAccountForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        if account is None and not form.cleaned_data["client_secret"]:
            form.add_error("client_secret", "Enter the client secret.")
        else:
            services.zoom_account_save(
                organisation=organisation, actor=request.user, **form.cleaned_data
            )
            messages.success(
                request,
                "Zoom settings saved. The portal is checking them with Zoom: this page shows "
                "the answer in a minute. Meetings are made in Zoom once it accepts them.",
            )
            return redirect("groups:zoom-account", organisation_id=organisation.pk)
    return render(
        request,
        "peergroups/staff/zoom_account.html",
        {"organisation": organisation, "form": form, "account": account},
        status=400 if form.errors else 200,
    )
