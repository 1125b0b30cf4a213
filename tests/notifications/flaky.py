"""An SMS backend that fails a set number of times, for retry tests."""


class FlakySmsBackend:
    failures_left = 0
    sent: list[str] = []

    def send(self, *, to: str, body: str, sender: str, reference: str = "") -> str:
        if FlakySmsBackend.failures_left > 0:
            FlakySmsBackend.failures_left -= 1
            raise ConnectionError("provider unavailable")
        FlakySmsBackend.sent.append(body)
        return f"flaky-{len(FlakySmsBackend.sent)}"
