from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from . import health

urlpatterns = [
    path(settings.ADMIN_URL, admin.site.urls),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("", include("films.urls")),
]

# The 500 page names the request's id, the reference that finds the error in the log.
handler500 = "moviedb.request_log.server_error"
