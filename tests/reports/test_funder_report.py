"""The funders' report: every figure equals the one worked out by hand for a built
dataset; filters narrow it; each CSV matches its table; the number of queries does not
grow with the data; only coordinators see it."""

import csv
import io
from datetime import date

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from portal.audit.models import AuditEvent
from portal.reports.selectors import ReportFilters, funder_report
from tests.conftest import sign_in
from tests.reports.dataset import at, build_quarter, referral

pytestmark = pytest.mark.django_db

Q1 = ReportFilters(start=date(2026, 1, 1), end=date(2026, 3, 31))


@pytest.fixture
def quarter(organisation_a, caseworker_a, facilitator_a, referrer):
    with time_machine.travel(at(4, 15), tick=False):
        yield build_quarter(
            organisation_a, caseworker=caseworker_a, facilitator=facilitator_a, referrer=referrer
        )


def report(organisation, filters=Q1):
    return funder_report(organisation=organisation, filters=filters)


def test_the_figures_are_the_ones_worked_out_by_hand(quarter, organisation_a):
    figures = report(organisation_a)
    expected = {
        "referrals_received": 4,
        "median_days_to_first_contact": 3.0,  # 1, 3 and 5 days
        "first_contact_on_time": 25.0,  # 1 of 4
        "reached_group": 3,
        "reached_group_share": 75.0,
        "median_days_to_group_place": 15.0,  # 2, 15 and 26 days
        "median_days_on_waiting_list": 12.0,
        "sessions_held": 5,  # the cancelled one and April's do not count
        "attendances": 4,
        "attendance_rate": 80.0,  # 4 of 5 recorded
        "retained_share": 50.0,  # of 2 people who came, 1 came 3 times
        "packs_sent": 2,
        "packs_opened_share": 50.0,
        "signposted": 1,
        "messages_sent": 3,  # 2 emails held, 1 text counted before deletion
    }
    assert {key: figures.value(key) for key in expected} == expected


def test_the_tables_are_the_ones_worked_out_by_hand(quarter, organisation_a):
    tables = report(organisation_a).tables
    assert tables["referrals_by_source"].rows == [
        ["Self-referral", 2, 50.0],
        ["Professional referral", 2, 50.0],
    ]
    weeks = {row[0]: row[1:] for row in tables["referrals_by_week"].rows}
    assert len(weeks) == 14  # w/c 29 December to w/c 30 March
    assert weeks["2026-01-05"] == [1, 1, 2]
    assert weeks["2026-02-09"] == [1, 0, 1]
    assert weeks["2026-03-02"] == [0, 1, 1]
    assert sum(row[-1] for row in weeks.values()) == 4
    assert tables["attendance_by_group"].rows == [
        ["Daytime group", 1, 0, 0, 1, 0.0],
        ["Tuesday evening group", 4, 4, 0, 0, 100.0],
    ]
    assert tables["resources_sent"].rows == [["Bail pack", 2, 1]]
    assert tables["signposting"].rows == [
        ["Referrals moved to 'signposted'", 1],
        ["Initial calls ending in signposting only", 1],
    ]
    assert tables["messages_sent"].rows == [["email", 2], ["sms", 1]]


def test_filters_narrow_the_figures(quarter, organisation_a):
    own = report(organisation_a, ReportFilters(Q1.start, Q1.end, source="self"))
    assert own.value("referrals_received") == 2
    assert own.value("reached_group_share") == 100.0
    assert own.value("packs_sent") == 1
    daytime = report(organisation_a, ReportFilters(Q1.start, Q1.end, group=quarter["g2"]))
    assert daytime.value("sessions_held") == 1
    assert daytime.value("attendance_rate") == 0.0


def test_another_organisations_data_is_never_counted(quarter, organisation_b):
    other = report(organisation_b)
    assert other.value("referrals_received") == 0
    assert other.value("sessions_held") == 0
    assert other.value("median_days_to_first_contact") is None


def test_the_page_shows_the_figures_and_each_csv_matches_its_table(
    client, quarter, organisation_a, coordinator_a
):
    sign_in(client, coordinator_a)
    url = reverse("staff:report", kwargs={"organisation_id": organisation_a.pk})
    page = client.get(url, {"start": "2026-01-01", "end": "2026-03-31"})
    content = page.content.decode()
    assert page.status_code == 200
    assert "Median days to first contact" in content and "3 days" in content
    assert '<svg class="chart__svg"' in content and "<title" in content
    tables = report(organisation_a).tables
    for key, table in tables.items():
        response = client.get(
            reverse(
                "staff:report-csv", kwargs={"organisation_id": organisation_a.pk, "table": key}
            ),
            {"start": "2026-01-01", "end": "2026-03-31"},
        )
        assert response["Content-Type"].startswith("text/csv")
        rows = list(csv.reader(io.StringIO(response.content.decode())))
        assert rows[0] == table.columns
        assert rows[1:] == [["" if v is None else str(v) for v in row] for row in table.rows]
    assert AuditEvent.objects.filter(
        organisation=organisation_a, action=AuditEvent.Action.EXPORTED
    ).count() == len(tables)


def test_a_bad_period_is_explained_next_to_the_field(client, organisation_a, coordinator_a):
    sign_in(client, coordinator_a)
    url = reverse("staff:report", kwargs={"organisation_id": organisation_a.pk})
    response = client.get(url, {"start": "2026-03-31", "end": "2026-01-01"})
    assert response.status_code == 400
    assert "The end date must be on or after the start date" in response.content.decode()
    response = client.get(url, {"start": "not a date"})
    assert "Enter a real date" in response.content.decode()


def test_only_coordinators_see_the_report(client, organisation_a, caseworker_a):
    sign_in(client, caseworker_a)
    url = reverse("staff:report", kwargs={"organisation_id": organisation_a.pk})
    assert client.get(url).status_code == 404


def test_a_spreadsheet_formula_in_a_name_is_written_as_text(
    client, quarter, organisation_a, coordinator_a
):
    quarter["g1"].title = '=HYPERLINK("http://evil.example")'
    quarter["g1"].save()
    sign_in(client, coordinator_a)
    response = client.get(
        reverse(
            "staff:report-csv",
            kwargs={"organisation_id": organisation_a.pk, "table": "attendance_by_group"},
        ),
        {"start": "2026-01-01", "end": "2026-03-31"},
    )
    assert "'=HYPERLINK" in response.content.decode()


def test_the_number_of_queries_does_not_grow_with_the_data(
    quarter, organisation_a, caseworker_a, facilitator_a, referrer
):
    with CaptureQueriesContext(connection) as small:
        report(organisation_a)
    with time_machine.travel(at(4, 15), tick=False):
        for day in range(1, 29):
            referral(organisation_a, at(2, day), contacted=at(2, day, 15))
        build_quarter(
            organisation_a, caseworker=caseworker_a, facilitator=facilitator_a, referrer=referrer
        )
    with CaptureQueriesContext(connection) as large:
        bigger = report(organisation_a)
    assert bigger.value("referrals_received") == 4 + 28 + 4
    assert len(large) == len(small)


def test_a_person_with_several_places_is_counted_once(quarter, organisation_a):
    from peergroups.models import Booking

    r1 = quarter["r1"]
    Booking.objects.create(
        group=quarter["g2"], referral=r1, state="completed", confirmed_at=at(3, 1)
    )
    figures = report(organisation_a)
    assert figures.value("referrals_received") == 4
    assert figures.value("first_contact_on_time") == 25.0
    assert figures.tables["referrals_by_source"].rows[0] == ["Self-referral", 2, 50.0]


def test_the_dashboards_key_figures_are_the_reports_own(quarter, organisation_a):
    from portal.reports.selectors import key_figures
    from portal.staff.dashboards import COORDINATOR_FIGURES

    full = report(organisation_a)
    with CaptureQueriesContext(connection) as fewer:
        key = key_figures(organisation=organisation_a, filters=Q1)
    with CaptureQueriesContext(connection) as every:
        report(organisation_a)
    for name in COORDINATOR_FIGURES:
        assert key.figures[name] == full.figures[name], name
    assert len(fewer) < len(every)
