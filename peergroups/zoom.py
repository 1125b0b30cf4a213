"""A client for the parts of Zoom's REST API the portal uses, with Server-to-Server OAuth.

- The access token is fetched with the account's credentials and cached until shortly
  before it expires; a 401 drops it and fetches a new one, once. The cache is keyed by
  the organisation and a keyed hash of all three credentials, the secret included:
  another organisation typing the same account and client ids cannot reach the token,
  and neither can anyone with the wrong secret.
- A 429 waits for Retry-After; a 5xx or a dropped connection retries with exponential
  back-off and jitter; anything still failing raises ``ZoomError``.
- Every answer is read through the portal's limited JSON reader and checked for the
  fields used: an answer that is not JSON, too large or deep, or lacks a field (a proxy's
  error page with a 200, a changed API) is a ``ZoomError`` like any refusal, never a
  crash of the job that asked.
- Meetings are private by default: waiting room on, recording off, no joining before
  the host, and a passcode. Titles never say what the group is about.
"""

from __future__ import annotations

import logging
import random
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

import requests
from django.core.cache import cache
from django.utils.crypto import salted_hmac

from portal.core.json_limits import JsonBodyError, json_loads_limited

logger = logging.getLogger(__name__)

LONDON = ZoneInfo("Europe/London")
API_BASE = "https://api.zoom.us/v2"
OAUTH_URL = "https://zoom.us/oauth/token"
TIMEOUT_SECONDS = 10
MAX_ATTEMPTS = 4
MAX_RETRY_AFTER_SECONDS = 60
# Zoom's answers used here are a few kilobytes; a meeting's, with its settings, the most.
MAX_ANSWER_BYTES = 256 * 1024


class ZoomError(Exception):
    """Zoom refused or could not be reached after retrying; the message has no secrets."""


@dataclass(frozen=True, kw_only=True)
class ZoomCredentials:
    """One organisation's Server-to-Server OAuth app."""

    organisation_id: str
    account_id: str
    client_id: str
    client_secret: str = field(repr=False)

    @property
    def fingerprint(self) -> str:
        """A keyed hash of the three credentials together (the secret never appears in
        a cache key or a column): what a cached token and Zoom's acceptance belong to."""
        joined = "\0".join((self.account_id, self.client_id, self.client_secret))
        return salted_hmac("peergroups.zoom.credentials", joined, algorithm="sha256").hexdigest()


@dataclass(frozen=True)
class ZoomMeeting:
    id: str
    join_url: str
    passcode: str


class ZoomClient:
    def __init__(
        self,
        credentials: ZoomCredentials,
        *,
        api_base: str = API_BASE,
        oauth_url: str = OAUTH_URL,
        sleep: Callable[[float], None] = time.sleep,
        session: requests.Session | None = None,
    ):
        self.credentials = credentials
        self.api_base = api_base.rstrip("/")
        self.oauth_url = oauth_url
        self.sleep = sleep
        self.http = session or requests.Session()

    # --- Tokens -----------------------------------------------------------------------

    @property
    def _token_cache_key(self) -> str:
        credentials = self.credentials
        return f"zoom-token:{credentials.organisation_id}:{credentials.fingerprint}"

    def _fetch_token(self) -> str:
        response = self._send(
            "POST",
            self.oauth_url,
            params={"grant_type": "account_credentials", "account_id": self.credentials.account_id},
            auth=(self.credentials.client_id, self.credentials.client_secret),
        )
        if response.status_code != 200:
            raise ZoomError(f"Zoom refused the account credentials ({response.status_code}).")
        body = _answer(response, "POST /oauth/token")
        token = _text_field(body, "access_token", "POST /oauth/token")
        try:
            lifetime = int(body.get("expires_in", 3600))
        except (TypeError, ValueError):
            lifetime = 3600
        # Renew a minute early so a token never expires mid-request.
        cache.set(self._token_cache_key, token, max(lifetime - 60, 1))
        return token

    def _token(self) -> str:
        return cache.get(self._token_cache_key) or self._fetch_token()

    def check_credentials(self) -> None:
        """Ask Zoom for a new token with these credentials; ZoomError if it refuses (or
        cannot be reached). Only ever from a background job."""
        self._fetch_token()

    # --- Requests ---------------------------------------------------------------------

    def _send(self, method: str, url: str, **kwargs) -> requests.Response:
        """One request with retries for rate limits, server errors and network failures."""
        for attempt in range(1, MAX_ATTEMPTS + 1):
            try:
                response = self.http.request(method, url, timeout=TIMEOUT_SECONDS, **kwargs)
            except requests.RequestException as error:
                if attempt == MAX_ATTEMPTS:
                    raise ZoomError(
                        f"Zoom could not be reached ({type(error).__name__})."
                    ) from error
                self.sleep(self._backoff(attempt))
                continue
            if response.status_code == 429 and attempt < MAX_ATTEMPTS:
                self.sleep(self._retry_after(response, attempt))
                continue
            if response.status_code >= 500 and attempt < MAX_ATTEMPTS:
                self.sleep(self._backoff(attempt))
                continue
            return response
        raise AssertionError("unreachable")  # pragma: no cover

    @staticmethod
    def _backoff(attempt: int) -> float:
        return min(2 ** (attempt - 1), 30) * (0.5 + random.random() / 2)  # noqa: S311 - jitter  # nosec B311

    def _retry_after(self, response: requests.Response, attempt: int) -> float:
        try:
            return min(float(response.headers.get("Retry-After", "")), MAX_RETRY_AFTER_SECONDS)
        except ValueError:
            return self._backoff(attempt)

    def _api(self, method: str, path: str, **kwargs) -> requests.Response:
        url = f"{self.api_base}{path}"
        response = self._send(
            method, url, headers={"Authorization": f"Bearer {self._token()}"}, **kwargs
        )
        if response.status_code == 401:
            # The token expired or was revoked: one new token, one more try.
            cache.delete(self._token_cache_key)
            response = self._send(
                method, url, headers={"Authorization": f"Bearer {self._fetch_token()}"}, **kwargs
            )
        if response.status_code >= 400:
            raise ZoomError(f"Zoom answered {response.status_code} to {method} {path}.")
        return response

    # --- Meetings ---------------------------------------------------------------------

    @staticmethod
    def _meeting_body(
        *, topic: str, starts_at: datetime, duration_minutes: int, registration: bool
    ) -> dict:
        return {
            "topic": topic,
            "type": 2,
            # Zoom takes the local wall-clock time plus the time zone name.
            "start_time": starts_at.astimezone(LONDON).strftime("%Y-%m-%dT%H:%M:%S"),
            "timezone": "Europe/London",
            "duration": duration_minutes,
            "settings": {
                "waiting_room": True,
                "join_before_host": False,
                "auto_recording": "none",
                "mute_upon_entry": True,
                "approval_type": 0 if registration else 2,
                "registrants_email_notification": False,
                "meeting_authentication": False,
            },
        }

    def create_meeting(
        self, *, topic: str, starts_at: datetime, duration_minutes: int, registration: bool = False
    ) -> ZoomMeeting:
        body = self._meeting_body(
            topic=topic,
            starts_at=starts_at,
            duration_minutes=duration_minutes,
            registration=registration,
        )
        body["password"] = secrets.token_hex(4)
        asked = "POST /users/me/meetings"
        data = _answer(self._api("POST", "/users/me/meetings", json=body), asked)
        meeting_id = data.get("id")
        if isinstance(meeting_id, bool) or not isinstance(meeting_id, int | str) or not meeting_id:
            raise ZoomError(f"Zoom's answer to {asked} has no meeting id.")
        passcode = data.get("password", "")
        return ZoomMeeting(
            id=str(meeting_id),
            join_url=_text_field(data, "join_url", asked),
            passcode=passcode if isinstance(passcode, str) else "",
        )

    def update_meeting(
        self,
        meeting_id: str,
        *,
        topic: str,
        starts_at: datetime,
        duration_minutes: int,
        registration: bool = False,
    ) -> None:
        body = self._meeting_body(
            topic=topic,
            starts_at=starts_at,
            duration_minutes=duration_minutes,
            registration=registration,
        )
        self._api("PATCH", f"/meetings/{meeting_id}", json=body)

    def delete_meeting(self, meeting_id: str) -> None:
        try:
            self._api("DELETE", f"/meetings/{meeting_id}")
        except ZoomError as error:
            if "404" not in str(error):  # already gone is what we wanted
                raise

    def add_registrant(self, meeting_id: str, *, first_name: str, email: str) -> tuple[str, str]:
        """Register one participant; returns (registrant id, their own join link)."""
        asked = "POST /meetings/…/registrants"
        response = self._api(
            "POST",
            f"/meetings/{meeting_id}/registrants",
            json={"first_name": first_name or "Guest", "email": email},
        )
        data = _answer(response, asked)
        registrant_id = data.get("registrant_id")
        if not isinstance(registrant_id, int | str) or isinstance(registrant_id, bool):
            raise ZoomError(f"Zoom's answer to {asked} has no registrant id.")
        return str(registrant_id), _text_field(data, "join_url", asked)

    def cancel_registrant(self, meeting_id: str, registrant_id: str) -> None:
        self._api(
            "PUT",
            f"/meetings/{meeting_id}/registrants/status",
            json={"action": "cancel", "registrants": [{"id": registrant_id}]},
        )


def _answer(response: requests.Response, asked: str) -> dict:
    """Zoom's answer as a JSON object, or ZoomError. The message names the request, never
    what came back (it might echo a credential)."""
    try:
        data = json_loads_limited(response.content, max_bytes=MAX_ANSWER_BYTES)
    except JsonBodyError as error:
        raise ZoomError(f"Zoom's answer to {asked} could not be read ({error.code}).") from None
    if not isinstance(data, dict):
        raise ZoomError(f"Zoom's answer to {asked} is not a JSON object.")
    return data


def _text_field(data: dict, name: str, asked: str) -> str:
    value = data.get(name)
    if not isinstance(value, str) or not value:
        raise ZoomError(f"Zoom's answer to {asked} has no {name}.")
    return value
