from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from portal.operations.benchmark import report
from portal.operations.benchmark.database import configure_as_production
from portal.operations.benchmark.measure import measure
from portal.operations.benchmark.seed import seed
from portal.operations.benchmark.sizes import SIZES

STAGES = ("pages", "contention", "reminders", "load")
# Need several connections writing at once, which only PostgreSQL gives here.
CONCURRENT_STAGES = {"contention", "reminders", "load"}


class Command(BaseCommand):
    help = (
        "Seed the benchmark dataset at each size (bulk inserts; safe to stop and run again), "
        "time the key pages and endpoints at each with a bare view as the baseline, then "
        "measure booking under contention, reminder throughput and a load test under "
        "gunicorn. Use a database of its own: the data stays for the next run."
    )

    def add_arguments(self, parser):
        parser.add_argument("--sizes", nargs="+", default=["small", "large"], choices=SIZES)
        parser.add_argument("--stages", nargs="+", default=list(STAGES), choices=STAGES)
        parser.add_argument(
            "--repeats", type=int, default=100, help="timed requests per page, in rounds"
        )
        parser.add_argument("--clients", type=int, default=50, help="booking clients at once")
        parser.add_argument(
            "--reminders",
            type=int,
            nargs="+",
            default=[100, 1000],
            help="reminders delivered in process, per count (queries per message)",
        )
        parser.add_argument("--worker-reminders", type=int, default=1000)
        parser.add_argument("--load-seconds", type=int, default=30)
        parser.add_argument("--load-users", type=int, default=20)
        parser.add_argument("--load-workers", type=int, default=3, help="gunicorn workers")
        parser.add_argument("--out", default="benchmark-results")

    def handle(self, *args, sizes, stages, repeats, out, **options):
        if connection.vendor != "postgresql":
            skipped = CONCURRENT_STAGES & set(stages)
            stages = [stage for stage in stages if stage not in CONCURRENT_STAGES]
            self.stderr.write(
                "Not PostgreSQL: figures from this run will not compare with "
                "docs/performance.md"
                + (f", and {', '.join(sorted(skipped))} need PostgreSQL." if skipped else ".")
            )
        if repeats < 5:
            raise CommandError("Use at least 5 repeats, so p95 means something.")
        # Pages are measured with DEBUG off, as in production, which serves static files
        # from the collected manifest (the load test collects its own for its server).
        call_command("collectstatic", interactive=False, verbosity=0)
        for setting, value in configure_as_production().items():
            self.stdout.write(f"Database set as in production: {setting} = {value}")
        sections, data = [], {"repeats": repeats}
        organisations = {}
        timings = []
        for name in sizes:
            size = SIZES[name]
            self.stdout.write(
                f"Seeding {name}: {size.referrals:,} referrals in {size.organisations} "
                f"organisations, {size.sessions:,} sessions, {size.bookings:,} bookings, "
                f"{size.audit_rows:,} audit rows"
            )
            organisations[name] = seed(size=size, progress=self._progress)
        if "pages" in stages:
            # Every size is seeded first and then all are timed in the same rounds, so the
            # comparison between sizes is not a comparison between two moments.
            self.stdout.write(
                f"Measuring the pages of {', '.join(sizes)} ({repeats} rounds of one request "
                "to each page of each size)"
            )
            timings = measure(
                organisations={name: organisations[name][0] for name in sizes}, repeats=repeats
            )
        if timings:
            sections.append(("Key pages and endpoints", report.markdown(timings)))
            data["timings"] = [t.as_dict() for t in timings]
            data["comparisons"] = report.comparisons(timings)
        busiest = organisations[sizes[-1]][0]
        stages_after_pages = [
            ("contention", "Booking under contention", lambda: self._contention(options, data)),
            ("reminders", "Reminders", lambda: self._reminders(options, data)),
            ("load", "Load test under gunicorn", lambda: self._load(busiest, options, data)),
        ]
        failed = []
        for stage, title, run in stages_after_pages:
            if stage not in stages:
                continue
            try:
                sections.append((title, run()))
            except Exception as error:  # reported below; the other stages still run
                failed.append(stage)
                data.setdefault("failed", {})[stage] = f"{type(error).__name__}: {error}"
                self.stderr.write(self.style.ERROR(f"{title} failed: {error}"))
                sections.append((title, f"Failed: {type(error).__name__}: {error}\n"))
        text = "".join(f"\n## {title}\n\n{table}" for title, table in sections)
        json_path, md_path = report.write(Path(out), text=text, data=data)
        self.stdout.write(text)
        if failed:
            raise CommandError(
                f"Written {json_path} and {md_path}, but these stages failed: {', '.join(failed)}."
            )
        self.stdout.write(self.style.SUCCESS(f"Written {json_path} and {md_path}"))

    def _progress(self, message: str) -> None:
        self.stdout.write(f"  … {message}")

    def _contention(self, options, data) -> str:
        from portal.operations.benchmark.contention import booking_contention

        self.stdout.write(f"Booking: {options['clients']} clients confirming at once")
        result = booking_contention(clients=options["clients"])
        data["contention"] = result.as_dict()
        if result.overbooked_groups or result.errors:
            self.stderr.write(self.style.ERROR("Places were overbooked or confirmations failed."))
        return report.contention_markdown(result)

    def _reminders(self, options, data) -> str:
        from portal.operations.benchmark.reminders import reminder_queries, reminder_worker

        results = []
        for count in options["reminders"]:
            self.stdout.write(f"Reminders: delivering {count:,} in this process")
            results.append(reminder_queries(count=count))
        if options["worker_reminders"]:
            self.stdout.write(f"Reminders: {options['worker_reminders']:,} by one worker")
            results.append(reminder_worker(count=options["worker_reminders"]))
        data["reminders"] = [r.as_dict() for r in results]
        return report.reminders_markdown(results)

    def _load(self, organisation, options, data) -> str:
        from portal.operations.benchmark import load

        self.stdout.write(
            f"Load: {options['load_users']} users for {options['load_seconds']} s against "
            f"gunicorn with {options['load_workers']} workers"
        )
        results = load.run_load(
            organisation=organisation,
            seconds=options["load_seconds"],
            users=options["load_users"],
            workers=options["load_workers"],
            progress=self._progress,
        )
        data["load"] = {
            "users": options["load_users"],
            "seconds": options["load_seconds"],
            "workers": options["load_workers"],
            "results": [r.as_dict() for r in results],
        }
        return load.markdown(results)
