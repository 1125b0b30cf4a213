"""The load test's simulated callers, run by locust in a process of its own (see load.py).

Each simulated user alternates between the two busiest things the portal does: a partner
agency's case system sending a referral through the API, and a caseworker opening the
referral queue. Locust imports this file outside Django, so nothing here touches Django:
the API key and the caseworker's session cookie arrive in environment variables.
"""

from __future__ import annotations

import itertools
import json
import os

from locust import HttpUser, constant, task

# Locust puts this file's folder on the import path before loading it.
from referral_bodies import referral_body

API_KEY_VARIABLE = "PORTAL_LOAD_API_KEY"
SESSION_COOKIE_VARIABLE = "PORTAL_LOAD_SESSION_COOKIE"  # "name=value"
QUEUE_PATH_VARIABLE = "PORTAL_LOAD_QUEUE_PATH"

API_PATH = "/api/v1/referrals/"
# The names the two rows of locust's statistics carry; load.py reads them back.
API_NAME = API_PATH
QUEUE_NAME = "caseworker queue"

# One counter for every simulated user in this process, so no two bodies are the same.
_sent = itertools.count(1)


class Caller(HttpUser):
    # Barely a pause: the test measures how much the server can take, not how people pace
    # themselves; a short wait stops one user from monopolising the load generator.
    wait_time = constant(0.01)

    def on_start(self) -> None:
        self.api_headers = {
            "Authorization": f"Api-Key {os.environ[API_KEY_VARIABLE]}",
            "Content-Type": "application/json",
            "Accept": "application/json",
        }
        # Sent as a header rather than put in the cookie jar: the server's session cookie
        # is Secure and the jar would never send it over plain http on loopback.
        self.queue_headers = {
            "Cookie": os.environ[SESSION_COOKIE_VARIABLE],
            "Accept": "text/html",
        }
        self.queue_path = os.environ[QUEUE_PATH_VARIABLE]

    @task
    def send_referral(self) -> None:
        body = json.dumps(referral_body(next(_sent)))
        with self.client.post(
            API_PATH,
            data=body,
            headers=self.api_headers,
            name=API_NAME,
            catch_response=True,
        ) as response:
            if response.status_code != 201:
                response.failure(f"expected 201, got {response.status_code}")

    @task
    def open_queue(self) -> None:
        # Not following redirects: a redirect to the sign-in page is a failure, not a page.
        with self.client.get(
            self.queue_path,
            headers=self.queue_headers,
            name=QUEUE_NAME,
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if not 200 <= response.status_code < 300:
                response.failure(f"expected 200, got {response.status_code}")
