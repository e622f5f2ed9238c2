"""Graceful reload: HUP to gunicorn during a load run loses no request."""

import signal
import time

from .conftest import assert_clean


def test_a_reload_under_load_loses_no_request(site):
    before = site.workers()
    with site.load(5) as load:
        time.sleep(1.5)
        site.process.send_signal(signal.SIGHUP)
        time.sleep(2)
        site.process.send_signal(signal.SIGHUP)
    assert_clean(load)
    # The old workers leave once they have finished their requests.
    deadline = time.monotonic() + 30
    while not site.workers().isdisjoint(before):
        assert time.monotonic() < deadline, "HUP did not replace the workers"
        time.sleep(0.2)
