from django.apps import AppConfig
from django.db.backends.signals import connection_created


class FilmsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "films"

    def ready(self):
        from .search import register_sqlite_fold

        connection_created.connect(register_sqlite_fold, dispatch_uid="films.register_sqlite_fold")
