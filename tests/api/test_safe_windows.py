"""safe_windows on POST /api/v1/referrals/: a partner sends a person's safe times as weekly
windows; they are checked as the staff editor's rows are, refused with the item and the
field named, answered as the portal keeps them, and never stored in plain."""

from __future__ import annotations

import uuid

import pytest
from drf_spectacular.generators import SchemaGenerator

from portal.api.models import IdempotentRequest
from portal.notifications.contact_windows import PRESETS
from referrals.models import Referral
from tests.api.conftest import referral_body

pytestmark = pytest.mark.django_db
URL = "/api/v1/referrals/"
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday")


def send(partner, windows, body=None, **headers):
    body = body or referral_body(**{"safe_contact.safe_windows": windows})
    return partner.post(URL, body, format="json", headers=headers or None)


def errors(response) -> list[tuple[str, str]]:
    assert response.status_code == 400, response.json()
    return [(e["field"], e["message"]) for e in response.json()["errors"]]


def test_windows_sent_are_kept_and_answered_as_kept(partner):
    sent = [{"day": day, "from": "17:00", "to": "21:00"} for day in WEEKDAYS]
    response = send(partner, sent)
    assert response.status_code == 201, response.json()
    safe = Referral.objects.get().safe_contact
    assert safe.windows == PRESETS["weekday_evenings"]
    assert safe.safe_times == "After 6pm"  # their words stay beside the windows
    assert response.json()["safe_windows"] == sent


def test_the_answer_shows_how_the_windows_were_read(partner):
    sent = [
        {"day": "Wednesday", "from": "14:00", "to": "16:00"},
        {"day": "monday", "from": "9:00", "to": "12:00"},
        {"day": "wednesday", "from": "15:00", "to": "17:30"},  # overlaps the first
    ]
    response = send(partner, sent)
    assert response.status_code == 201, response.json()
    assert response.json()["safe_windows"] == [
        {"day": "monday", "from": "09:00", "to": "12:00"},
        {"day": "wednesday", "from": "14:00", "to": "17:30"},
    ]


@pytest.mark.parametrize("windows", [[], None])
def test_no_windows_is_any_time(partner, windows):
    body = referral_body()
    if windows is not None:
        body["safe_contact"]["safe_windows"] = windows
    response = partner.post(URL, body, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["safe_windows"] == []
    assert Referral.objects.get().safe_contact.windows.any_time


@pytest.mark.parametrize(
    ("item", "field", "message"),
    [
        ({"day": "funday", "from": "09:00", "to": "12:00"}, "day", "Choose a day of the week"),
        ({"day": "monday", "from": "17:00", "to": "09:00"}, "to", "The end time must be later"),
        ({"day": "monday", "from": "17:00", "to": "17:00"}, "to", "The end time must be later"),
        ({"day": "monday", "from": "9 o'clock", "to": "12:00"}, "from", "Enter a time like 09:30"),
        ({"day": "monday", "from": "09:00", "to": "25:00"}, "to", "Enter a time like 09:30"),
        ({"day": "monday", "to": "12:00"}, "from", "Enter the time it becomes safe"),
        ({"from": "09:00", "to": "12:00"}, "day", "Choose a day."),
    ],
)
def test_a_window_that_does_not_pass_is_named_by_its_place_and_field(partner, item, field, message):
    good = {"day": "tuesday", "from": "10:00", "to": "14:00"}
    response = send(partner, [good, item])
    found = errors(response)
    assert any(
        path == f"safe_contact.safe_windows[1].{field}" and message in text for path, text in found
    ), found
    assert not any(path.startswith("safe_contact.safe_windows[0]") for path, _ in found)
    assert not Referral.objects.exists()


@pytest.mark.parametrize(
    ("windows", "field"),
    [
        ("weekdays", "safe_contact.safe_windows"),
        (["monday"], "safe_contact.safe_windows[0]"),
        ([{"day": "monday", "from": 9, "to": ["12:00"]}], "safe_contact.safe_windows[0].to"),
        ([{"day": ["monday"], "from": "09:00", "to": "12:00"}], "safe_contact.safe_windows[0].day"),
    ],
)
def test_the_wrong_json_types_are_400s_naming_the_field(partner, windows, field):
    assert field in [path for path, _ in errors(send(partner, windows))]


def test_more_windows_than_anyone_needs_are_refused(partner):
    windows = [{"day": "monday", "from": f"{h:02d}:00", "to": f"{h:02d}:30"} for h in range(22)]
    assert ("safe_contact.safe_windows", "Give at most 21 safe times.") in errors(
        send(partner, windows)
    )


def test_a_retried_request_gives_the_windows_again_without_storing_them(partner):
    sent = [{"day": "saturday", "from": "06:17", "to": "07:43"}]
    headers = {"Idempotency-Key": str(uuid.uuid4())}
    body = referral_body(**{"safe_contact.safe_windows": sent})
    first = send(partner, sent, body, **headers)
    again = send(partner, sent, body, **headers)
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert again.json()["safe_windows"] == sent
    stored = IdempotentRequest.objects.get()
    assert "safe_windows" not in stored.response_body
    assert "06:17" not in str(stored.response_body)
    assert Referral.objects.count() == 1


def test_the_status_never_repeats_them(partner):
    sent = [{"day": "monday", "from": "09:00", "to": "12:00"}]
    reference = send(partner, sent).json()["reference"]
    status = partner.get(f"{URL}{reference}/")
    assert status.status_code == 200
    assert "safe_windows" not in status.json() and "09:00" not in status.content.decode()


def test_the_schema_documents_safe_windows_in_and_out():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    components = schema["components"]["schemas"]
    request_field = components["SafeContactRequest"]["properties"]["safe_windows"]
    assert request_field["type"] == "array"
    assert "any time" in request_field["description"]
    window = components[request_field["items"]["$ref"].rsplit("/", 1)[1]]
    assert set(window["properties"]) == {"day", "from", "to"}
    assert set(window["required"]) == {"day", "from", "to"}
    assert "HH:MM" in window["properties"]["from"]["description"]
    assert components["DayEnum"]["enum"] == [*WEEKDAYS, "saturday", "sunday"]
    assert "DayEnum" in str(window["properties"]["day"])
    created = schema["paths"]["/api/v1/referrals/"]["post"]["responses"]["201"]
    answer = created["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    assert "safe_windows" in components[answer]["properties"]
    # The status's values keep the name partners' generated clients know them by.
    assert "ReferralStatusStatusEnum" in components
