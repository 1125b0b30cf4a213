from django.conf import settings


def portal(request) -> dict:
    return {
        "portal_name": settings.PORTAL_NAME,
        "quick_exit_url": settings.QUICK_EXIT_URL,
    }
