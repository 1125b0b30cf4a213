"""A broker that has stopped answering holds no request for long.

Redis can stop answering without closing its connections (a failover, a NAT or firewall
timeout, a host that froze). kombu then waits for ever by default, so a request that
queued a job (a sign-in lockout's email, a self-referral's acknowledgement, a Zoom
check) hung until gunicorn killed it. The production settings give the broker's
connection timeouts, and the job is left for later (portal/core/background.py).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.production_environment import production_environment
from tests.silent_server import silent_server

ROOT = Path(__file__).resolve().parents[2]

QUEUE_A_JOB = r"""
import json, time
import django
django.setup()
from django.db import transaction
# As the commit would run it; this probe has no database.
transaction.on_commit = lambda callback: callback()
from portal.core.background import task_queue_on_commit
from portal.notifications.tasks import deliver_message

started = time.monotonic()
task_queue_on_commit(deliver_message, 1)
print(json.dumps({"seconds": time.monotonic() - started}))
"""


@pytest.fixture
def silent_broker():
    """A Redis address that accepts connections and never answers."""
    with silent_server() as port:
        yield f"redis://127.0.0.1:{port}/0"


def test_queueing_a_job_gives_up_on_a_silent_broker(silent_broker):
    result = subprocess.run(
        [sys.executable, "-c", QUEUE_A_JOB],
        cwd=ROOT,
        env=production_environment(CELERY_BROKER_URL=silent_broker),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    seconds = json.loads(result.stdout.strip().splitlines()[-1])["seconds"]
    assert seconds < 10, f"queueing a job waited {seconds:.1f} seconds"
    assert "deliver_message not queued: the broker could not be reached" in result.stderr
