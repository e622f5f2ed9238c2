"""Child processes configured only by what a test gives them."""

import os


def environment(**settings):
    """This process's environment without the settings it was run with (DJANGO_*, DATA*,
    REDIS_URL), and with `settings` instead."""
    inherited = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATA"))}
    inherited.pop("REDIS_URL", None)
    return {**inherited, **settings}
