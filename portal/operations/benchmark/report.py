"""The benchmark's results as JSON and as a markdown table, with the targets checked."""

from __future__ import annotations

import json
import os
import platform
from pathlib import Path

from django.db import connection
from django.utils import timezone

from .measure import Timing

BASELINE = "Bare view (baseline)"


def comparisons(timings: list[Timing]) -> list[dict]:
    """For each page: queries at each size, p95 growth, and p50 against the bare view."""
    by_size: dict[str, dict[str, Timing]] = {}
    for timing in timings:
        by_size.setdefault(timing.size, {})[timing.name] = timing
    sizes = list(by_size)
    smallest, largest = sizes[0], sizes[-1]
    rows = []
    for name, small in by_size[smallest].items():
        large = by_size[largest].get(name, small)
        bare = by_size[largest].get(BASELINE)
        rows.append(
            {
                "name": name,
                "queries": {size: by_size[size][name].queries for size in sizes},
                "same_queries": len({by_size[size][name].queries for size in sizes}) == 1,
                "p95_growth": round(large.p95_ms / small.p95_ms, 2) if small.p95_ms else None,
                "p50_vs_bare": round(large.p50_ms / bare.p50_ms, 2) if bare else None,
            }
        )
    return rows


def markdown(timings: list[Timing]) -> str:
    sizes = list(dict.fromkeys(t.size for t in timings))
    lookup = {(t.name, t.size): t for t in timings}
    head = ["Page or endpoint"]
    for size in sizes:
        head += [f"{size} p50 ms", f"{size} p95 ms", f"{size} queries"]
    head += ["p95 large/small", "p50 / bare"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for row in comparisons(timings):
        cells = [row["name"]]
        for size in sizes:
            t = lookup[(row["name"], size)]
            cells += [f"{t.p50_ms:.1f}", f"{t.p95_ms:.1f}", str(t.queries)]
        cells += [f"{row['p95_growth']}x", f"{row['p50_vs_bare']}x"]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def contention_markdown(result) -> str:
    return (
        "| Clients | Groups of places | Confirmations tried | Places taken | Overbooked groups "
        "| Errors | Seconds | Places taken/s | Confirmations handled/s | p50 ms | p95 ms |\n"
        "|---|---|---|---|---|---|---|---|---|---|---|\n"
        f"| {result.clients} | {result.groups} of {result.capacity} | {result.attempts} "
        f"| {result.confirmed} | {result.overbooked_groups} | {result.errors} | {result.seconds} "
        f"| {result.confirmations_per_second} | {result.attempts_per_second} "
        f"| {result.confirm_p50_ms} | {result.confirm_p95_ms} |\n"
    )


def reminders_markdown(results) -> str:
    lines = [
        "| Delivered by | Messages | Seconds | Messages/s | Queries/message |",
        "|---|---|---|---|---|",
    ]
    for r in results:
        queries = "" if r.queries_per_message is None else f"{r.queries_per_message}"
        lines.append(
            f"| {r.how} | {r.messages:,} | {r.seconds} | {r.messages_per_second} | {queries} |"
        )
    return "\n".join(lines) + "\n"


def machine() -> dict:
    """What the figures were measured on."""
    memory = None
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        total_kb = int(meminfo.read_text().split("MemTotal:")[1].split()[0])
        memory = f"{total_kb / 1024 / 1024:.1f} GiB"
    return {
        "cpus": os.cpu_count(),
        "memory": memory,
        "processor": platform.processor() or platform.machine(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "database": f"{connection.vendor} {connection.Database.__name__}"
        if connection.vendor != "postgresql"
        else f"PostgreSQL {connection.pg_version // 10000}.{connection.pg_version % 10000}",
    }


def write(folder: Path, *, text: str, data: dict) -> tuple[Path, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    data = {
        "when": timezone.now().isoformat(),
        "database": connection.vendor,
        "machine": machine(),
        **data,
    }
    json_path = folder / f"benchmark-{stamp}.json"
    md_path = folder / f"benchmark-{stamp}.md"
    json_path.write_text(json.dumps(data, indent=2, default=str))
    md_path.write_text(text)
    return json_path, md_path
