"""The support directory as CSV and JSON, with fields named after Open Referral UK.

CSV has one row per service with ORUK's names flattened (``organization_name``,
``schedule_description``, ``fees_description``…); JSON has ORUK's service shape (a
nested ``organization``, ``phones``, ``schedules`` and ``languages``). Reading either
checks every row before anything is saved, and reports each problem with its line (CSV)
or item number (JSON), so a file is imported whole or not at all.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field

from portal.core.json_limits import JsonBodyError, json_loads_limited
from portal.core.spreadsheets import cell_from_spreadsheet, csv_text

from .models import Signpost

CSV_COLUMNS = [
    "id",
    "organization_name",
    "name",
    "description",
    "eligibility_description",
    "phone",
    "sms",
    "url",
    "email",
    "schedule_description",
    "fees_description",
    "languages",
    "status",
    "check_note",
    "assured_date",
    "assured_by",
    "assured_from",
]
# ORUK column -> Signpost field
CSV_TO_FIELD = {
    "id": "key",
    "organization_name": "provider",
    "name": "name",
    "description": "description",
    "eligibility_description": "eligibility",
    "phone": "phone",
    "sms": "text_number",
    "url": "url",
    "email": "email",
    "schedule_description": "hours",
    "fees_description": "fees",
    "languages": "languages",
    "status": "status",
    "check_note": "check_note",
    "assured_date": "assured_date",
    "assured_by": "assured_by",
    "assured_from": "assured_from",
}
# The check columns. A file without them (an export from before they existed, or
# another directory's) says nothing about checks, which is not the same as "unchecked".
ASSURED = ("assured_date", "assured_by", "assured_from")
MAX_ROWS = 2000
# An upload's limits (the form refuses a larger file before reading it). The export's
# shape nests five levels ({"services": [{"phones": [{...}]}]}); twenty leave room.
MAX_JSON_FILE_BYTES = 1_000_000
MAX_JSON_FILE_DEPTH = 20


@dataclass
class Parsed:
    rows: list[dict] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def _validate(raw: dict, where: str, parsed: Parsed, seen: set[str]) -> None:
    from .forms import SignpostRowForm

    assured_given = "assured_date" in raw

    form = SignpostRowForm(data=raw)
    if not form.is_valid():
        for name, messages in form.errors.items():
            label = "row" if name == "__all__" else form.fields[name].label or name
            for message in messages:
                parsed.errors.append(
                    f"{where}: {message}" if name == "__all__" else f"{where}: {label}: {message}"
                )
        return
    row = form.cleaned_data
    if row["key"] in seen:
        parsed.errors.append(f"{where}: the id \u201c{row['key']}\u201d appears twice.")
        return
    seen.add(row["key"])
    row["assured_given"] = assured_given
    parsed.rows.append(row)


def parse_csv(text: str) -> Parsed:
    parsed = Parsed()
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""))
    try:
        header = next(reader)
    except StopIteration:
        parsed.errors.append("The file is empty.")
        return parsed
    except csv.Error as error:
        parsed.errors.append(f"Line 1: the header could not be read ({error}).")
        return parsed
    header = [column.strip().lower() for column in header]
    unknown = [c for c in header if c not in CSV_COLUMNS]
    missing = [c for c in ("id", "organization_name", "name", "description") if c not in header]
    if unknown or missing:
        if unknown:
            parsed.errors.append("Line 1: unknown columns: " + ", ".join(unknown) + ".")
        if missing:
            parsed.errors.append("Line 1: missing columns: " + ", ".join(missing) + ".")
        return parsed
    seen: set[str] = set()
    count = 0
    while True:
        try:
            values = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            parsed.errors.append(f"Line {reader.line_num}: the row could not be read ({error}).")
            break
        line = reader.line_num
        if not any(value.strip() for value in values):
            continue
        count += 1
        if count > MAX_ROWS:
            parsed.errors.append(f"The file has more than {MAX_ROWS} rows; split it up.")
            break
        if len(values) != len(header):
            parsed.errors.append(
                f"Line {line}: this row has {len(values)} values but the header has "
                f"{len(header)} columns."
            )
            continue
        raw = {
            CSV_TO_FIELD[column]: cell_from_spreadsheet(value)
            for column, value in zip(header, values, strict=True)
        }
        _validate(raw, f"Line {line}", parsed, seen)
    if not parsed.rows and not parsed.errors:
        parsed.errors.append("The file has no rows to import.")
    return parsed


def _text(value) -> str:
    return value.strip() if isinstance(value, str) else ""


def _from_oruk(item: dict) -> dict:
    phones = item.get("phones") if isinstance(item.get("phones"), list) else []
    voice = [p for p in phones if isinstance(p, dict) and p.get("type", "voice") == "voice"]
    sms = [p for p in phones if isinstance(p, dict) and p.get("type") in ("sms", "text")]
    schedules = item.get("schedules") if isinstance(item.get("schedules"), list) else []
    languages = item.get("languages") if isinstance(item.get("languages"), list) else []
    organization = item.get("organization") if isinstance(item.get("organization"), dict) else {}
    return {
        "key": _text(item.get("id")),
        "provider": _text(organization.get("name")),
        "name": _text(item.get("name")),
        "description": _text(item.get("description")),
        "eligibility": _text(item.get("eligibility_description")),
        "phone": _text(voice[0].get("number")) if voice else "",
        "text_number": _text(sms[0].get("number")) if sms else "",
        "url": _text(item.get("url")),
        "email": _text(item.get("email")),
        "hours": "; ".join(
            _text(s.get("description")) for s in schedules if isinstance(s, dict)
        ).strip("; "),
        "fees": _text(item.get("fees_description")),
        "languages": ", ".join(
            _text(lang.get("name")) for lang in languages if isinstance(lang, dict)
        ).strip(", "),
        "status": _text(item.get("status")) or Signpost.Status.ACTIVE,
        "check_note": _text(item.get("check_note")),
        **{name: _text(item.get(name)) for name in ASSURED if name in item},
        "locally_editable": bool(item.get("locally_editable", False)),
    }


def json_file_problem(error: JsonBodyError) -> str:
    """What is wrong with an uploaded JSON file, in plain English."""
    if error.code == "request_too_large":
        return f"The file is too big: {MAX_JSON_FILE_BYTES // 1_000_000} MB at most."
    if error.code == "json_too_deep":
        return (
            f"The file has lists or objects inside each other more than {MAX_JSON_FILE_DEPTH} "
            "levels deep, so it is not a directory file. Upload a file in the same shape as "
            "the JSON export."
        )
    cause = error.__cause__
    if isinstance(cause, json.JSONDecodeError):
        return f"Line {cause.lineno}: this is not valid JSON ({cause.msg})."
    return "This is not valid JSON. Upload a file in the same shape as the JSON export."


def read_json_file(text: str) -> object:
    """The JSON in an uploaded file, read through the portal's limited reader (Python's
    own parser recurses, so a file of 100,000 "[" would raise RecursionError); a file
    too large, too deep or not JSON raises ``JsonBodyError``."""
    return json_loads_limited(text, max_bytes=MAX_JSON_FILE_BYTES, max_depth=MAX_JSON_FILE_DEPTH)


def parse_json(text: str) -> Parsed:
    parsed = Parsed()
    try:
        data = read_json_file(text)
    except JsonBodyError as error:
        parsed.errors.append(json_file_problem(error))
        return parsed
    if isinstance(data, dict) and isinstance(data.get("services"), list):
        data = data["services"]
    if not isinstance(data, list):
        parsed.errors.append("The file should hold a list of services.")
        return parsed
    if len(data) > MAX_ROWS:
        parsed.errors.append(f"The file has more than {MAX_ROWS} services; split it up.")
        return parsed
    seen: set[str] = set()
    for number, item in enumerate(data, start=1):
        if not isinstance(item, dict):
            parsed.errors.append(f"Item {number}: this is not a service.")
            continue
        raw = _from_oruk(item)
        locally_editable = raw.pop("locally_editable")
        before = len(parsed.rows)
        _validate(raw, f"Item {number}", parsed, seen)
        if len(parsed.rows) > before:
            parsed.rows[-1]["locally_editable"] = locally_editable
    if not parsed.rows and not parsed.errors:
        parsed.errors.append("The file has no services to import.")
    return parsed


def _cell(value) -> str:
    if value is None:
        return ""
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def export_csv(signposts) -> str:
    # Every cell as text (a phone number "+44 ..." too): the file is for reading and
    # re-importing, and the one writer neutralises what a spreadsheet would run.
    return csv_text(
        [
            CSV_COLUMNS,
            *(
                [_cell(getattr(signpost, CSV_TO_FIELD[column])) for column in CSV_COLUMNS]
                for signpost in signposts
            ),
        ]
    )


def to_oruk(signpost: Signpost) -> dict:
    phones = []
    if signpost.phone:
        phones.append({"number": signpost.phone, "type": "voice"})
    if signpost.text_number:
        phones.append({"number": signpost.text_number, "type": "sms"})
    return {
        "id": signpost.key,
        "name": signpost.name,
        "description": signpost.description,
        "url": signpost.url,
        "email": signpost.email,
        "status": signpost.status,
        "fees_description": signpost.fees,
        "eligibility_description": signpost.eligibility,
        "organization": {"name": signpost.provider},
        "phones": phones,
        "schedules": [{"description": signpost.hours}] if signpost.hours else [],
        "languages": [
            {"name": name.strip()} for name in signpost.languages.split(",") if name.strip()
        ],
        "check_note": signpost.check_note,
        "assured_date": signpost.assured_date.isoformat() if signpost.assured_date else "",
        "assured_by": signpost.assured_by,
        "assured_from": signpost.assured_from,
    }


def export_json(signposts) -> str:
    return json.dumps([to_oruk(s) for s in signposts], indent=2, ensure_ascii=False)
