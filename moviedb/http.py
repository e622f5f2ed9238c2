"""What the site answers at the HTTP level, whatever the page: the methods public views
accept, the policy headers of every response, and which collected static files are served.
"""

from functools import wraps

from django.conf import settings
from django.contrib.staticfiles.storage import ManifestFilesMixin
from django.http import HttpResponse, HttpResponseNotAllowed
from whitenoise.middleware import WhiteNoiseMiddleware

READ_METHODS = ("GET", "HEAD", "OPTIONS")


def read_only(view):
    """The view answers GET and HEAD. OPTIONS gets an empty 204 naming those methods in
    Allow; any other method (POST, PUT, TRACE, ...) a 405, without rendering the page."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method == "OPTIONS":
            response = HttpResponse(status=204)
            response["Allow"] = ", ".join(READ_METHODS)
            del response["Content-Type"]
            return response
        if request.method not in ("GET", "HEAD"):
            return HttpResponseNotAllowed(READ_METHODS)
        return view(request, *args, **kwargs)

    return wrapper


class PolicyHeadersMiddleware:
    """Adds the headers Django has no setting for to every response: Permissions-Policy
    (no camera, microphone, geolocation, ...) and Cross-Origin-Resource-Policy."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        response.headers.setdefault(
            "Cross-Origin-Resource-Policy", settings.CROSS_ORIGIN_RESOURCE_POLICY
        )
        return response


class StaticFilesMiddleware(WhiteNoiseMiddleware):
    """whitenoise, less the manifest: staticfiles.json maps every static file to its hashed
    name, which pages never link to and nobody outside needs to list."""

    # The manifest and the compressed copies whitenoise would serve in its place.
    MANIFEST = {ManifestFilesMixin.manifest_name + suffix for suffix in ("", ".gz", ".br")}

    def add_file_to_dictionary(self, url, path, stat_cache=None):
        if not self.is_manifest(url):
            super().add_file_to_dictionary(url, path, stat_cache=stat_cache)

    def find_file(self, url):
        return None if self.is_manifest(url) else super().find_file(url)

    def is_manifest(self, url):
        return url.removeprefix(self.static_prefix) in self.MANIFEST
