# The portal's production image: gunicorn for web, the same image for Celery.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=portal.settings.production

# WeasyPrint (printable resource packs) needs Pango, HarfBuzz and a font; the slim image
# has none of them.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

RUN useradd --create-home --uid 10001 portal
WORKDIR /app

COPY pyproject.toml README.md manage.py ./
COPY portal ./portal
COPY referrals ./referrals
COPY peergroups ./peergroups
COPY resources ./resources
COPY templates ./templates
COPY static ./static
RUN pip install --no-cache-dir . \
    && mkdir -p /app/staticfiles /var/lib/portal/beat \
    && chown -R portal:portal /app/staticfiles /var/lib/portal

USER portal
EXPOSE 8000
# portal/gunicorn_conf.py: an access log whose lines are scrubbed of secrets and
# personal data, as every other log line is.
CMD ["gunicorn", "portal.wsgi:application", "--config", "python:portal.gunicorn_conf", \
     "--bind", "0.0.0.0:8000", "--workers", "3"]
