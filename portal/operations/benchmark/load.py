"""The load test: the portal under gunicorn, driven by locust from a second process.

The in-process timings (measure.py) give the server's own time for one request at a
time. This stage asks the other question: how many requests a second the portal answers
when many callers arrive at once, and how slow the answers get, as seen by a client over
a real socket. It runs the production WSGI app under gunicorn on loopback, against the
same database as the process calling it, and drives the two busiest endpoints (a partner
agency sending a referral through the API, a caseworker opening the referral queue) with
locust running headless beside it.
"""

from __future__ import annotations

import csv
import http.client
import json
import os
import signal
import socket
import subprocess  # runs gunicorn and locust with this interpreter  # nosec B404
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import gunicorn
from django.conf import settings
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from portal.organisations.models import Organisation
from portal.organisations.roles import Role

from .measure import signed_in_client
from .processes import database_url
from .referral_bodies import referral_body
from .seed import api_key_beside, staff_of

Progress = Callable[[str], None]

LOCUSTFILE = Path(__file__).with_name("locustfile.py")
HOST = "127.0.0.1"
API_PATH = "/api/v1/referrals/"
HEALTH_PATH = "/health/"
# portal.settings.production names the session cookie so; that is the server's setting,
# whatever this process uses. The check before the run fails clearly if it ever changes.
SERVER_SESSION_COOKIE = "__Host-portal_session"
# The locustfile's two rows of statistics (method and name), and how they are reported.
ROWS = {
    ("POST", "/api/v1/referrals/"): "POST /api/v1/referrals/",
    ("GET", "caseworker queue"): "GET caseworker queue",
}
# Far above anything two cores can serve: the API's per-key throttle must never answer
# 429 here, because the load test measures the server, not the limiter.
UNTHROTTLED_RATE = "1000000/second"
# Gunicorn imports Django in every worker before it answers.
STARTUP_TIMEOUT_SECONDS = 60
STOP_TIMEOUT_SECONDS = 20
WARM_UP_REQUESTS_PER_WORKER = 3
# Static files the two endpoints never reference (the API's documentation bundles, the
# admin's and the browsable API's) take half a minute to compress; the server goes
# without them.
STATIC_NOT_NEEDED = ("drf_spectacular_sidecar", "admin", "rest_framework")


class LoadTestError(RuntimeError):
    """The load test could not run; the message says why."""


@dataclass(frozen=True)
class LoadResult:
    name: str
    requests: int
    failures: int
    rps: float
    p50_ms: float
    p95_ms: float

    def as_dict(self) -> dict:
        return asdict(self)


def run_load(
    *,
    organisation: Organisation,
    seconds: int,
    users: int,
    workers: int,
    progress: Progress = lambda message: None,
) -> list[LoadResult]:
    """Serve the portal with ``workers`` gunicorn workers and send it ``users`` callers'
    requests for ``seconds``; one result per endpoint."""
    if connection.vendor != "postgresql":
        raise LoadTestError(
            "The load test needs PostgreSQL: the server it starts runs the production "
            "settings, which refuse SQLite."
        )
    if connection.in_atomic_block:
        raise LoadTestError(
            "Run the load test outside a transaction: the server's own connections must "
            "see the key and the session prepared for it."
        )
    api_key, cookie_value = _credentials(organisation)
    session_cookie = f"{SERVER_SESSION_COOKIE}={cookie_value}"
    queue_path = reverse("referrals:queue")
    with tempfile.TemporaryDirectory(prefix="portal-load-") as scratch:
        folder = Path(scratch)
        environment = _server_environment(static_root=folder / "static")
        progress("collecting static files for the server")
        _collect_static(environment)
        port = _free_port()
        server_log = folder / "gunicorn.log"
        server = _start_server(environment, port=port, workers=workers, log=server_log)
        try:
            _wait_until_up(server, port=port, log=server_log)
            progress(f"gunicorn answering on {HOST}:{port} (workers: {workers})")
            _check_and_warm(
                port=port,
                api_key=api_key,
                session_cookie=session_cookie,
                queue_path=queue_path,
                warm_ups=workers * WARM_UP_REQUESTS_PER_WORKER,
                log=server_log,
            )
            progress(f"locust: {users} users for {seconds} s")
            return _drive(
                folder=folder,
                port=port,
                seconds=seconds,
                users=users,
                environment={
                    "PORTAL_LOAD_API_KEY": api_key,
                    "PORTAL_LOAD_SESSION_COOKIE": session_cookie,
                    "PORTAL_LOAD_QUEUE_PATH": queue_path,
                },
                progress=progress,
            )
        finally:
            _stop(server)


def markdown(results: list[LoadResult]) -> str:
    head = ["Endpoint under load", "requests", "failures", "requests/s", "p50 ms", "p95 ms"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in results:
        cells = [r.name, str(r.requests), str(r.failures), f"{r.rps:.1f}"]
        cells += [f"{r.p50_ms:.0f}", f"{r.p95_ms:.0f}"]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def _credentials(organisation: Organisation) -> tuple[str, str]:
    """An agency key for the API and a caseworker's signed-in, verified session."""
    caseworker = staff_of(organisation, Role.CASEWORKER)
    raw_key = api_key_beside(organisation, name=f"Load test {timezone.now():%H%M%S%f}")
    client = signed_in_client(caseworker)
    return raw_key, client.cookies[settings.SESSION_COOKIE_NAME].value


def _server_environment(*, static_root: Path) -> dict[str, str]:
    return {
        **os.environ,
        # The WSGI app's own settings, as in production.
        "DJANGO_SETTINGS_MODULE": "portal.settings.production",
        "DEBUG": "false",
        # The very same database as this process (inside the test suite, the test database).
        "DATABASE_URL": database_url(),
        # The same secret and keys as this process: the session prepared here is signed
        # with the secret, and the seeded personal data is encrypted and hashed with the
        # keys.
        "SECRET_KEY": settings.SECRET_KEY,
        "FIELD_ENCRYPTION_KEYS": ",".join(settings.FIELD_ENCRYPTION_KEYS),
        "LOOKUP_HASH_KEYS": ",".join(settings.LOOKUP_HASH_KEYS),
        "ALLOWED_HOSTS": HOST,
        # Plain http on loopback, with no proxy in front: nothing to redirect to https,
        # and the caller's address is the socket's.
        "SECURE_SSL_REDIRECT": "false",
        "TRUSTED_PROXY_COUNT": "0",
        # Neither endpoint queues a job or sends anything; these keep the server from
        # reaching for a broker, a shared cache or a mail server that may not be there.
        "CELERY_BROKER_URL": "memory://",
        "CACHE_URL": "locmemcache://",
        "EMAIL_URL": "dummymail://",
        "SMS_BACKEND": "portal.notifications.sms.LocmemSmsBackend",
        "DEFAULT_FROM_EMAIL": settings.DEFAULT_FROM_EMAIL,
        # We measure the server, not the limiter (see UNTHROTTLED_RATE).
        "API_RATE": UNTHROTTLED_RATE,
        "API_SUBMIT_RATE": UNTHROTTLED_RATE,
        "STATIC_ROOT": str(static_root),
    }


def _collect_static(environment: dict[str, str]) -> None:
    """The production settings serve static files from a collected manifest; this
    process's own may be a test double, so collect with the server's settings."""
    command = [sys.executable, "-m", "django", "collectstatic", "--noinput", "--verbosity", "0"]
    for pattern in STATIC_NOT_NEEDED:
        command += ["--ignore", pattern]
    result = subprocess.run(  # noqa: S603 - fixed arguments  # nosec B603
        command,
        env=environment,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if result.returncode != 0:
        raise LoadTestError(f"collectstatic for the load test's server failed:\n{result.stderr}")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def _start_server(
    environment: dict[str, str], *, port: int, workers: int, log: Path
) -> subprocess.Popen:
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "portal.wsgi:application",
        "--bind",
        f"{HOST}:{port}",
        "--workers",
        str(workers),
        "--chdir",
        str(settings.BASE_DIR),
        "--graceful-timeout",
        "5",
    ]
    if gunicorn.version_info >= (25,):
        # Its control socket lives in one place per user: two servers would share it.
        command.append("--no-control-socket")
    with log.open("wb") as output:
        # A session of its own, so that stopping it can reach its workers too.
        return subprocess.Popen(  # noqa: S603 - fixed arguments  # nosec B603
            command,
            env=environment,
            cwd=settings.BASE_DIR,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def _request(
    port: int, method: str, path: str, *, headers: dict[str, str], body: str | None = None
) -> tuple[int, str]:
    connection_ = http.client.HTTPConnection(HOST, port, timeout=30)
    try:
        connection_.request(method, path, body=body, headers=headers)
        response = connection_.getresponse()
        return response.status, response.read().decode(errors="replace")
    finally:
        connection_.close()


def _server_output(log: Path) -> str:
    text = log.read_text(errors="replace") if log.exists() else ""
    return text[-6000:] or "(nothing)"


def _wait_until_up(server: subprocess.Popen, *, port: int, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
    last = "no answer"
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise LoadTestError(
                f"gunicorn exited with status {server.returncode} before answering. "
                f"Its output:\n{_server_output(log)}"
            )
        try:
            status, body = _request(port, "GET", HEALTH_PATH, headers={})
        except OSError as error:
            last = str(error)
        else:
            # Up once it reaches the database; a scheduler heartbeat is not needed here.
            if status == 200:
                return
            last = f"{status} {body[:200]}"
        time.sleep(0.2)
    raise LoadTestError(
        f"gunicorn did not answer {HEALTH_PATH} within {STARTUP_TIMEOUT_SECONDS} s "
        f"(last: {last}). Its output:\n{_server_output(log)}"
    )


def _check_and_warm(
    *,
    port: int,
    api_key: str,
    session_cookie: str,
    queue_path: str,
    warm_ups: int,
    log: Path,
) -> None:
    """Fail now, clearly, if either credential is refused, rather than report a run of
    failures; the repeats warm each worker's templates and connection."""
    status, body = _request(
        port,
        "POST",
        API_PATH,
        headers={"Authorization": f"Api-Key {api_key}", "Content-Type": "application/json"},
        body=json.dumps(referral_body(0)),
    )
    if status != 201:
        raise LoadTestError(
            f"The API refused the load test's referral ({status}): {body[:500]}\n"
            f"Server output:\n{_server_output(log)}"
        )
    for _ in range(max(1, warm_ups)):
        status, body = _request(
            port, "GET", queue_path, headers={"Cookie": session_cookie, "Accept": "text/html"}
        )
        if status != 200:
            raise LoadTestError(
                f"The caseworker queue answered {status}, not 200, to the prepared session "
                f"(is the server's session cookie still {SERVER_SESSION_COOKIE}?): "
                f"{body[:300]}\nServer output:\n{_server_output(log)}"
            )


def _drive(
    *,
    folder: Path,
    port: int,
    seconds: int,
    users: int,
    environment: dict[str, str],
    progress: Progress,
) -> list[LoadResult]:
    stats = folder / "stats"
    failures = folder / "locust"
    command = [
        sys.executable,
        "-m",
        "locust",
        "-f",
        str(LOCUSTFILE),
        "--headless",
        "-u",
        str(users),
        "-r",
        str(users),
        "--run-time",
        f"{seconds}s",
        "--host",
        f"http://{HOST}:{port}",
        # The figures come from the JSON file, written once every user has stopped; the
        # CSV files are rewritten only every second or so, and their last version can
        # miss the run's final second. They are kept for the reasons requests failed.
        "--json-file",
        str(stats),
        "--csv",
        str(failures),
        "--only-summary",
    ]
    output = folder / "locust.log"
    with output.open("wb") as log:
        # Run from the scratch folder, so no locust.conf or pyproject.toml here is read.
        result = subprocess.run(  # noqa: S603 - fixed arguments  # nosec B603
            command,
            env={**os.environ, **environment},
            cwd=folder,
            stdout=log,
            stderr=subprocess.STDOUT,
            timeout=seconds + 120,
            check=False,
        )
    text = output.read_text(errors="replace")
    if "CPU usage" in text:
        progress("locust warned that its CPU was saturated: figures may be the generator's limit")
    stats_file = stats.with_suffix(".json")
    # Locust exits 1 when any request failed; that is a result, not a crash.
    if result.returncode not in (0, 1) or not stats_file.exists():
        raise LoadTestError(f"locust exited with status {result.returncode}:\n{text[-6000:]}")
    results = _results(json.loads(stats_file.read_text()))
    if any(r.failures for r in results):
        _report_failures(Path(f"{failures}_failures.csv"), progress)
    return results


def _report_failures(path: Path, progress: Progress) -> None:
    if not path.exists():
        return
    with path.open(newline="") as f:
        for row in csv.DictReader(f):
            progress(f"failed: {row['Method']} {row['Name']}: {row['Error']}")


def _percentile(response_times: dict[int, int], count: int, share: float) -> float:
    """As locust works it out: the time within which ``share`` of the requests finished."""
    within = int(count * share)
    seen = 0
    for milliseconds in sorted(response_times, reverse=True):
        seen += response_times[milliseconds]
        if count - seen <= within:
            return float(milliseconds)
    return 0.0


def _results(entries: list[dict]) -> list[LoadResult]:
    """One result per endpoint from locust's statistics: requests per second over the
    whole run, and response times in whole milliseconds, which locust keeps rounded to
    two significant figures above 100 ms."""
    by_row = {(e["method"], e["name"]): e for e in entries}
    ours = [e for key, e in by_row.items() if key in ROWS]
    # One span for both endpoints, from the first request of the run to its last.
    span = (
        max(e["last_request_timestamp"] for e in ours) - min(e["start_time"] for e in ours)
        if ours
        else 0.0
    )
    results = []
    for key, name in ROWS.items():
        entry = by_row.get(key)
        if entry is None:  # never requested at all: still a row, with nothing in it
            results.append(LoadResult(name, 0, 0, 0.0, 0.0, 0.0))
            continue
        times = {int(ms): n for ms, n in entry["response_times"].items()}
        timed = entry["num_requests"] - entry["num_none_requests"]
        results.append(
            LoadResult(
                name=name,
                requests=entry["num_requests"],
                failures=entry["num_failures"],
                rps=round(entry["num_requests"] / span, 2) if span > 0 else 0.0,
                p50_ms=_percentile(times, timed, 0.5),
                p95_ms=_percentile(times, timed, 0.95),
            )
        )
    return results


def _stop(server: subprocess.Popen) -> None:
    if server.poll() is not None:
        return
    server.terminate()
    try:
        server.wait(timeout=STOP_TIMEOUT_SECONDS)
    except subprocess.TimeoutExpired:
        # Its workers too: they are in the session it leads.
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()
