"""The answers a referral records, in the words people see."""

from django.db import models


class Relationship(models.TextChoices):
    PARTNER = "partner", "Partner, husband, wife or ex-partner"
    PARENT = "parent", "Parent or step-parent"
    CHILD = "child", "Son or daughter"
    SIBLING = "sibling", "Brother or sister"
    OTHER_FAMILY = "other_family", "Other family member"
    FRIEND = "friend", "Friend"


class Stage(models.TextChoices):
    SEARCHED_OR_ARRESTED = "searched_or_arrested", "There has just been a search or an arrest"
    IN_CUSTODY = "in_custody", "They are in custody"
    ON_BAIL = "on_bail", "They are on police bail"
    RELEASED_UNDER_INVESTIGATION = (
        "released_under_investigation",
        "They have been released under investigation",
    )
    CHARGED_OR_AWAITING_COURT = (
        "charged_or_awaiting_court",
        "They have been charged or are going to court",
    )
    SENTENCED_OR_ORDER = "sentenced_or_order", "They have been sentenced or are under an order"
    NOT_SURE = "not_sure", "I'm not sure"


class ChildrenInHousehold(models.TextChoices):
    YES = "yes", "Yes"
    NO = "no", "No"
    PREFER_NOT_TO_SAY = "prefer_not_to_say", "I'd rather not say"


class SupportWanted(models.TextChoices):
    INITIAL_CALL = "initial_call", "A phone call with someone from our team"
    PEER_GROUP = "peer_group", "To join a peer support group"
    RESOURCES_ONLY = "resources_only", "Written information only, for now"


class FormatPreference(models.TextChoices):
    ZOOM = "zoom", "Online, on Zoom"
    IN_PERSON = "in_person", "In person"
    EITHER = "either", "Either is fine"


class Source(models.TextChoices):
    SELF = "self", "Self-referral"
    PROFESSIONAL = "professional", "Professional referral"


class State(models.TextChoices):
    NEW = "new", "New"
    IN_CONTACT = "in_contact", "In contact"
    ASSESSED = "assessed", "Assessed"
    PLACED = "placed", "Placed in a group"
    WAITLISTED = "waitlisted", "On a waiting list"
    SIGNPOSTED = "signposted", "Signposted"
    CLOSED = "closed", "Closed"


class CloseReason(models.TextChoices):
    COMPLETED = "completed", "Support completed"
    DECLINED = "declined", "Declined support"
    UNREACHABLE = "unreachable", "Could not be reached"
    DUPLICATE = "duplicate", "Duplicate referral"
    CONSENT_WITHDRAWN = "consent_withdrawn", "Consent withdrawn"
    OTHER = "other", "Other"


class Channel(models.TextChoices):
    CALL = "call", "Phone call"
    TEXT = "text", "Text message"
    EMAIL = "email", "Email"
    VOICEMAIL = "voicemail", "Voicemail"
    POST = "post", "Post"


class AttemptOutcome(models.TextChoices):
    REACHED = "reached", "Spoke with them"
    NO_ANSWER = "no_answer", "No answer"
    LEFT_MESSAGE = "left_message", "Left a message"
    SENT = "sent", "Message sent"
    NOT_SAFE_TO_TALK = "not_safe_to_talk", "Not safe to talk"
    WRONG_DETAILS = "wrong_details", "Wrong number or address"


class ConsentMethod(models.TextChoices):
    ONLINE_FORM = "online_form", "Online form"
    VERBAL = "verbal", "Verbally, to the referrer"
    WRITTEN = "written", "In writing, to the referrer"
    PRIVATE_LINK = "private_link", "Through their private link"
    TO_STAFF = "to_staff", "To our staff"


class ShareBackStatus(models.TextChoices):
    """What a referrer may see, and only if the person agreed."""

    RECEIVED = "received", "Received"
    CONTACTED = "contacted", "Contacted"
    SUPPORT_STARTED = "support_started", "Support started"
    CLOSED = "closed", "Closed"
