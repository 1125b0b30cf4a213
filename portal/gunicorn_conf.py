"""gunicorn's configuration for the portal: ``gunicorn --config python:portal.gunicorn_conf``
(docker-compose.yml and the Dockerfile start it so).

gunicorn writes its own access and error logs, outside Django's ``LOGGING``. Its logger
here scrubs them as every Django handler is scrubbed (``portal/core/log_scrubbing.py``):
a private link's secret, every query-string value, email addresses and telephone
numbers never reach a line. The request line, status, size and user agent stay.
"""

from __future__ import annotations

from gunicorn import glogging

from portal.core.log_scrubbing import add_scrubbing_filter, scrub, scrub_query_string

# The access log goes to standard output, beside the application's own log lines.
accesslog = "-"


class ScrubbedAtoms(glogging.SafeAtoms):
    """The access log's values, each scrubbed as it is put into the line.

    The whole line is scrubbed again by the handlers' filter; this catches what the line
    alone cannot show to be a query string or a URL (``%(q)s``, a header's value).
    """

    def __getitem__(self, key: str):
        value = super().__getitem__(key)
        if not isinstance(value, str):
            return value
        if key == "q":
            return scrub_query_string(value)
        return scrub(value)


class ScrubbingLogger(glogging.Logger):
    """gunicorn's logger, whose every handler scrubs what it writes."""

    atoms_wrapper_class = ScrubbedAtoms

    def setup(self, cfg) -> None:
        # Run again on a configuration reload (HUP), which replaces the handlers.
        super().setup(cfg)
        add_scrubbing_filter(self.error_log.handlers)
        add_scrubbing_filter(self.access_log.handlers)


logger_class = ScrubbingLogger
