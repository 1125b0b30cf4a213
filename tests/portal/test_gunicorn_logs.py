"""gunicorn, started as production starts it, writes no private link's secret and no
person's details to any log.

The server is the web service's own command from docker-compose.yml, under the
production settings, on the test database. It is sent every kind of private link (and
its CSRF failure, a link with a query string, a link in a Referer header), a 404 with an
email address in its path, and failed sign-ins; it sends messages, a self-referral's
acknowledgement by text and a pack's link by email, through a local SMTP server and a
local fake of GOV.UK Notify (production refuses the console backends that printed
them); then everything it wrote, its access log, its error log and the application's
log lines alike, is searched for every secret, address and phone number.
"""

from __future__ import annotations

import http.client
import io
import os
import re
import secrets
import shlex
import signal
import socket
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote, urlencode

import gunicorn
import pytest
import yaml
from django.conf import settings
from gunicorn.config import Config

from portal.core.log_scrubbing import REDACTED
from portal.gunicorn_conf import ScrubbingLogger
from portal.operations.benchmark.measure import signed_in_client
from portal.operations.benchmark.processes import database_url
from portal.organisations.roles import Role
from resources.models import Resource
from tests.factories import MembershipFactory, TOTPDeviceFactory, UserFactory
from tests.notifications.fake_providers import FakeNotify, SmtpInbox
from tests.portal.private_links import INVITED_EMAIL, every_kind_of_private_link
from tests.production_environment import production_environment
from tests.referrals.factories import make_referral
from tests.referrals.test_self_referral import ANSWERS

ROOT = Path(__file__).resolve().parents[2]
HOST = "127.0.0.1"
STARTUP_SECONDS = 60
# Static files the pages here do not need; collecting them takes most of the time.
STATIC_NOT_NEEDED = ("drf_spectacular_sidecar", "admin", "rest_framework")

STRANGER_EMAIL = "someone.else@example.org"
# The people messages are sent to, and what must never be logged of them.
SELF_REFERRER = {"full_name": "Quentin Canarywood", "email": "quentin.c@example.org"}
SELF_REFERRER_PHONE = ("07911 123789", "07911123789", "+447911123789")
PACK_RECIPIENT_EMAIL = "pack.recipient@example.org"
PRIVATE_LINK = re.compile(r"https?://[^\s\"'<>]+")


def production_gunicorn_words() -> list[str]:
    """The web service's gunicorn command from docker-compose.yml, as words."""
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    command = compose["services"]["web"]["command"]
    words = shlex.split(command)
    if words[:2] == ["sh", "-c"]:
        for part in " ".join(words[2:]).split("&&"):
            part_words = shlex.split(part)
            if part_words and part_words[0] == "exec":
                part_words = part_words[1:]
            if part_words and part_words[0] == "gunicorn":
                return part_words
    raise AssertionError("docker-compose.yml's web service does not run gunicorn")


def test_the_image_starts_gunicorn_with_the_same_configuration_as_compose():
    """The Dockerfile's own command (used when the image is run without compose) must
    scrub its logs too."""
    dockerfile = (ROOT / "Dockerfile").read_text()
    cmd = re.search(r"^CMD (\[.*?\])\s*$", dockerfile.replace("\\\n", ""), re.M | re.S)
    assert cmd, "the Dockerfile has no CMD"
    words = yaml.safe_load(cmd.group(1))
    compose = production_gunicorn_words()
    for words_ in (words, compose):
        assert words_[0] == "gunicorn"
        assert "python:portal.gunicorn_conf" in words_, words_
        config = words_[words_.index("python:portal.gunicorn_conf") - 1]
        assert config in ("-c", "--config")
        # Options given after the configuration would override it; none may change logging.
        for option in ("--access-logfile", "--access-logformat", "--logger-class", "--log-config"):
            assert option not in words_, f"{option} overrides portal/gunicorn_conf.py"


def test_the_access_log_scrubs_what_the_line_alone_cannot_show(capsys):
    """A custom access-log format with the query string (``%(q)s``) or a header on its
    own: the values are scrubbed before they are put into the line."""
    config = Config()
    config.set("accesslog", "-")
    config.set("access_log_format", '%(m)s %(U)s %(q)s "%({referer}i)s"')
    logger = ScrubbingLogger(config)
    token = "Yk3dDqRWbTnLhHvFcXaQsPzEjMuKoGiBwCtNyAxZv_e"
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": f"/groups/my-place/{token}/?email=jane.doe@example.org",
        "PATH_INFO": f"/groups/my-place/{token}/",
        "QUERY_STRING": "email=jane.doe@example.org&from=leaflet",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_REFERER": f"https://portal.example.org/refer/withdraw/{token}/",
    }

    class Response:
        status = "302 Found"
        headers = ()
        sent = 0

    request = type("Request", (), {"headers": [("REFERER", environ["HTTP_REFERER"])]})()
    logger.access(Response(), request, environ, timedelta(seconds=0))
    written = capsys.readouterr().out
    assert written.startswith("GET /groups/my-place/"), written
    assert token not in written and "jane.doe@example.org" not in written
    assert "email=[redacted]&from=[redacted]" in written
    for handler in logger.error_log.handlers + logger.access_log.handlers:
        assert any(type(f).__name__ == "ScrubbingFilter" for f in handler.filters), handler


# --- gunicorn itself ---------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def _server_environment(
    static_root: Path, *, port: int = 0, smtp: SmtpInbox | None = None, notify=None
) -> dict[str, str]:
    environment = production_environment(
        leave_out=("PYTHONWARNINGS",),
        DATABASE_URL=database_url(),
        # This process's secret and keys: the links made here are signed, hashed and
        # encrypted with them.
        SECRET_KEY=settings.SECRET_KEY,
        FIELD_ENCRYPTION_KEYS=",".join(settings.FIELD_ENCRYPTION_KEYS),
        LOOKUP_HASH_KEYS=",".join(settings.LOOKUP_HASH_KEYS),
        ALLOWED_HOSTS=HOST,
        # Plain http on loopback with no proxy in front.
        SECURE_SSL_REDIRECT="false",
        TRUSTED_PROXY_COUNT="0",
        CELERY_BROKER_URL="memory://",
        CACHE_URL="locmemcache://",
        # Messages really leave, through local providers: production refuses the
        # console backends, which printed them (links, numbers and all) in the log.
        EMAIL_URL=smtp.url if smtp else "smtp://127.0.0.1:1",
        DEFAULT_FROM_EMAIL=settings.DEFAULT_FROM_EMAIL,
        PORTAL_BASE_URL=f"http://{HOST}:{port}",
        STATIC_ROOT=str(static_root),
        LOG_LEVEL="DEBUG",
    )
    if notify is not None:
        environment.update(notify.environment())
    return environment


def _collect_static(environment: dict[str, str]) -> None:
    command = [sys.executable, "-m", "django", "collectstatic", "--noinput", "--verbosity", "0"]
    for pattern in STATIC_NOT_NEEDED:
        command += ["--ignore", pattern]
    result = subprocess.run(
        command, env=environment, cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr


def _server_command(port: int) -> list[str]:
    words = production_gunicorn_words()[1:]
    if "--bind" in words:
        words[words.index("--bind") + 1] = f"{HOST}:{port}"
    else:
        words += ["--bind", f"{HOST}:{port}"]
    if "--workers" in words:
        words[words.index("--workers") + 1] = "2"
    command = [sys.executable, "-m", "gunicorn", *words, "--chdir", str(ROOT)]
    command += ["--graceful-timeout", "5"]
    if gunicorn.version_info >= (25,):
        # Its control socket lives in one place per user: two servers would share it.
        command.append("--no-control-socket")
    return command


class Server:
    def __init__(self, port: int):
        self.port = port

    def request(self, method, path, *, headers=None, body=None):
        connection = http.client.HTTPConnection(HOST, self.port, timeout=30)
        try:
            connection.request(method, path, body=body, headers={"Host": HOST, **(headers or {})})
            response = connection.getresponse()
            return response.status, response.getheaders(), response.read().decode(errors="replace")
        finally:
            connection.close()


def _wait_until_up(process: subprocess.Popen, server: Server, output) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        assert process.poll() is None, f"gunicorn exited:\n{output()}"
        try:
            status, _, _ = server.request("GET", "/health/")
        except OSError:
            time.sleep(0.2)
            continue
        if status in (200, 503):
            return
        time.sleep(0.2)
    raise AssertionError(f"gunicorn did not answer within {STARTUP_SECONDS} s:\n{output()}")


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)


def _cookies(headers) -> dict[str, str]:
    found = {}
    for name, value in headers:
        if name.lower() == "set-cookie":
            pair = value.split(";", 1)[0]
            key, _, cookie = pair.partition("=")
            found[key.strip()] = cookie.strip()
    return found


class Browser:
    """One visitor to the server: keeps its cookies and sends its forms with their CSRF
    token, as a browser would."""

    def __init__(self, server: Server, cookies: dict[str, str] | None = None):
        self.server = server
        self.cookies = dict(cookies or {})

    def _send(self, method: str, path: str, body: str | None = None):
        headers = {"User-Agent": "Mozilla/5.0 (test)"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        status, response_headers, page = self.server.request(
            method, path, headers=headers, body=body
        )
        self.cookies.update(_cookies(response_headers))
        return status, page

    def get(self, path: str) -> str:
        status, page = self._send("GET", path)
        assert status == 200, (path, status, page[:1000])
        return page

    def post(self, path: str, data: dict, *, page: str | None = None) -> tuple[int, str]:
        """Send ``data`` as the form on ``page`` (fetched from ``path`` if not given)."""
        page = page if page is not None else self.get(path)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        body = urlencode({"csrfmiddlewaretoken": token, **data}, doseq=True)
        return self._send("POST", path, body)


def _refer_oneself(server: Server, organisation) -> None:
    """The whole self-referral, page by page, asking for texts only."""
    browser = Browser(server)
    path = f"/refer/{organisation.slug}/"
    answers = {
        **ANSWERS,
        "about-you": {**SELF_REFERRER, "phone": SELF_REFERRER_PHONE[0]},
        "safe-contact": {**ANSWERS["safe-contact"], "safe_channels": ["text"]},
    }
    browser.post(path, {"go": next(iter(answers))})
    for step, data in answers.items():
        status, page = browser.post(path, {"step": step, **data})
        assert status in (302, 303), (step, status, page[:1000])
    check = browser.get(path)
    found = re.search(r'name="submission_key" value="([^"]+)"', check)
    assert found, re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", check))[:3000]
    key = found.group(1)
    status, page = browser.post(path, {"submission_key": key}, page=check)
    assert status in (302, 303), (status, page[:1000])


def _send_a_pack_by_link(server: Server, caseworker, referral) -> None:
    """A caseworker sends a pack from the referral's page: preview, then send."""
    session = signed_in_client(caseworker).cookies[settings.SESSION_COOKIE_NAME].value
    browser = Browser(server, {"__Host-portal_session": session})
    path = f"/staff/resources/send/{referral.pk}/"
    resources = Resource.objects.shared().filter(status=Resource.Status.PUBLISHED)[:2]
    data = {"title": "Information for you", "method": "link"}
    data.update({f"order_{r.pk}": str(n) for n, r in enumerate(resources, start=1)})
    status, preview = browser.post(path, {**data, "step": "preview"})
    assert status == 200, preview[:1000]
    fingerprint = re.search(r'name="fingerprint" value="([^"]+)"', preview).group(1)
    status, page = browser.post(
        path, {**data, "step": "send", "fingerprint": fingerprint}, page=preview
    )
    assert status == 302, page[:1000]


def _secrets_in(text: str) -> set[str]:
    """Every private link's secret in a message: the last part of a link's path, when it
    is long enough to be one (an organisation's slug in a link is no secret)."""
    found = set()
    for link in PRIVATE_LINK.findall(text):
        last = link.rstrip("/").rsplit("/", 1)[1]
        if len(last) >= 20:
            found.add(last)
    return found


def _fail_to_sign_in(server: Server, email: str) -> None:
    status, headers, page = server.request("GET", "/accounts/login/")
    assert status == 200, page[:500]
    cookies = _cookies(headers)
    csrf_cookie = next(name for name in cookies if name.endswith("csrf"))
    form_token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    status, _, page = server.request(
        "POST",
        "/accounts/login/",
        headers={
            "Cookie": f"{csrf_cookie}={cookies[csrf_cookie]}",
            "Content-Type": "application/x-www-form-urlencoded",
            "User-Agent": "Mozilla/5.0 (test)",
        },
        body=urlencode({"csrfmiddlewaretoken": form_token, "login": email, "password": "wrong"}),
    )
    assert status in (200, 429), page[:500]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_gunicorn_under_the_production_settings_logs_no_secret_and_no_personal_data(
    organisation_a, tmp_path
):
    cases = every_kind_of_private_link(organisation_a)
    staff = UserFactory(email="staff.member@charity.example")
    caseworker = UserFactory(email="pack.sender@charity.example")
    TOTPDeviceFactory(user=caseworker)
    MembershipFactory(user=caseworker, organisation=organisation_a, role=Role.CASEWORKER)
    pack_recipient = make_referral(
        organisation_a, email=PACK_RECIPIENT_EMAIL, safe_channels=["email"]
    )
    port = _free_port()
    smtp, notify = SmtpInbox().start(), FakeNotify().start()
    environment = _server_environment(tmp_path / "static", port=port, smtp=smtp, notify=notify)
    _collect_static(environment)
    stdout_path, stderr_path = tmp_path / "stdout.log", tmp_path / "stderr.log"

    def output() -> str:
        return "".join(
            path.read_text(errors="replace") for path in (stdout_path, stderr_path) if path.exists()
        )

    with stdout_path.open("wb") as stdout, stderr_path.open("wb") as stderr:
        process = subprocess.Popen(
            _server_command(port),
            env=environment,
            cwd=ROOT,
            stdout=stdout,
            stderr=stderr,
            start_new_session=True,
        )
    server = Server(port)
    answers = []
    # A link mistyped or made up: each kind's page answers that it does not work.
    unknown = [case.path.replace(case.secret, secrets.token_urlsafe(32)) for case in cases]
    try:
        _wait_until_up(process, server, output)
        for case in cases:
            other = next(c for c in cases if c is not case)
            answers.append((case.kind, server.request("GET", case.path)[0]))
            # The same link pasted without its final slash, and with a query string.
            server.request("GET", case.path.rstrip("/"))
            query = urlencode({"email": STRANGER_EMAIL, "from": other.secret})
            server.request("GET", f"{case.path}?{query}")
            # Arriving from another private page (a browser's Referer).
            server.request("GET", "/", headers={"Referer": f"https://{HOST}{case.path}?{query}"})
            # A form sent without the CSRF cookie: Django logs a warning with the path.
            answers.append(
                (
                    f"{case.kind} (no CSRF cookie)",
                    server.request("POST", case.path, body="confirm=yes")[0],
                )
            )
        for path in unknown:
            answers.append(("unknown link", server.request("GET", path)[0]))
        # Messages sent by the server: an acknowledgement by text, a pack by email.
        _refer_oneself(server, organisation_a)
        _send_a_pack_by_link(server, caseworker, pack_recipient)
        # A 404 whose path holds an email address.
        server.request("GET", f"/groups/{quote(STRANGER_EMAIL)}/")
        server.request("GET", f"/nowhere/{STRANGER_EMAIL}/")
        # Failed sign-ins: a known account until it is locked, and an unknown address.
        for _ in range(settings.AXES_FAILURE_LIMIT + 1):
            _fail_to_sign_in(server, staff.email)
        _fail_to_sign_in(server, STRANGER_EMAIL)
    finally:
        _stop(process)
        smtp.stop()
        notify.stop()

    written = output()
    # The messages really left, through the providers, with their private links.
    [text] = [t for t in notify.texts if t["phone_number"] == SELF_REFERRER_PHONE[2]]
    [(_to, email)] = [m for m in smtp.messages if m[0] == [PACK_RECIPIENT_EMAIL]]
    sent_secrets = _secrets_in(text["personalisation"]["body"]) | _secrets_in(email)
    assert len(sent_secrets) >= 3, (text, email)
    # The server really wrote what is searched: access lines, Django's warnings, axes'.
    assert written.count(f"{REDACTED}") >= len(cases), written[-3000:]
    assert '"GET /accounts/login/ HTTP/1.1" 200' in written, written[-3000:]
    assert "Forbidden (CSRF cookie not set.)" in written, written[-3000:]
    assert "AXES: " in written and "login failure" in written, written[-3000:]
    assert any(status == 403 for kind, status in answers if "CSRF" in kind), answers

    assert any(status in (404, 410) for kind, status in answers if kind == "unknown link")
    assert "Not Found: " in written, written[-3000:]

    must_not_appear = {INVITED_EMAIL, STRANGER_EMAIL, staff.email, PACK_RECIPIENT_EMAIL}
    must_not_appear |= {*SELF_REFERRER.values(), *SELF_REFERRER_PHONE, *sent_secrets}
    for case in cases:
        must_not_appear |= {case.secret, quote(case.secret, safe="")}
    for path in unknown:
        must_not_appear.add(path.rstrip("/").rsplit("/", 1)[1])
    leaked = sorted(item for item in must_not_appear if item in written)
    assert not leaked, _leaked_lines(written, leaked)


def _leaked_lines(written: str, leaked: list[str]) -> str:
    lines = io.StringIO()
    for line in written.splitlines():
        if any(item in line for item in leaked):
            lines.write(line[:300] + "\n")
    return f"Logged: {leaked}\n{lines.getvalue()[:4000]}"
