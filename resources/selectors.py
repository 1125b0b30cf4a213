"""Every read of resources, packs, the directory and deliveries used by views.

Staff reads go through ``visible_to`` (the shared library plus the user's organisations)
or ``for_member`` (only the user's organisations, for anything they may change), so
another organisation's id answers 404.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from portal.organisations.roles import CASE_ROLES, Role
from referrals.choices import ChildrenInHousehold, Relationship
from referrals.choices import Stage as ReferralStage
from referrals.models import Referral

from .models import (
    Audience,
    Delivery,
    DeliveryItem,
    Pack,
    PackItem,
    Resource,
    ResourceVersion,
    Signpost,
    Stage,
)
from .rendering import render_markdown
from .services import hash_token

# --- What a person sees ----------------------------------------------------------------


@dataclass(frozen=True)
class ShownResource:
    """A resource (or one version of it) ready to show: the same on every page and the PDF."""

    title: str
    summary: str
    html: str
    reading_minutes: int
    signposts: list[Signpost] = field(default_factory=list)
    slug: str = ""
    last_checked: date | None = None


def signposts_by_ids(ids, *, organisation=None, public: bool = True) -> dict[str, Signpost]:
    """Signposts by id, with an organisation's local version in place of a national one.

    ``public`` keeps only entries that are safe to share (active).
    """
    wanted = {str(pk) for pk in ids}
    if not wanted:
        return {}
    found = {str(s.pk): s for s in Signpost.objects.filter(pk__in=wanted)}
    if organisation is not None:
        for local in Signpost.objects.filter(
            organisation=organisation, local_version_of__in=list(found)
        ):
            found[str(local.local_version_of_id)] = local
    if public:
        found = {pk: s for pk, s in found.items() if s.is_shareable}
    return found


def shown(items, *, organisation=None, heading_offset: int = 0, public=True) -> list[ShownResource]:
    """Resources or versions as ShownResource, with their signposts in two queries."""
    items = list(items)
    signposts = signposts_by_ids(
        {pk for item in items for pk in item.signpost_ids},
        organisation=organisation,
        public=public,
    )
    result = []
    for position, item in enumerate(items, start=1):
        result.append(
            ShownResource(
                title=item.title,
                summary=item.summary,
                html=render_markdown(
                    item.body,
                    heading_offset=heading_offset,
                    # Each guide's sources link within that guide, however many are shown.
                    doc_id=f"part-{position}" if len(items) > 1 else "",
                ),
                reading_minutes=item.reading_minutes,
                signposts=[signposts[pk] for pk in item.signpost_ids if pk in signposts],
                slug=getattr(item, "slug", ""),
                last_checked=item.last_checked,
            )
        )
    return result


# --- Public pages ----------------------------------------------------------------------


def _search(queryset: QuerySet, q: str, fields: tuple[str, ...]) -> QuerySet:
    for word in (q or "").split()[:8]:
        condition = Q()
        for name in fields:
            condition |= Q(**{f"{name}__icontains": word[:50]})
        queryset = queryset.filter(condition)
    return queryset


def published_resources(*, stage: str = "", q: str = "") -> QuerySet[Resource]:
    queryset = Resource.objects.shared().filter(status=Resource.Status.PUBLISHED)
    if stage in Stage.values:
        queryset = queryset.with_stage(stage)
    return _search(queryset, q, ("title", "summary", "body")).order_by("title")


def published_by_stage(*, stage: str = "", q: str = "") -> list[tuple[str, str, list[Resource]]]:
    """Published library resources grouped by stage, in the order a family meets them."""
    # Library order (the order the files were loaded) reads as a family meets things.
    resources = list(
        published_resources(stage=stage, q=q)
        .only("slug", "title", "summary", "stages", "created_at")
        .order_by("created_at", "title")
    )
    groups = []
    for code, label in Stage.choices:
        if stage and code != stage:
            continue
        members = [r for r in resources if code in r.stages]
        if members:
            groups.append((code, label, members))
    return groups


def public_resource(*, slug: str) -> Resource:
    return get_object_or_404(published_resources(), slug=slug)


def public_signposts(*, stage: str = "", q: str = "") -> QuerySet[Signpost]:
    queryset = Signpost.objects.shared().filter(status=Signpost.Status.ACTIVE)
    if stage in Stage.values:
        ids = set()
        for signpost_ids in published_resources(stage=stage).values_list("signpost_ids", flat=True):
            ids.update(signpost_ids)
        queryset = queryset.filter(pk__in=ids)
    return _search(queryset, q, ("name", "provider", "description", "eligibility")).order_by("name")


def public_signpost(*, signpost_id) -> Signpost:
    return get_object_or_404(public_signposts(), pk=signpost_id)


# --- Staff: resources ------------------------------------------------------------------


def resources_for_staff(*, user, stage: str = "", status: str = "", q: str = "") -> QuerySet:
    queryset = Resource.objects.visible_to(user, roles=CASE_ROLES).select_related("organisation")
    if stage in Stage.values:
        queryset = queryset.with_stage(stage)
    if status in Resource.Status.values:
        queryset = queryset.filter(status=status)
    return _search(queryset, q, ("title", "summary")).order_by("title")


def resource_for_staff(*, user, resource_id) -> Resource:
    return get_object_or_404(
        Resource.objects.visible_to(user, roles=CASE_ROLES).select_related("organisation"),
        pk=resource_id,
    )


def resource_for_editing(*, user, resource_id) -> Resource:
    """Only a coordinator's own organisation's resources: the library is not edited here."""
    return get_object_or_404(
        Resource.objects.for_member(user, roles=[Role.COORDINATOR]).select_related("organisation"),
        pk=resource_id,
    )


def resource_versions(*, resource: Resource) -> list[ResourceVersion]:
    return list(resource.versions.select_related("changed_by").order_by("-number"))


def resource_version(*, resource: Resource, number: int) -> ResourceVersion:
    return get_object_or_404(
        ResourceVersion.objects.select_related("changed_by"), resource=resource, number=number
    )


def resources_due_for_review(*, user) -> QuerySet[Resource]:
    """Resources past their "review by" date, for coordinators: theirs and the library's."""
    return (
        Resource.objects.visible_to(user, roles=[Role.COORDINATOR])
        .filter(review_by__lt=timezone.localdate())
        .select_related("organisation")
        .order_by("review_by", "title")
    )


def signposts_due_for_check(*, user) -> QuerySet[Signpost]:
    """Active entries last checked more than a year ago: the coordinator's and national."""
    return (
        Signpost.objects.visible_to(user, roles=[Role.COORDINATOR])
        .filter(status=Signpost.Status.ACTIVE, assured_date__lt=signpost_check_cutoff())
        .select_related("organisation")
        .order_by("assured_date", "name")
    )


def signpost_check_cutoff(today: date | None = None) -> date:
    """Entries checked before this day are due to be checked again."""
    today = today or timezone.localdate()
    return today - timedelta(days=365)


# --- Staff: directory ------------------------------------------------------------------


def signposts_for_staff(*, user, q: str = "", roles=CASE_ROLES) -> QuerySet[Signpost]:
    queryset = Signpost.objects.visible_to(user, roles=roles).select_related("organisation")
    return _search(queryset, q, ("name", "provider", "description")).order_by("name")


def signpost_for_editing(*, user, signpost_id) -> Signpost:
    return get_object_or_404(
        Signpost.objects.for_member(user, roles=[Role.COORDINATOR]), pk=signpost_id
    )


def national_signpost(*, signpost_id) -> Signpost:
    return get_object_or_404(Signpost.objects.shared(), pk=signpost_id)


def signposts_for_export(*, user, organisation) -> QuerySet[Signpost]:
    """The directory as one organisation sees it: the national entries and its own."""
    return Signpost.objects.filter(
        Q(organisation__isnull=True) | Q(organisation=organisation)
    ).order_by("organisation_id", "name")


# --- Staff: packs ----------------------------------------------------------------------


def _items_prefetch() -> Prefetch:
    return Prefetch(
        "items",
        queryset=PackItem.objects.select_related("resource").order_by("position"),
    )


def packs_for_staff(*, user) -> QuerySet[Pack]:
    return (
        Pack.objects.visible_to(user, roles=CASE_ROLES)
        .filter(is_active=True)
        .select_related("organisation")
        .prefetch_related(_items_prefetch())
        .order_by("title")
    )


def pack_for_staff(*, user, pack_id) -> Pack:
    return get_object_or_404(
        Pack.objects.visible_to(user, roles=CASE_ROLES)
        .select_related("organisation")
        .prefetch_related(_items_prefetch()),
        pk=pack_id,
    )


def pack_for_editing(*, user, pack_id) -> Pack:
    return get_object_or_404(
        Pack.objects.for_member(user, roles=[Role.COORDINATOR]).prefetch_related(_items_prefetch()),
        pk=pack_id,
    )


def sendable_resources(*, organisation) -> list[Resource]:
    """Published resources an organisation can send: the library's and its own."""
    return list(
        Resource.objects.filter(Q(organisation__isnull=True) | Q(organisation=organisation))
        .filter(status=Resource.Status.PUBLISHED)
        .order_by("title")
    )


def packs_for_organisation(*, organisation) -> list[Pack]:
    return list(
        Pack.objects.filter(Q(organisation__isnull=True) | Q(organisation=organisation))
        .filter(is_active=True)
        .prefetch_related(_items_prefetch())
        .order_by("title")
    )


# --- Suggesting a pack -----------------------------------------------------------------

RELATIONSHIP_AUDIENCE = {
    Relationship.PARTNER: Audience.PARTNERS,
    Relationship.PARENT: Audience.PARENTS,
    Relationship.CHILD: Audience.OTHER_FAMILY,
    Relationship.SIBLING: Audience.OTHER_FAMILY,
    Relationship.OTHER_FAMILY: Audience.OTHER_FAMILY,
    Relationship.FRIEND: Audience.FRIENDS,
}
REFERRAL_STAGE_TOPICS = {
    ReferralStage.SEARCHED_OR_ARRESTED: [Stage.SEARCH, Stage.CUSTODY],
    ReferralStage.IN_CUSTODY: [Stage.CUSTODY, Stage.SEARCH],
    ReferralStage.ON_BAIL: [Stage.WAITING],
    ReferralStage.RELEASED_UNDER_INVESTIGATION: [Stage.WAITING],
    ReferralStage.CHARGED_OR_AWAITING_COURT: [Stage.CHARGE],
    ReferralStage.SENTENCED_OR_ORDER: [Stage.SENTENCE],
    ReferralStage.NOT_SURE: [],
}


@dataclass
class Suggestion:
    pack: Pack | None
    resources: list[Resource]
    reasons: list[str]


def _written_for(resource: Resource, audience: str | None) -> bool:
    return not resource.audiences or audience is None or audience in resource.audiences


def _mainly_about(resource, stage: str) -> bool:
    """Whether a guide is mainly about ``stage``: listed first, and otherwise only touching
    on wellbeing. The guide on worrying someone may harm themselves also serves wellbeing,
    but it does not stand in for "looking after yourself"; nor does the guide for parents
    of an under-18 stand in for the guides about children at home."""
    stages = list(resource.stages)
    return bool(stages) and stages[0] == stage and set(stages) <= {stage, Stage.WELLBEING}


def pack_suggestion(*, referral: Referral) -> Suggestion:
    """A starting pack for a referral, from its stage, relationship and children at home.

    The organisation's own default pack for the stage comes before the library's. The
    caseworker sees the reasons and can change anything before sending.
    """
    organisation = referral.organisation
    library = sendable_resources(organisation=organisation)
    audience = RELATIONSHIP_AUDIENCE.get(referral.relationship)
    reasons: list[str] = []

    packs = [p for p in packs_for_organisation(organisation=organisation)]
    candidates = [p for p in packs if referral.stage in p.default_for]
    candidates.sort(key=lambda p: (p.organisation_id is None, p.title))
    pack = candidates[0] if candidates else None

    if pack is not None:
        chosen = [item.resource for item in pack.items.all() if item.resource.is_published]
        reasons.append(f"Started from the pack \u201c{pack.title}\u201d for this stage.")
    else:
        topics = REFERRAL_STAGE_TOPICS.get(referral.stage, [])
        chosen = [r for r in library if any(t in r.stages for t in topics)]
        if topics:
            reasons.append("No pack is set for this stage: chose the resources about it.")

    kept = [r for r in chosen if _written_for(r, audience)]
    if len(kept) < len(chosen) and audience is not None:
        reasons.append(f"Left out resources not written for {Audience(audience).label.lower()}.")
    chosen = kept

    def add(resource_stage: str, reason: str, *, first_only: bool = False) -> None:
        extra = [
            r
            for r in library
            if _mainly_about(r, resource_stage) and _written_for(r, audience) and r not in chosen
        ]
        if first_only:
            extra = extra[:1]
        if extra and not any(_mainly_about(r, resource_stage) for r in chosen):
            chosen.extend(extra)
            reasons.append(reason)

    children = referral.children_in_household
    if children == ChildrenInHousehold.YES:
        add(Stage.CHILDREN, "Added: there are children in the household.")
    elif children == ChildrenInHousehold.NO:
        only_children = [r for r in chosen if set(r.stages) == {Stage.CHILDREN}]
        if only_children:
            chosen = [r for r in chosen if r not in only_children]
            reasons.append("Left out resources only about children: none in the household.")
    if audience == Audience.PARTNERS:
        add(
            Stage.PRACTICAL,
            "Added for a partner: money and home often change.",
            first_only=True,
        )
    add(Stage.WELLBEING, "Added: every pack ends with looking after yourself.", first_only=True)
    # Looking after yourself reads best last.
    chosen.sort(key=lambda r: r.stages == [Stage.WELLBEING])
    return Suggestion(pack=pack, resources=chosen, reasons=reasons)


# --- Deliveries ------------------------------------------------------------------------


def delivery_for_staff(*, user, delivery_id) -> Delivery:
    return get_object_or_404(
        Delivery.objects.for_member(user, roles=CASE_ROLES).select_related(
            "referral__organisation", "referral__safe_contact", "sent_by", "message", "pack"
        ),
        pk=delivery_id,
    )


def deliveries_for_referral(*, referral: Referral) -> list[Delivery]:
    return list(
        Delivery.objects.filter(referral=referral).select_related("sent_by", "message")[:50]
    )


def delivery_from_token(token: str) -> Delivery | None:
    return (
        Delivery.objects.select_related("referral", "organisation")
        .filter(token_hash=hash_token(token))
        .first()
    )


def delivery_for_grant(*, delivery_id: str, referral_id: str) -> Delivery | None:
    """The delivery a visitor's session grant names, if it is still the same person's."""
    return (
        Delivery.objects.select_related("referral", "organisation")
        .filter(pk=delivery_id, referral_id=referral_id)
        .first()
    )


def delivery_versions(*, delivery: Delivery) -> list[ResourceVersion]:
    items = DeliveryItem.objects.filter(delivery=delivery).select_related("version__resource")
    return [item.version for item in items.order_by("position")]


def delivery_shown(*, delivery: Delivery, heading_offset: int = 1) -> list[ShownResource]:
    """Exactly the versions that were sent, with the organisation's signposts."""
    return shown(
        delivery_versions(delivery=delivery),
        organisation=delivery.organisation,
        heading_offset=heading_offset,
    )
