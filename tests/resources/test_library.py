"""The shipped library: loads on an empty database, covers every stage, loads twice cleanly."""

import pytest
from django.core.management import call_command

from resources import library as library_module
from resources.library import load_library, read_library
from resources.models import Pack, PackItem, Resource, ResourceVersion, Signpost, Stage

pytestmark = pytest.mark.django_db


def test_the_library_loads_on_an_empty_database(capsys):
    assert not Resource.objects.exists()
    call_command("load_library")
    out = capsys.readouterr().out
    assert "Resources: 23 in the files" in out and "Done:" in out
    assert Resource.objects.count() == 23
    assert Pack.objects.count() == 9


def test_every_stage_has_at_least_one_published_resource(library):
    for stage in Stage.values:
        assert Resource.objects.shared().filter(status="published").with_stage(stage).exists(), (
            stage
        )


def test_every_signpost_has_a_phone_number_or_a_web_address(library):
    for signpost in Signpost.objects.all():
        assert signpost.phone or signpost.url, signpost.key


def test_every_resource_ends_with_signposts(library):
    for resource in Resource.objects.shared():
        assert resource.signpost_ids, resource.slug


def test_the_numbers_from_the_guidance_are_right(library):
    numbers = {s.key: s.phone for s in Signpost.objects.all()}
    assert numbers["childline"] == "0800 1111"  # the guidance page misprints it as 0800 111
    assert numbers["emergency-999"] == "999"
    assert numbers["stop-it-now"] == "0808 1000 900"
    assert numbers["samaritans"] == "116 123"
    assert numbers["crimestoppers"] == "0800 555 111"
    stop_it_now = Signpost.objects.get(key="stop-it-now")
    assert "Monday to Thursday 9am to 9pm" in stop_it_now.hours
    assert "Friday 9am to 5pm" in stop_it_now.hours


def test_the_named_organisations_are_all_there(library):
    keys = set(Signpost.objects.values_list("key", flat=True))
    assert {
        "emergency-999", "childline", "stop-it-now", "samaritans", "crimestoppers",
        "nspcc-helpline", "citizens-advice", "civil-legal-advice", "internet-watch-foundation",
        "marie-collins-foundation", "restitute", "safer-living-foundation", "talking-forward",
        "lucy-faithfull-foundation", "sexual-assault-referral-centre",
    } <= keys  # fmt: skip


def test_the_safer_living_foundation_is_marked_to_check(library):
    signpost = Signpost.objects.get(key="safer-living-foundation")
    assert signpost.status == Signpost.Status.TO_CHECK
    assert "still operating" in signpost.check_note
    assert not signpost.is_shareable


def test_the_local_sexual_assault_referral_centre_is_an_editable_entry(library):
    assert Signpost.objects.get(key="sexual-assault-referral-centre").locally_editable


def test_loading_twice_creates_no_duplicates():
    load_library()
    counts = (
        Resource.objects.count(),
        ResourceVersion.objects.count(),
        Signpost.objects.count(),
        Pack.objects.count(),
        PackItem.objects.count(),
    )
    second = load_library()
    assert second["resources_new"] == second["resources_changed"] == 0
    assert second["signposts_new"] == second["signposts_changed"] == 0
    assert (
        Resource.objects.count(),
        ResourceVersion.objects.count(),
        Signpost.objects.count(),
        Pack.objects.count(),
        PackItem.objects.count(),
    ) == counts


def test_an_interrupted_load_is_completed_by_running_it_again(monkeypatch):
    real = library_module.services.resource_create
    calls = {"n": 0}

    def fail_on_the_fifth(**kwargs):
        calls["n"] += 1
        if calls["n"] == 5:
            raise KeyboardInterrupt
        return real(**kwargs)

    monkeypatch.setattr(library_module.services, "resource_create", fail_on_the_fifth)
    with pytest.raises(KeyboardInterrupt):
        load_library()
    assert Resource.objects.count() == 4
    monkeypatch.setattr(library_module.services, "resource_create", real)
    load_library()
    assert Resource.objects.count() == 23
    assert Pack.objects.count() == 9


def test_a_changed_file_becomes_a_new_version(tmp_path):
    import shutil

    shutil.copytree(library_module.LIBRARY, tmp_path / "library")
    root = tmp_path / "library"
    load_library(root=root)
    path = root / "resources" / "11-looking-after-yourself.md"
    path.write_text(path.read_text().replace("You are going through", "You are living through"))
    counts = load_library(root=root)
    assert counts["resources_changed"] == 1
    resource = Resource.objects.get(slug="looking-after-yourself")
    assert resource.version == 2
    assert list(resource.versions.values_list("number", flat=True)) == [2, 1]


def test_the_files_are_checked_before_anything_is_written(tmp_path):
    import shutil

    shutil.copytree(library_module.LIBRARY, tmp_path / "library")
    root = tmp_path / "library"
    path = root / "resources" / "13-money-home-and-work.md"
    path.write_text(path.read_text().replace("signposts: citizens-advice", "signposts: nobody"))
    with pytest.raises(library_module.LibraryError):
        load_library(root=root)
    assert not Resource.objects.exists() and not Signpost.objects.exists()


def test_the_shipped_files_read_cleanly():
    rows, resources, packs = read_library()
    assert len(rows) == 26 and len(resources) == 23 and len(packs) == 9
