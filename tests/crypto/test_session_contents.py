"""Nothing a person types is kept readable in a session.

Sessions are stored in the database signed, not encrypted: whoever holds a copy of the
database can read every one. So each place the portal's own code writes into a session
is listed here with what it keeps, and a new one fails until someone decides it keeps
nothing personal (form answers belong in an encrypted row, as the self-referral's draft
does: ``referrals.SelfReferralDraft``).
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OUR_CODE = ("portal", "referrals", "peergroups", "resources")
WRITING_METHODS = {"update", "setdefault", "__setitem__"}

IDS = "ids of records, never their contents"
SESSION_WRITES_ALLOWED = {
    "referrals/selfreferral.py: self.key": "the random id of the visitor's encrypted draft row",
    "referrals/selfreferral.py: self.done_key": (
        "the sent referral's id, a made-up reference for a spam sender, and the submission key"
    ),
    "referrals/access.py: SESSION_KEY": IDS + " (referrals a reason was given for)",
    "referrals/links/grants.py: GRANTS_SESSION_KEY": (
        IDS + " (the private links opened, and their referrals) and times"
    ),
    "peergroups/views_participant.py: CONTACT_STOPPED_SESSION_KEY": (
        IDS + " (the referral whose contact the visitor stopped, in place of its grant)"
    ),
    "portal/accounts/signals.py: SESSION_STARTED_KEY": "a time",
    "portal/accounts/signals.py: SESSION_LAST_ACTIVITY_KEY": "a time",
    "portal/accounts/middleware.py: SESSION_STARTED_KEY": "a time",
    "portal/accounts/middleware.py: SESSION_LAST_ACTIVITY_KEY": "a time",
    "portal/operations/benchmark/measure.py: DEVICE_ID_SESSION_KEY": (
        "the benchmark's own test user's device id"
    ),
    "portal/operations/benchmark/measure.py: PASSKEY_REQUIRED_SESSION_KEY": (
        "whether passkeys are required"
    ),
    "portal/accounts/passkeys.py: PASSKEY_REQUIRED_SESSION_KEY": "whether passkeys are required",
    "portal/accounts/views.py: PASSKEY_REQUIRED_SESSION_KEY": "whether passkeys are required",
    "portal/accounts/views.py: BACKUP_CODES_SESSION_KEY": (
        "new backup codes for the one page that shows them, which takes them out again"
    ),
}


def _is_session(node: ast.AST) -> bool:
    return ast.unparse(node).split(".")[-1] == "session"


def session_writes(root: Path = ROOT) -> set[str]:
    """'file: key' for each place our code writes into a session (tests and migrations aside)."""
    found = set()
    for package in OUR_CODE:
        for path in sorted((root / package).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            name = path.relative_to(root).as_posix()
            for node in ast.walk(ast.parse(path.read_text(), filename=name)):
                targets = []
                if isinstance(node, ast.Assign):
                    targets = node.targets
                elif isinstance(node, ast.AugAssign | ast.AnnAssign):
                    targets = [node.target]
                for target in targets:
                    if isinstance(target, ast.Subscript) and _is_session(target.value):
                        found.add(f"{name}: {ast.unparse(target.slice)}")
                if (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Attribute)
                    and node.func.attr in WRITING_METHODS
                    and _is_session(node.func.value)
                ):
                    found.add(f"{name}: session.{node.func.attr}({ast.unparse(node)[:60]}…)")
    return found


def test_every_session_write_is_one_somebody_decided_keeps_nothing_personal():
    found = session_writes()
    unexplained = found - set(SESSION_WRITES_ALLOWED)
    assert not unexplained, (
        "These put something into a session, which the database keeps readable. Keep "
        "form answers and other personal data in an encrypted row and put only its id "
        "in the session; then add the write here with what it keeps: "
        f"{sorted(unexplained)}"
    )
    assert not set(SESSION_WRITES_ALLOWED) - found, "stale allow-list entries"


def test_the_scan_finds_each_way_of_writing_into_a_session(tmp_path):
    package = tmp_path / "portal"
    package.mkdir()
    (package / "example.py").write_text(
        "def view(request, self):\n"
        "    request.session['answers'] = request.POST\n"
        "    self.session[KEY] += 1\n"
        "    request.session.update(name='x')\n"
        "    request.session.setdefault('email', 'x')\n"
        "    request.session.get('read-only')\n"
        "    request.sessions_held['not-a-session'] = 1\n"
    )
    found = session_writes(tmp_path)
    assert {entry.split(": ", 1)[1][:20] for entry in found} == {
        "'answers'",
        "KEY",
        "session.update(reque",
        "session.setdefault(r",
    }
