from moviedb.counters import count, counts


def test_counts_start_at_zero_and_add_up(local_caches):
    """Each event is counted on its own, from zero."""
    count("retried")
    count("retried")
    count("rate_limited")
    assert counts("retried", "rate_limited", "replica_skipped") == {
        "retried": 2,
        "rate_limited": 1,
        "replica_skipped": 0,
    }
