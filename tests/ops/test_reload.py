"""Graceful reload: HUP to gunicorn during a load run loses no request."""

import signal
import time

from .conftest import assert_clean


def test_a_reload_under_load_loses_no_request(site):
    before = site.workers()
    with site.load(6) as load:
        time.sleep(2)
        site.process.send_signal(signal.SIGHUP)
        time.sleep(2)
        site.process.send_signal(signal.SIGHUP)
    assert_clean(load)
    assert site.workers().isdisjoint(before), "HUP did not replace the workers"
