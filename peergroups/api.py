"""Staff endpoints for peer groups: groups, meetings and places (read), attendance (write).

Only people signed in with a verified second factor reach these (DRF's default
permission), and every query goes through ``for_member``, so another organisation's ids
answer 404 exactly like ids that do not exist. Every endpoint that names people is a
``ShowsPersonalData`` view, which audits each successful answer.
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import generics, serializers
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.api.personal_data import ShowsPersonalData
from portal.api.schema import ERROR_RESPONSES, ErrorSerializer
from referrals.references import display_reference

from . import selectors, services
from .attendance import RegisterClosed, attendance_record
from .models import Attendance, Booking, Group, Session


class ScheduleSerializer(serializers.Serializer):
    rule = serializers.CharField()
    start_date = serializers.DateField()
    end_date = serializers.DateField(allow_null=True)
    start_time = serializers.TimeField()
    duration_minutes = serializers.IntegerField()


class GroupSerializer(serializers.ModelSerializer):
    organisation = serializers.CharField(source="organisation.slug")
    confirmed = serializers.IntegerField(help_text="Confirmed places.")
    waiting = serializers.IntegerField(help_text="People on the waiting list.")

    class Meta:
        model = Group
        fields = [
            "id",
            "organisation",
            "title",
            "audience",
            "format",
            "capacity",
            "cohort",
            "confirmed",
            "waiting",
        ]


class SessionSerializer(serializers.ModelSerializer):
    group = serializers.UUIDField(source="group_id")

    class Meta:
        model = Session
        fields = ["id", "group", "starts_at", "ends_at", "status"]


class BookingSerializer(serializers.ModelSerializer):
    reference = serializers.SerializerMethodField()
    name = serializers.SerializerMethodField(help_text="The name to use for the person.")

    class Meta:
        model = Booking
        fields = ["id", "reference", "name", "state", "offer_expires_at", "confirmed_at"]

    def get_reference(self, booking) -> str:
        return display_reference(booking.referral.reference)

    def get_name(self, booking) -> str:
        safe = getattr(booking.referral, "safe_contact", None)
        return (safe.name_to_use if safe else "") or booking.referral.full_name


class RosterEntrySerializer(BookingSerializer):
    attendance = serializers.SerializerMethodField(
        help_text="attended, apologies, no_show, or null if not yet recorded."
    )

    class Meta(BookingSerializer.Meta):
        fields = [*BookingSerializer.Meta.fields, "attendance"]

    def get_attendance(self, booking) -> str | None:
        recorded = getattr(booking, "this_session", [])
        return recorded[0].status if recorded else None


class AttendanceWriteSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Attendance.Status.choices)


@extend_schema_view(
    get=extend_schema(summary="List groups", responses={200: GroupSerializer, **ERROR_RESPONSES})
)
class GroupList(generics.ListAPIView):
    serializer_class = GroupSerializer

    def get_queryset(self):
        return selectors.groups_for_staff(user=self.request.user).order_by("title", "id")


@extend_schema_view(
    get=extend_schema(summary="A group", responses={200: GroupSerializer, **ERROR_RESPONSES})
)
class GroupDetail(generics.RetrieveAPIView):
    serializer_class = GroupSerializer
    lookup_url_kwarg = "group_id"

    def get_queryset(self):
        return selectors.groups_for_staff(user=self.request.user)


@extend_schema_view(
    get=extend_schema(
        summary="A group's meetings", responses={200: SessionSerializer, **ERROR_RESPONSES}
    )
)
class GroupSessionList(generics.ListAPIView):
    serializer_class = SessionSerializer

    def get_queryset(self):
        group = selectors.group_for_staff(user=self.request.user, group_id=self.kwargs["group_id"])
        return group.sessions.order_by("starts_at", "id")


@extend_schema_view(
    get=extend_schema(
        summary="A group's places (offered, confirmed and waiting)",
        responses={200: BookingSerializer, **ERROR_RESPONSES},
    )
)
class GroupBookingList(ShowsPersonalData, generics.ListAPIView):
    serializer_class = BookingSerializer
    personal_data_page = "api group places"

    def get_queryset(self):
        group = selectors.group_for_staff(user=self.request.user, group_id=self.kwargs["group_id"])
        self.personal_data_shown(organisation=group.organisation, target=group)
        return (
            Booking.objects.filter(group=group, state__in=Booking.ACTIVE)
            .select_related("referral", "referral__safe_contact")
            .order_by("created_at", "id")
        )


@extend_schema_view(
    get=extend_schema(summary="A meeting", responses={200: SessionSerializer, **ERROR_RESPONSES})
)
class SessionDetail(generics.RetrieveAPIView):
    serializer_class = SessionSerializer
    lookup_url_kwarg = "session_id"

    def get_queryset(self):
        return Session.objects.for_member(self.request.user)


class SessionAttendance(ShowsPersonalData, APIView):
    personal_data_page = "api register"

    @extend_schema(
        summary="A meeting's register",
        responses={200: RosterEntrySerializer(many=True), **ERROR_RESPONSES},
    )
    def get(self, request, session_id):
        session = selectors.session_for_staff(user=request.user, session_id=session_id)
        roster = selectors.session_roster(session=session)
        self.personal_data_shown(organisation=session.group.organisation, target=session)
        return Response(RosterEntrySerializer(roster, many=True).data)


class RegisterClosedError(APIException):
    """The register cannot be taken: ``register_not_open_yet`` (the meeting has not
    started, or is not within the window before it) or ``meeting_cancelled``."""

    status_code = 400
    default_code = "register_closed"
    default_detail = "The register for this meeting cannot be taken."


REGISTER_CLOSED_RESPONSE = OpenApiResponse(
    ErrorSerializer,
    description=(
        "The request is not valid, or the register cannot be taken. A register opens when "
        "the meeting starts (or the configured few minutes before): before then the code is "
        "register_not_open_yet and the message says when it opens; a cancelled meeting "
        "answers meeting_cancelled. Either way nothing is recorded."
    ),
    examples=[
        OpenApiExample(
            "Not open yet",
            value={
                "status": 400,
                "code": "register_not_open_yet",
                "message": "The register for this meeting is not open yet: a register records "
                "who came, so it opens when the meeting starts. You can take it from "
                "Thursday 3 December at 6:45pm.",
            },
        )
    ],
)


class SessionAttendanceRecord(ShowsPersonalData, APIView):
    # It answers with the person whose attendance it recorded.
    personal_data_page = "api attendance recorded"

    @extend_schema(
        summary="Record one person's attendance at a meeting",
        description=(
            "Only once the meeting has started (or within the configured minutes before "
            "it), and never for a cancelled meeting. Each new or changed mark is audited "
            "with its old and new value, who made it and when; sending the same mark again "
            "changes nothing."
        ),
        request=AttendanceWriteSerializer,
        responses={
            200: RosterEntrySerializer,
            **ERROR_RESPONSES,
            400: REGISTER_CLOSED_RESPONSE,
        },
    )
    def put(self, request, session_id, booking_id):
        session = selectors.session_for_staff(user=request.user, session_id=session_id)
        booking = get_object_or_404(
            Booking.objects.filter(group=session.group).select_related(
                "referral", "referral__safe_contact"
            ),
            pk=booking_id,
        )
        serializer = AttendanceWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            attendance = attendance_record(
                session=session,
                booking=booking,
                status=serializer.validated_data["status"],
                actor=request.user,
                request=request,
            )
        except RegisterClosed as refusal:
            raise RegisterClosedError(detail=str(refusal), code=refusal.code) from refusal
        except services.PeerGroupError as error:
            raise ValidationError({"non_field_errors": [str(error)]}) from error
        booking.this_session = [attendance]
        self.personal_data_shown(
            organisation=session.group.organisation,
            target=booking.referral,
            session=str(session.pk),
        )
        return Response(RosterEntrySerializer(booking).data)
