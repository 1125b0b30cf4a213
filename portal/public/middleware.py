"""No page of the portal is kept in a browser's or a proxy's cache.

A family member may share a device with the person under investigation: the back
button or a cached copy must not bring a page back once they have left it.
"""

from django.utils.cache import add_never_cache_headers, patch_cache_control


class NoStoreMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not request.path.startswith("/static/"):
            add_never_cache_headers(response)
            patch_cache_control(response, private=True)
        return response
