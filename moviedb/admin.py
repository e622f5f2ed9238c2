"""The admin site: Django's, with a select-box search that any typed text cannot break, and
a login throttle that counts any typed user name.

The changelist's search box reads its text through a form, which refuses NUL characters;
the autocomplete of the admin's select boxes passes the typed text straight to the
database, and PostgreSQL cannot compare text that holds one.
"""

import hashlib

from django.conf import settings
from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.contrib.admin.views.autocomplete import AutocompleteJsonView


class SafeAutocompleteJsonView(AutocompleteJsonView):
    def process_request(self, request):
        term, model_admin, source_field, to_field_name = super().process_request(request)
        return term.replace("\x00", ""), model_admin, source_field, to_field_name

    def serialize_result(self, obj, to_field_name):
        # An object with a choice_label (a person: the name and what tells namesakes apart)
        # is offered by it.
        result = super().serialize_result(obj, to_field_name)
        return {**result, "text": getattr(obj, "choice_label", result["text"])}


class AdminSite(admin.AdminSite):
    def autocomplete_view(self, request):
        return SafeAutocompleteJsonView.as_view(admin_site=self)(request)


class MoviedbAdminConfig(AdminConfig):
    default_site = "moviedb.admin.AdminSite"


# The length of django-axes' user name column.
LOCKOUT_USERNAME_LENGTH = 255


def lockout_username(request, credentials=None):
    """The user name django-axes counts a login attempt under (AXES_USERNAME_CALLABLE).

    A name that fits axes' column is kept as typed. A longer one, which no account can have,
    becomes its beginning and a hash of the whole: PostgreSQL refused to store it (a 500
    instead of the form, and an attempt not counted), and two different long names still
    count apart.
    """
    field = settings.AXES_USERNAME_FORM_FIELD
    if credentials:
        username = credentials.get(field)
    elif request is not None:
        username = getattr(request, "data", request.POST).get(field)
    else:
        username = None
    if username is None or len(username) <= LOCKOUT_USERNAME_LENGTH:
        return username
    digest = hashlib.sha256(username.encode(errors="surrogatepass")).hexdigest()
    return f"{username[: LOCKOUT_USERNAME_LENGTH - len(digest) - 1]}#{digest}"
