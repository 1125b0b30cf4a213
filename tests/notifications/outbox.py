"""An SMS backend that appends each message to a file: the outbox a test can count, even
when the messages were sent by worker processes it started."""

import fcntl
import os
import uuid


class FileOutboxSmsBackend:
    def send(self, *, to: str, body: str, sender: str) -> str:
        message_id = str(uuid.uuid4())
        with open(os.environ["TEST_SMS_OUTBOX"], "a") as outbox:
            fcntl.flock(outbox, fcntl.LOCK_EX)
            outbox.write(f"{to}\t{message_id}\n")
        return message_id
