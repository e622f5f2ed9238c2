"""The production settings, plus the page benchmark's bare view (bench/urls.py).

Only the page benchmark serves with these settings (DJANGO_SETTINGS_MODULE=bench.settings),
so the site itself never routes the bare view.
"""

from moviedb.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
