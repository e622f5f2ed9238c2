from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.db.models.signals import m2m_changed, post_delete, post_save


class FilmsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "films"

    def ready(self):
        from .freshness import on_films_write
        from .search import register_sqlite_fold

        connection_created.connect(register_sqlite_fold, dispatch_uid="films.register_sqlite_fold")
        # Every ORM write to the films data makes cached pages stale (films/freshness.py).
        # Connected per model: a receiver for every sender would also cost every other
        # model (sessions, login attempts) Django's fast delete.
        for model in self.get_models(include_auto_created=True):
            for signal in (post_save, post_delete, m2m_changed):
                signal.connect(on_films_write, sender=model, dispatch_uid="films-freshness")
