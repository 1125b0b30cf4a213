"""Helpers for the self-referral's tests: a family's answers, and the one address's
POST-redirect-GET as a browser does it."""

from __future__ import annotations

import html
import json
import re

from django.urls import reverse

from referrals.models import SelfReferralDraft
from referrals.selfreferral import draft_key_hash

ANSWERS = {
    "relationship": {"relationship": "parent"},
    "stage": {"stage": "released_under_investigation"},
    "children": {"children_in_household": "yes"},
    "support": {"support_wanted": "peer_group"},
    "meeting": {"format_preference": "either", "area": "Kent"},
    "access-needs": {"accessibility_needs": "Step-free access, please"},
    "about-you": {"full_name": "Pat Doe", "email": "pat@example.org", "phone": "07911 123456"},
    "safe-contact": {
        "safe_channels": ["email"],
        # Any time, so that messages in tests go at once whatever the time of day.
        "safe_times_choice": "any_time",
        "safe_times": "Weekday mornings",
        "name_to_use": "Pat",
        "may_name_organisation": "no",
        "shares_device_with_person": "no",
        "shares_address_with_person": "yes",
        "postal_address": "",
    },
    "agreement": {"agree": "on"},
}


def form_url(organisation) -> str:
    """The self-referral's one address: every page of it is shown here."""
    return reverse("selfreferral:start", kwargs={"slug": organisation.slug})


def post(client, organisation, data: dict):
    """POST to the one address, which always answers with a redirect back to itself."""
    response = client.post(form_url(organisation), data)
    assert response.status_code == 303, response.content.decode()[:2000]
    assert response["Location"] == form_url(organisation)
    return response


def page(client, organisation) -> str:
    """The page the one address shows this visitor now."""
    response = client.get(form_url(organisation))
    assert response.status_code == 200
    return response.content.decode()


def go_to(client, organisation, place: str, *, change: bool = False) -> str:
    """Back, Start, or (with ``change``) a Change button; returns the page shown."""
    post(client, organisation, {"change": place} if change else {"go": place})
    return page(client, organisation)


def session_key(organisation) -> str:
    return f"selfreferral:{organisation.slug}"


def draft_row(client, organisation):
    draft_id = client.session.get(session_key(organisation))
    if not isinstance(draft_id, str):
        return None
    return SelfReferralDraft.objects.filter(key_hash=draft_key_hash(draft_id)).first()


def stored_draft(client, organisation) -> dict:
    """The visitor's unsent answers as stored (decrypted), or {} when there are none."""
    row = draft_row(client, organisation)
    return json.loads(row.answers) if row else {}


def replace_draft(client, organisation, data: dict) -> None:
    """Overwrite the stored draft, as a tampered or stale value would."""
    row = draft_row(client, organisation)
    row.answers = json.dumps(data)
    row.save()


def answer(client, organisation, answers=None, *, until: str | None = None, **changes):
    """Answer each page in order, stopping before ``until``; ``changes`` replace a page."""
    answers = {**ANSWERS, **(answers or {}), **changes}
    for step, data in answers.items():
        if step == until:
            return
        post(client, organisation, {"step": step, **data})
        assert "There is a problem" not in page(client, organisation), step


def submission_key(client, organisation) -> str:
    content = page(client, organisation)
    assert "Check your answers before sending" in content
    return re.search(r'name="submission_key" value="([^"]+)"', content).group(1)


def send(client, organisation, **extra):
    key = submission_key(client, organisation)
    return client.post(form_url(organisation), {"submission_key": key, **extra})


def error_beside(content: str, field: str) -> str:
    """The text of the error message shown beside ``field``."""
    match = re.search(
        rf'<div class="error-message" id="id_{field}_error">(.*?)</div>', content, re.S
    )
    assert match, f"no error beside {field}"
    return html.unescape(re.sub(r"<[^>]+>", "", match.group(1)))


def heading(content: str) -> str:
    return re.sub(r"<[^>]+>|\s+", " ", re.search(r"<h1>(.*?)</h1>", content, re.S).group(1))


def question(content: str) -> str:
    """'Question 3 of 9' for a question page; '' for any other page."""
    match = re.search(r'<span class="caption">(Question \d+ of \d+)</span>', content)
    return match.group(1) if match else ""
