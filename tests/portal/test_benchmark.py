"""The benchmark command seeds its dataset (again without duplicates), times every key
page and endpoint, and writes JSON and a markdown table. Its figures are for the run
on PostgreSQL (docs/performance.md); here only that it works and counts queries."""

import json

import pytest
from django.core.management import call_command

from portal.operations.benchmark.seed import seed
from portal.operations.benchmark.sizes import SIZES
from referrals.models import Referral

pytestmark = pytest.mark.django_db(transaction=True)

PAGES = {
    "Bare view (baseline)",
    "Caseworker queue",
    # Finding a person: by name, by a word every name shares, by reference, by email.
    "Find a person by name",
    "Find by a name word everyone has",
    "Find by reference typed with spaces",
    "Find by email",
    "Referral page",
    "Group page with roster",
    "Session register",
    "Facilitator dashboard",
    "Coordinator dashboard",
    "Coordinator report for a year",
    "Pack send page",
    "POST /api/v1/referrals/",
    "GET /api/v1/referrals/{reference}/",
}


def test_the_benchmark_measures_every_key_page(tmp_path, settings, capsys):
    settings.STATIC_ROOT = tmp_path / "static"
    call_command(
        "benchmark",
        "--sizes",
        "tiny",
        "--stages",
        "pages",
        "--repeats",
        "5",
        "--out",
        str(tmp_path),
    )
    result = json.loads(next(tmp_path.glob("benchmark-*.json")).read_text())
    timings = {t["name"]: t for t in result["timings"]}
    assert set(timings) == PAGES
    for name, timing in timings.items():
        assert timing["status"] in (200, 201), name
        assert timing["queries"] > 0 and timing["p50_ms"] > 0, name
    assert "| Referral page |" in next(tmp_path.glob("benchmark-*.md")).read_text()
    assert "Caseworker queue" in capsys.readouterr().out
    # The referrals it sends through the API go to an organisation beside the measured
    # one, so running it again measures the same data.
    measured = Referral.objects.filter(organisation__slug="bench-tiny-00")
    assert measured.count() == SIZES["tiny"].referrals
    assert Referral.objects.filter(organisation__slug="bench-tiny-00-api").exists()


def test_seeding_again_adds_nothing():
    size = SIZES["tiny"]
    seed(size=size)
    seed(size=size)
    assert Referral.objects.count() == size.referrals


def test_pages_of_every_size_are_timed_in_turns_so_a_slow_spell_falls_on_all_of_them():
    from types import SimpleNamespace

    from portal.operations.benchmark.measure import WARM_UP, _timings

    order = []

    def page(name):
        def call():
            order.append(name)
            return SimpleNamespace(status_code=200)

        return call

    pages = [
        ("a", "small", page("a small")),
        ("b", "small", page("b small")),
        ("a", "large", page("a large")),
    ]
    timings = _timings(pages, repeats=3)
    counted = WARM_UP + 1  # the warm-up requests, then the one whose queries are counted
    warmed = ["a small"] * counted + ["b small"] * counted + ["a large"] * counted
    assert order == warmed + ["a small", "b small", "a large"] * 3
    assert [(t.name, t.size, t.status) for t in timings] == [
        ("a", "small", 200),
        ("b", "small", 200),
        ("a", "large", 200),
    ]
