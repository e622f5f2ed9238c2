"""The admin site: Django's, with a select-box search that any typed text cannot break.

The changelist's search box reads its text through a form, which refuses NUL characters;
the autocomplete of the admin's select boxes passes the typed text straight to the
database, and PostgreSQL cannot compare text that holds one.
"""

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
