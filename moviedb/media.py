"""Serves uploaded pictures from MEDIA_ROOT when they are kept on local disk.

whitenoise serves static files only, and Django's `static.serve` is for development, so
this small middleware answers MEDIA_URL itself, in development and under `make run` alike.
It is safe to run in production because it serves far less than a file server would: only
GET and HEAD, only names of the shape films/pictures.py writes (a folder of hex digits and
`<width>.<avif|webp|jpg|png>`), so no path can climb out of MEDIA_ROOT or reach a file
moviedb did not write; the type comes from that extension, with `nosniff`. The names are
content hashes, so a file never changes under its name and may be cached for a year.
A site that keeps pictures in object storage (DJANGO_MEDIA_S3_BUCKET) has MEDIA_URL on
another origin, and this middleware stands aside.
"""

import re
from pathlib import Path

from django.conf import settings
from django.http import FileResponse, Http404

from films.pictures import MIME_TYPES

PICTURE_NAME = re.compile(
    r"pictures/[a-z]+/[0-9a-f]{2}/[0-9a-f]{14}/[0-9]{1,5}\.(?P<format>avif|webp|jpg|png)"
)


class MediaFilesMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        prefix = settings.MEDIA_URL
        if prefix.startswith("/") and request.path.startswith(prefix):
            return self.serve(request, request.path.removeprefix(prefix))
        return self.get_response(request)

    def serve(self, request, name):
        match = PICTURE_NAME.fullmatch(name)
        if request.method not in ("GET", "HEAD") or match is None:
            raise Http404("No such picture.")
        try:
            file = (Path(settings.MEDIA_ROOT) / name).open("rb")
        except FileNotFoundError:
            raise Http404("No such picture.") from None
        response = FileResponse(file, content_type=MIME_TYPES[match["format"]])
        response["Cache-Control"] = "public, max-age=31536000, immutable"
        response["X-Content-Type-Options"] = "nosniff"
        return response
