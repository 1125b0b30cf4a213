"""The starting library: signposts, resources and packs shipped as files in ``library/``.

``load_library`` makes the database match the files. It is idempotent (keys and slugs
identify rows, so loading twice creates nothing new), each item is saved in its own
transaction (so an interrupted load is finished by running it again), and a resource
whose file changed gets a new version rather than being overwritten.

Resource files are Markdown with a small front matter::

    ---
    slug: the-day-of-the-search
    title: The day of the search
    summary: One or two sentences.
    stages: search, wellbeing
    audiences: partners, parents
    last_checked: 2026-12-03
    signposts: samaritans, stop-it-now
    ---
    The text, in Markdown. A legal statement carries its source beside it.[^pace-16]

    [^pace-16]: [Police and Criminal Evidence Act 1984, section 16](https://www.legislation.gov.uk/ukpga/1984/60/section/16)

``last_checked`` is the day the text was last checked against its sources: readers see it,
and the guide is due for review a year later. A load that changes a file makes a new
version of that resource; packs already sent keep the versions they were sent with.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

from django.utils.text import slugify

from referrals.choices import Stage as ReferralStage

from . import directory, services
from .models import Audience, Pack, Resource, Signpost, Stage
from .rendering import looks_like_html, source_problems

LIBRARY = Path(__file__).resolve().parent / "library"


class LibraryError(Exception):
    pass


@dataclass(frozen=True)
class LibraryResource:
    slug: str
    content: services.ResourceContent
    signpost_keys: tuple[str, ...]


def _split_list(value: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in value.split(",") if part.strip())


def parse_resource_file(path: Path) -> tuple[dict, str]:
    text = path.read_text(encoding="utf-8")
    if not text.startswith("---\n"):
        raise LibraryError(f"{path.name}: the file must start with front matter (---).")
    try:
        header, body = text[4:].split("\n---\n", 1)
    except ValueError as error:
        raise LibraryError(f"{path.name}: the front matter is not closed (---).") from error
    meta = {}
    for number, line in enumerate(header.splitlines(), start=2):
        if not line.strip():
            continue
        key, sep, value = line.partition(":")
        if not sep:
            raise LibraryError(f"{path.name}, line {number}: expected 'name: value'.")
        meta[key.strip()] = value.strip()
    return meta, body


def read_resource(path: Path) -> LibraryResource:
    meta, body = parse_resource_file(path)
    missing = [
        k
        for k in ("slug", "title", "summary", "stages", "audiences", "last_checked")
        if k not in meta
    ]
    if missing:
        raise LibraryError(f"{path.name}: missing {', '.join(missing)}.")
    stages = _split_list(meta["stages"])
    audiences = _split_list(meta["audiences"])
    if not stages or any(s not in Stage.values for s in stages):
        raise LibraryError(f"{path.name}: stages must be from {', '.join(Stage.values)}.")
    if not audiences or any(a not in Audience.values for a in audiences):
        raise LibraryError(f"{path.name}: audiences must be from {', '.join(Audience.values)}.")
    if meta["slug"] != slugify(meta["slug"]):
        raise LibraryError(f"{path.name}: the slug must be lower-case words and hyphens.")
    if looks_like_html(body):
        raise LibraryError(f"{path.name}: write Markdown only, no HTML.")
    if "review_by" in meta:
        raise LibraryError(
            f"{path.name}: review_by is worked out from last_checked (a year later); remove it."
        )
    try:
        last_checked = date.fromisoformat(meta["last_checked"])
    except ValueError as error:
        raise LibraryError(f"{path.name}: last_checked must be a date like 2026-12-03.") from error
    problems = source_problems(body)
    if problems:
        raise LibraryError(f"{path.name}: " + " ".join(problems))
    return LibraryResource(
        slug=meta["slug"],
        content=services.ResourceContent(
            title=meta["title"],
            summary=meta["summary"],
            body=body,
            stages=stages,
            audiences=audiences,
            last_checked=last_checked,
            status=Resource.Status.PUBLISHED,
        ),
        signpost_keys=_split_list(meta.get("signposts", "")),
    )


def read_library(root: Path = LIBRARY):
    """Read and check every file before anything is written."""
    parsed = directory.parse_json((root / "signposts.json").read_text(encoding="utf-8"))
    if parsed.errors:
        raise LibraryError("signposts.json: " + "; ".join(parsed.errors))
    signpost_keys = {row["key"] for row in parsed.rows}
    resources = [read_resource(path) for path in sorted((root / "resources").glob("*.md"))]
    slugs = [r.slug for r in resources]
    if len(set(slugs)) != len(slugs):
        raise LibraryError("Two resource files have the same slug.")
    for resource in resources:
        unknown = [k for k in resource.signpost_keys if k not in signpost_keys]
        if unknown:
            raise LibraryError(f"{resource.slug}: unknown signposts {', '.join(unknown)}.")
    packs = json.loads((root / "packs.json").read_text(encoding="utf-8"))
    for pack in packs:
        unknown = [s for s in pack["resources"] if s not in slugs]
        if unknown:
            raise LibraryError(f"pack {pack['key']}: unknown resources {', '.join(unknown)}.")
        bad = [s for s in pack.get("default_for", []) if s not in ReferralStage.values]
        if bad:
            raise LibraryError(f"pack {pack['key']}: unknown stages {', '.join(bad)}.")
    return parsed.rows, resources, packs


def _signpost_changed(signpost: Signpost, row: dict) -> bool:
    fields = (*services.SIGNPOST_FIELDS, "locally_editable")
    return any(getattr(signpost, name) != row.get(name, "") for name in fields)


def load_library(*, root: Path = LIBRARY, say: Callable[[str], None] = lambda _: None) -> dict:
    """Make the shared library match the files. Returns counts of what was done."""
    signpost_rows, resources, packs = read_library(root)
    counts = {"signposts_new": 0, "signposts_changed": 0, "resources_new": 0,
              "resources_changed": 0, "packs": 0}  # fmt: skip

    say(f"Signposts: {len(signpost_rows)} in the file")
    existing = {s.key: s for s in Signpost.objects.shared()}
    for row in signpost_rows:
        # The files are the library's record: an entry they do not date is not checked.
        row = services.signpost_row_settled({**row, "assured_given": True}, None)
        current = existing.get(row["key"])
        if current is not None and not _signpost_changed(current, row):
            continue
        services.signpost_save(organisation=None, key=row["key"], values=row, actor=None)
        counts["signposts_changed" if current else "signposts_new"] += 1
        say(f"  {'updated' if current else 'added'} {row['name']}")
    ids = {s.key: str(s.pk) for s in Signpost.objects.shared()}

    say(f"Resources: {len(resources)} in the files")
    for item in resources:
        content = replace(item.content, signpost_ids=tuple(ids[key] for key in item.signpost_keys))
        resource = Resource.objects.filter(organisation__isnull=True, slug=item.slug).first()
        if resource is None:
            services.resource_create(organisation=None, slug=item.slug, content=content, actor=None)
            counts["resources_new"] += 1
            say(f"  added {item.content.title}")
        else:
            version = resource.version
            resource = services.resource_update(
                resource=resource, content=content, actor=None, note="From the library files"
            )
            if resource.version != version:
                counts["resources_changed"] += 1
                say(f"  updated {item.content.title} (now version {resource.version})")

    say(f"Packs: {len(packs)} in the file")
    by_slug = {r.slug: r for r in Resource.objects.shared()}
    for pack in packs:
        services.pack_save(
            organisation=None,
            key=pack["key"],
            title=pack["title"],
            purpose=pack["purpose"],
            default_for=pack.get("default_for", []),
            resources=[by_slug[slug] for slug in pack["resources"]],
            actor=None,
            pack=Pack.objects.shared().filter(key=pack["key"]).first(),
        )
        counts["packs"] += 1
    say("Library loaded.")
    return counts
