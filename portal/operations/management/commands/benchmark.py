from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from portal.operations.benchmark import report
from portal.operations.benchmark.measure import measure
from portal.operations.benchmark.seed import seed
from portal.operations.benchmark.sizes import SIZES


class Command(BaseCommand):
    help = (
        "Seed the benchmark dataset at each size (bulk inserts; safe to stop and run again) "
        "and time the key pages and endpoints at each, with a bare view as the baseline. "
        "Use a database of its own: the data stays for the next run."
    )

    def add_arguments(self, parser):
        parser.add_argument("--sizes", nargs="+", default=["small", "large"], choices=SIZES)
        parser.add_argument("--repeats", type=int, default=30)
        parser.add_argument("--out", default="benchmark-results")

    def handle(self, *args, sizes, repeats, out, **options):
        if connection.vendor != "postgresql":
            self.stderr.write(
                "Not PostgreSQL: figures from this run will not compare with docs/performance.md."
            )
        if repeats < 5:
            raise CommandError("Use at least 5 repeats, so p95 means something.")
        # Pages are measured with DEBUG off, as in production, which serves static files
        # from the collected manifest.
        call_command("collectstatic", interactive=False, verbosity=0)
        timings = []
        for name in sizes:
            size = SIZES[name]
            self.stdout.write(
                f"Seeding {name}: {size.referrals:,} referrals in {size.organisations} "
                f"organisations, {size.sessions:,} sessions, {size.bookings:,} bookings, "
                f"{size.audit_rows:,} audit rows"
            )
            organisations = seed(size=size, progress=lambda m: self.stdout.write(f"  … {m}"))
            self.stdout.write(f"Measuring {name} ({repeats} requests per page)")
            timings += measure(organisation=organisations[0], size=name, repeats=repeats)
        json_path, md_path = report.write(timings, Path(out), extra={"repeats": repeats})
        self.stdout.write(report.markdown(timings))
        self.stdout.write(self.style.SUCCESS(f"Written {json_path} and {md_path}"))
