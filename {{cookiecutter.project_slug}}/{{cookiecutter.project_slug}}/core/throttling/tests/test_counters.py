"""Per-process batching of rate counters: cheap for hot clients, exact at the limit.

Two WindowTally objects sharing the cache stand for two server processes. On the Redis run
(REDIS_URL set) every shared count below is the real Redis pipeline's.
"""

import time

import pytest
from django.core.cache import cache

from {{ cookiecutter.project_slug }}.core.throttling import counters
from {{ cookiecutter.project_slug }}.core.throttling.counters import WindowTally

WINDOW = 3600  # one window for the whole test: no rollover mid-test


def shared_count(key: str) -> int:
    return int(cache.get(f"{key}:{counters.window_index(WINDOW)}") or 0)


def test_a_hot_key_is_synced_once_per_interval_not_once_per_hit() -> None:
    tally = WindowTally(window=WINDOW, sync_seconds=60)
    counts = [tally.hit("hot", limit=1000).count for _ in range(20)]
    assert counts == list(range(1, 21))  # the process still knows every hit it served
    assert shared_count("hot") == 1  # but only the first one travelled to the shared cache


def test_a_process_syncs_once_it_holds_its_share_of_the_limit() -> None:
    tally = WindowTally(window=WINDOW, sync_seconds=60)
    for _ in range(51):  # 5% of 1000 is 50: the 51st hit brings the batch in
        tally.hit("busy", limit=1000)
    assert shared_count("busy") == 51


def test_near_the_limit_every_hit_is_synced_so_the_limit_is_exact_across_processes() -> None:
    first, second = (
        WindowTally(window=WINDOW, sync_seconds=60),
        WindowTally(window=WINDOW, sync_seconds=60),
    )
    hits = [(first if n % 2 else second).hit("busy", limit=100) for n in range(140)]
    assert [hit.count <= 100 for hit in hits] == [True] * 100 + [False] * 40
    assert sum(hit.crossed for hit in hits) == 1  # exactly one hit carried the count over


def test_a_flag_set_elsewhere_is_seen_at_the_next_sync() -> None:
    tally = WindowTally(window=WINDOW, sync_seconds=0)
    assert tally.hit("ip", limit=1000, flags=["ban"]).flags == (False,)
    cache.set("ban", "yes")
    assert tally.hit("ip", limit=1000, flags=["ban"]).flags == (True,)


def test_a_flag_reaches_a_batching_process_no_later_than_its_sync_interval() -> None:
    tally = WindowTally(window=WINDOW, sync_seconds=60)
    tally.hit("ip", limit=1000, flags=["ban"])
    cache.set("ban", "yes")
    assert tally.hit("ip", limit=1000, flags=["ban"]).flags == (False,)  # not yet synced


def test_a_new_window_starts_every_count_again(monkeypatch: pytest.MonkeyPatch) -> None:
    tally = WindowTally(window=60, sync_seconds=60)
    monkeypatch.setattr(time, "time", lambda: 6000.0)
    assert tally.hit("k", limit=100).count == 1
    assert tally.hit("k", limit=100).count == 2
    monkeypatch.setattr(time, "time", lambda: 6061.0)
    hit = tally.hit("k", limit=100)
    assert hit.count == 1
    assert hit.retry_after == 59


def test_hits_are_kept_when_the_store_is_unreachable(unreachable_cache: None) -> None:
    tally = WindowTally(window=WINDOW, sync_seconds=60)
    with pytest.raises(counters.CounterUnavailableError):
        tally.hit("k", limit=10)
    with pytest.raises(counters.CounterUnavailableError):
        tally.hit("k", limit=10)
    assert tally._keys["k"].pending == 2  # retried with the next sync, not lost


def test_the_process_wide_tally_is_shared_per_name_and_settings() -> None:
    assert counters.tally("a", window=60, sync_seconds=1) is counters.tally(
        "a", window=60, sync_seconds=1
    )
    assert counters.tally("a", window=60, sync_seconds=1) is not counters.tally(
        "b", window=60, sync_seconds=1
    )
