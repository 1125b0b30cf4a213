"""An SMS backend that appends each message to a file: the outbox a test can count, even
when the messages were sent by worker processes it started. Like a real provider's API,
it can be asked whether it already has a message with a given reference. Each line is
the number, the provider's id, the reference and the moment it was sent (ISO, UTC)."""

import fcntl
import os
import uuid
from datetime import UTC, datetime


class FileOutboxSmsBackend:
    def send(self, *, to: str, body: str, sender: str, reference: str = "") -> str:
        message_id = str(uuid.uuid4())
        with open(os.environ["TEST_SMS_OUTBOX"], "a") as outbox:
            fcntl.flock(outbox, fcntl.LOCK_EX)
            sent_at = datetime.now(UTC).isoformat()
            outbox.write(f"{to}\t{message_id}\t{reference}\t{sent_at}\n")
        return message_id

    def sent_with_reference(self, reference: str) -> str | None:
        path = os.environ["TEST_SMS_OUTBOX"]
        if not os.path.exists(path):
            return None
        with open(path) as outbox:
            for line in outbox:
                _to, message_id, sent_reference, _sent_at = line.rstrip("\n").split("\t")
                if reference and sent_reference == reference:
                    return message_id
        return None
