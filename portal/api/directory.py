"""``GET /api/v1/services/``: where a caller may refer, in the Open Referral UK shape.

Open Referral UK (the UK profile of the Human Services Data Specification, version 3)
is how directories and referral platforms exchange services. Each organisation accepting
referrals is one service, with its area, languages and its groups' regular schedules.
Venue addresses are never published: groups for these families meet discreetly, and
people are told where when they are given a place.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import APIView

from peergroups.models import Group, Schedule, Session
from portal.organisations.models import Organisation
from portal.organisations.scoping import member_agency_ids, member_organisation_ids

from .models import Scope
from .permissions import calling_key, key_or_verified_user
from .schema import ERROR_RESPONSES
from .selectors import organisations_caller_may_refer_to
from .throttling import CallerRateThrottle

DESCRIPTION = (
    "Support for the family members and friends of someone under police investigation: a "
    "first phone call, peer support groups, and information about what happens next."
)
RRULE_DAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]
UPCOMING_MEETINGS = 6


def services_for(request) -> QuerySet[Organisation]:
    key = calling_key(request)
    if key is None and not member_agency_ids(request.user):
        # Staff refer to nobody through the API: they see their own organisations'
        # entries, as a referrer would.
        organisations = Organisation.objects.filter(pk__in=member_organisation_ids(request.user))
    else:
        organisations = organisations_caller_may_refer_to(key=key, user=request.user)
    now = timezone.now()
    groups = (
        Group.objects.select_related("schedule")
        .prefetch_related(
            Prefetch(
                "sessions",
                queryset=Session.objects.filter(
                    status=Session.Status.SCHEDULED,
                    starts_at__gte=now,
                    starts_at__lt=now + timedelta(days=120),
                ).order_by("starts_at"),
                to_attr="upcoming",
            )
        )
        .order_by("title")
    )
    return organisations.prefetch_related(
        Prefetch("groups", queryset=groups, to_attr="listed_groups")
    ).order_by("name", "id")


def _schedule(group: Group) -> dict:
    attending = "online" if group.format == Group.Format.ZOOM else "in_person"
    upcoming = [timezone.localtime(s.starts_at) for s in group.upcoming[:UPCOMING_MEETINGS]]
    entry = {
        "id": str(group.pk),
        "description": f"{group.title} ({group.get_audience_display()})",
        "attending_type": attending,
        "timezone": "Europe/London",
        "upcoming": [moment.isoformat() for moment in upcoming],
    }
    schedule = getattr(group, "schedule", None)
    if schedule is None:
        return entry
    rule = schedule.rule
    freq, interval = {
        Schedule.Rule.WEEKLY: ("WEEKLY", 1),
        Schedule.Rule.FORTNIGHTLY: ("WEEKLY", 2),
        Schedule.Rule.MONTHLY_NTH_WEEKDAY: ("MONTHLY", 1),
    }.get(rule, (None, None))
    start = datetime.combine(schedule.start_date, schedule.start_time)
    end = start + timedelta(minutes=schedule.duration_minutes)
    entry.update(
        dtstart=schedule.start_date.isoformat(),
        until=schedule.end_date.isoformat() if schedule.end_date else None,
        opens_at=schedule.start_time.strftime("%H:%M"),
        closes_at=end.strftime("%H:%M"),
    )
    if freq:
        day = RRULE_DAYS[schedule.start_date.weekday()]
        entry.update(
            freq=freq,
            interval=interval,
            byday=f"{schedule.nth}{day}" if rule == Schedule.Rule.MONTHLY_NTH_WEEKDAY else day,
        )
    return entry


def service_entry(organisation: Organisation) -> dict:
    groups = organisation.listed_groups
    formats = sorted({"online" if g.format == Group.Format.ZOOM else "in_person" for g in groups})
    return {
        "id": str(organisation.pk),
        "name": organisation.name,
        "description": DESCRIPTION,
        "status": "active" if organisation.is_accepting_referrals else "inactive",
        "organization": {"id": str(organisation.pk), "name": organisation.name},
        "application_process": "Referral with the person's consent, through the portal or "
        "this API (organisation slug: " + organisation.slug + "), or self-referral online.",
        "referral_organisation_slug": organisation.slug,
        "attending_types": formats,
        "service_areas": (
            [{"id": f"{organisation.pk}-area", "name": organisation.service_area}]
            if organisation.service_area
            else []
        ),
        "languages": [{"id": f"{organisation.pk}-en", "name": "English", "code": "en"}],
        "eligibility_description": "Family members and friends of someone under police "
        "investigation, and third-party victims.",
        "schedules": [_schedule(group) for group in groups],
    }


class ServiceAreaSerializer(serializers.Serializer):
    id = serializers.CharField()
    name = serializers.CharField()


class LanguageSerializer(serializers.Serializer):
    id = serializers.CharField()
    name = serializers.CharField()
    code = serializers.CharField()


class OrganizationSerializer(serializers.Serializer):
    id = serializers.CharField()
    name = serializers.CharField()


class ScheduleEntrySerializer(serializers.Serializer):
    id = serializers.CharField()
    description = serializers.CharField()
    attending_type = serializers.ChoiceField(choices=["online", "in_person"])
    timezone = serializers.CharField()
    upcoming = serializers.ListField(child=serializers.DateTimeField())
    dtstart = serializers.DateField(required=False)
    until = serializers.DateField(required=False, allow_null=True)
    opens_at = serializers.CharField(required=False)
    closes_at = serializers.CharField(required=False)
    freq = serializers.ChoiceField(choices=["WEEKLY", "MONTHLY"], required=False)
    interval = serializers.IntegerField(required=False)
    byday = serializers.CharField(required=False)


class ServiceSerializer(serializers.Serializer):
    id = serializers.CharField()
    name = serializers.CharField()
    description = serializers.CharField()
    status = serializers.ChoiceField(choices=["active", "inactive"])
    organization = OrganizationSerializer()
    application_process = serializers.CharField()
    referral_organisation_slug = serializers.CharField(
        help_text="Send this as `organisation` in POST /api/v1/referrals/."
    )
    attending_types = serializers.ListField(child=serializers.CharField())
    service_areas = ServiceAreaSerializer(many=True)
    languages = LanguageSerializer(many=True)
    eligibility_description = serializers.CharField()
    schedules = ScheduleEntrySerializer(many=True)


class ServicePageSerializer(serializers.Serializer):
    """Open Referral UK's page envelope."""

    total_items = serializers.IntegerField()
    total_pages = serializers.IntegerField()
    page_number = serializers.IntegerField()
    size = serializers.IntegerField()
    first_page = serializers.BooleanField()
    last_page = serializers.BooleanField()
    empty = serializers.BooleanField()
    contents = ServiceSerializer(many=True)


class OpenReferralPagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "per_page"
    max_page_size = 100

    def get_paginated_response(self, data):
        page = self.page
        return Response(
            {
                "total_items": page.paginator.count,
                "total_pages": page.paginator.num_pages,
                "page_number": page.number,
                "size": len(data),
                "first_page": not page.has_previous(),
                "last_page": not page.has_next(),
                "empty": not data,
                "contents": data,
            }
        )


class ServiceList(APIView):
    permission_classes = [key_or_verified_user(Scope.READ_SERVICES)]
    throttle_classes = [CallerRateThrottle]

    @extend_schema(
        operation_id="services_list",
        summary="Organisations and services accepting referrals",
        description="The services the caller may refer to, in the Open Referral UK shape "
        "(HSDS 3 services with their organisation, areas, languages and group schedules).",
        responses={200: ServicePageSerializer, **ERROR_RESPONSES},
    )
    def get(self, request):
        paginator = OpenReferralPagination()
        page = paginator.paginate_queryset(services_for(request), request, view=self)
        return paginator.get_paginated_response([service_entry(org) for org in page])
