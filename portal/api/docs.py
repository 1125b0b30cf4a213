"""The schema and its two readers (Swagger UI and Redoc), served from the portal's own
static files. Public: they describe the API and hold nothing about anyone."""

from csp.decorators import csp_update
from django.utils.decorators import method_decorator
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerSplitView,
)
from rest_framework.permissions import AllowAny

# Both readers set inline styles from their scripts, and Redoc draws its logo from a
# data: URL and runs its search in a blob: worker. Only these two pages are relaxed.
_READER_CSP = csp_update(
    {"style-src": ["'unsafe-inline'"], "img-src": ["data:"], "worker-src": ["blob:"]}
)


class OpenToAll:
    """No sign-in, no key, no throttle: these pages only describe the API."""

    portal_public = True
    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_classes = []


class SchemaView(OpenToAll, SpectacularAPIView):
    pass


@method_decorator(_READER_CSP, name="dispatch")
class SwaggerView(OpenToAll, SpectacularSwaggerSplitView):
    template_name = "api/swagger_ui.html"


@method_decorator(_READER_CSP, name="dispatch")
class RedocView(OpenToAll, SpectacularRedocView):
    template_name = "api/redoc.html"
