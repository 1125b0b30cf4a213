"""The support directory: ORUK-shaped CSV and JSON, all-or-nothing imports, local entries."""

import csv
import io
import json
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from resources import directory, services
from resources.models import Signpost
from tests.conftest import sign_in
from tests.referrals.factories import make_referral
from tests.resources.factories import make_resource

pytestmark = pytest.mark.django_db

HEADER = (
    "id,organization_name,name,description,eligibility_description,phone,sms,url,email,"
    "schedule_description,fees_description,languages,status\n"
)
GOOD_ROW = (
    "town-carers,Town Carers,Carers' drop-in,A weekly drop-in for carers.,Carers,"
    "01632 960000,,https://carers.example,,Tuesdays 10am to 12pm,Free,English,active\n"
)


def upload(client, name: str, text: str):
    return client.post(
        reverse("resources-staff:signpost-import"),
        {"file": SimpleUploadedFile(name, text.encode("utf-8"))},
    )


def test_a_malformed_row_is_reported_with_its_line_and_nothing_is_imported(
    client, organisation_a, coordinator_a
):
    text = (
        HEADER
        + GOOD_ROW
        + "no-contact,Someone,No contact,Has neither phone nor web,,,,,,,,,active\n"
        + "too-short,Someone,Short row\n"
        + 'multi,"Multi\nline",Name,Offers things,,0800 000 000,,,,,,,active\n'
        + "bad-phone,Someone,Bad,Offers,,call us!,,,,,,,active\n"
    )
    sign_in(client, coordinator_a)
    response = upload(client, "directory.csv", text)
    content = response.content.decode()
    assert response.status_code == 400
    assert "Nothing was imported" in content
    assert "Line 3: Give a phone number or a web address." in content
    assert "Line 4: this row has 3 values but the header has 13 columns." in content
    assert "Line 7: Phone:" in content  # after a field spanning lines 5 and 6
    assert not Signpost.objects.filter(organisation=organisation_a).exists()


def test_a_good_csv_creates_local_entries_and_reimporting_updates_them(
    client, organisation_a, coordinator_a
):
    sign_in(client, coordinator_a)
    assert upload(client, "d.csv", HEADER + GOOD_ROW).status_code == 302
    signpost = Signpost.objects.get(organisation=organisation_a)
    assert (signpost.key, signpost.provider, signpost.hours) == (
        "town-carers",
        "Town Carers",
        "Tuesdays 10am to 12pm",
    )
    assert (
        upload(client, "d.csv", HEADER + GOOD_ROW.replace("Tuesdays", "Fridays")).status_code == 302
    )
    signpost = Signpost.objects.get(organisation=organisation_a)
    assert signpost.hours == "Fridays 10am to 12pm"


def test_the_export_round_trips_through_csv_and_json(
    client, library, organisation_a, coordinator_a, organisation_b, coordinator_b
):
    sign_in(client, coordinator_a)
    upload(client, "d.csv", HEADER + GOOD_ROW)
    csv_export = client.get(reverse("resources-staff:signpost-export-csv"))
    assert csv_export["Content-Type"].startswith("text/csv")
    text = csv_export.content.decode()
    assert text.startswith("id,organization_name,name,description,eligibility_description,phone")
    assert "childline" in text and "town-carers" in text
    json_export = client.get(reverse("resources-staff:signpost-export-json"))
    services_json = json.loads(json_export.content)
    childline = next(s for s in services_json if s["id"] == "childline")
    assert childline["phones"] == [{"number": "0800 1111", "type": "voice"}]
    assert childline["organization"] == {"name": "NSPCC"}
    # Organisation B imports A's export: the local entry arrives, national ones are left.
    sign_in(client, coordinator_b)
    response = upload(client, "directory.json", json_export.content.decode())
    assert response.status_code == 302
    local = Signpost.objects.get(organisation=organisation_b)
    assert local.key == "town-carers" and local.phone == "01632 960000"
    assert Signpost.objects.shared().count() == 26  # the national directory, untouched
    sign_in(client, coordinator_a)
    assert upload(client, "again.csv", text).status_code == 302
    assert Signpost.objects.filter(organisation=organisation_a).count() == 1


def test_bad_json_is_reported_with_its_line(client, coordinator_a):
    sign_in(client, coordinator_a)
    response = upload(client, "d.json", '[\n  {"id": "x",\n  "name": }\n]')
    assert response.status_code == 400
    assert "Line 3" in response.content.decode()
    response = upload(client, "d.json", json.dumps([{"id": "x", "name": "No description"}]))
    assert "Item 1" in response.content.decode()


def _error_beside_the_file(content: str) -> str:
    start = content.index('id="id_file_error"')
    return content[start : content.index("</div>", start)]


@pytest.mark.parametrize(
    ("text", "said"),
    [
        # Python's own parser recurses: this raised RecursionError, a 500.
        ("[" * 999_000, "levels deep"),
        ('{"services": ' * 50_000 + "[]" + "}" * 50_000, "levels deep"),
        ("[" * 25 + "]" * 25, "levels deep"),
        ('[\n  {"id": "x",\n  "name": }\n]', "Line 3: this is not valid JSON"),
        ("[" + "9" * 5_000 + "]", "not valid JSON"),
    ],
    ids=["999,000 brackets", "nested objects", "25 levels", "a syntax error", "a huge number"],
)
def test_a_json_file_too_deep_or_not_json_is_a_plain_error_beside_the_file_field(
    client, coordinator_a, text, said
):
    sign_in(client, coordinator_a)
    before = Signpost.objects.count()
    response = upload(client, "directory.json", text)
    assert response.status_code == 400
    assert said in _error_beside_the_file(response.content.decode())
    assert Signpost.objects.count() == before


def test_the_reader_of_json_files_refuses_deep_nesting_without_recursing():
    """The same limits where the shipped library is loaded (``load_library``)."""
    parsed = directory.parse_json("[" * 100_000)
    assert parsed.rows == [] and "levels deep" in parsed.errors[0]
    export_shape = [{"id": "a", "phones": [{"number": "01632 960000"}], "organization": {}}]
    assert directory.read_json_file(json.dumps({"services": export_shape})) is not None


def test_spreadsheet_formulas_are_neutralised_on_export_and_restored_on_import():
    signpost = Signpost(
        key="x", provider="=HYPERLINK(1)", name="N", description="D", phone="+44 20 7946 0000"
    )
    text = directory.export_csv([signpost])
    assert "'=HYPERLINK(1)" in text and "'+44 20 7946 0000" in text
    parsed = directory.parse_csv(text)
    assert parsed.errors == []
    assert parsed.rows[0]["phone"] == "+44 20 7946 0000"


def test_a_bare_carriage_return_in_a_value_cannot_start_a_row_or_a_formula():
    signpost = Signpost(
        key="x",
        provider="P",
        name="N",
        description="Open daily\r=2+5+cmd|' /C calc'!A0",
        hours="Mornings\n+44 20 7946 0000",
        phone="0800 1111",
    )
    text = directory.export_csv([signpost])
    # Read as a spreadsheet reads it: a line break outside quotes ends the row.
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert len(rows) == 2
    description = rows[1][directory.CSV_COLUMNS.index("description")]
    assert description == "Open daily\r'=2+5+cmd|' /C calc'!A0"
    hours = rows[1][directory.CSV_COLUMNS.index("schedule_description")]
    assert hours == "Mornings\n'+44 20 7946 0000"
    parsed = directory.parse_csv(text)
    assert parsed.rows[0]["hours"] == "Mornings\n+44 20 7946 0000"


def test_only_coordinators_import(client, caseworker_a):
    sign_in(client, caseworker_a)
    assert upload(client, "d.csv", HEADER + GOOD_ROW).status_code == 403


def test_local_signposts_belong_to_their_organisation(
    client, organisation_a, coordinator_a, coordinator_b
):
    signpost = services.signpost_save(
        organisation=organisation_a,
        key="ours",
        values={
            "provider": "P",
            "name": "Ours",
            "description": "D",
            "phone": "0800 000 000",
            "assured_date": date.today(),
        },
        actor=coordinator_a,
    )
    sign_in(client, coordinator_b)
    assert "Ours" not in client.get(reverse("resources-staff:signpost-list")).content.decode()
    edit = reverse("resources-staff:signpost-edit", kwargs={"signpost_id": signpost.pk})
    assert client.get(edit).status_code == 404
    assert client.post(edit, {"name": "Taken"}).status_code == 404
    csv_export = client.get(reverse("resources-staff:signpost-export-csv")).content.decode()
    assert "ours" not in csv_export.split("\n", 1)[1]


def test_a_local_sexual_assault_referral_centre_replaces_the_national_entry_in_packs(
    client, library, organisation_a, coordinator_a, caseworker_a, organisation_b, caseworker_b
):
    national = Signpost.objects.get(key="sexual-assault-referral-centre")
    sign_in(client, coordinator_a)
    url = reverse("resources-staff:signpost-new") + f"?local_version_of={national.pk}"
    page = client.get(url)
    assert "Your local details" in page.content.decode()
    response = client.post(
        url,
        {
            "provider": "NHS Kent",
            "name": "Beech House",
            "description": "Our local centre.",
            "phone": "0300 000 0000",
            "status": "active",
            "assured_date": "2026-11-30",  # an active entry says when it was checked
        },
    )
    assert response.status_code == 302
    from resources.models import Resource

    resource = Resource.objects.get(slug="if-you-have-been-harmed-too")
    for organisation, actor, expected, absent in (
        (organisation_a, caseworker_a, "Beech House", "Your local sexual assault"),
        (organisation_b, caseworker_b, "Your local sexual assault", "Beech House"),
    ):
        referral = make_referral(organisation, safe_channels=["email"])
        _, token = services.pack_send(
            referral=referral, pack=None, resources=[resource], actor=actor
        )
        page = client.get(services.pack_url(token), follow=True).content.decode()
        assert expected in page and absent not in page


def test_signposts_to_check_are_not_shown_to_families(
    client, library, organisation_a, caseworker_a
):
    resource = make_resource(
        None,
        slug="with-slf",
        signpost_ids=(str(Signpost.objects.get(key="safer-living-foundation").pk),),
    )
    referral = make_referral(organisation_a, safe_channels=["email"])
    _, token = services.pack_send(
        referral=referral, pack=None, resources=[resource], actor=caseworker_a
    )
    assert (
        "Safer Living Foundation"
        not in client.get(services.pack_url(token), follow=True).content.decode()
    )
    assert "Safer Living" not in client.get(reverse("resources:directory")).content.decode()
