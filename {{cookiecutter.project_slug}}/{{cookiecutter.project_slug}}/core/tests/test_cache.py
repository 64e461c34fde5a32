"""The shared cache helper: hits, invalidation, the stampede guard, an unreachable cache."""

import contextlib
import threading
import time

from django.core.cache import cache

from {{ cookiecutter.project_slug }}.core.cache import (
    VERSION_SECONDS,
    fingerprint,
    get_or_build,
    invalidate,
)


def counting_builder(value: str = "built", delay: float = 0.0):
    calls: list[int] = []

    def build() -> str:
        calls.append(1)
        time.sleep(delay)
        return value

    return build, calls


def test_a_hit_does_not_rebuild() -> None:
    build, calls = counting_builder()
    assert get_or_build(["ns"], "k", build, timeout=60) == "built"
    assert get_or_build(["ns"], "k", build, timeout=60) == "built"
    assert len(calls) == 1


def test_invalidating_any_namespace_of_an_entry_rebuilds_it() -> None:
    build, calls = counting_builder()
    get_or_build(["a", "b"], "k", build, timeout=60)
    invalidate("b")
    get_or_build(["a", "b"], "k", build, timeout=60)
    invalidate("unrelated")
    get_or_build(["a", "b"], "k", build, timeout=60)
    assert len(calls) == 2


def test_a_lost_version_key_never_revives_old_entries() -> None:
    old, _ = counting_builder("old")
    get_or_build(["ns"], "k", old, timeout=60)
    cache.delete("cachever:ns")  # evicted
    new, calls = counting_builder("new")
    assert get_or_build(["ns"], "k", new, timeout=60) == "new"
    assert len(calls) == 1


def test_a_lookup_that_caches_nothing_leaves_no_key_and_every_version_key_expires(
    require_redis: None,
) -> None:
    # Every id a client asks for is a namespace, existing or not: a 404 must leave nothing.
    def fail() -> str:
        raise LookupError  # as a 404 does: nothing is cached

    for probe in range(20):
        with contextlib.suppress(LookupError):
            get_or_build([f"probe:{probe}"], "detail", fail, timeout=60)
    assert not cache.keys("cachever:probe:*")  # type: ignore[attr-defined]  # django-redis
    get_or_build(["kept"], "detail", lambda: "built", timeout=60)
    invalidate("written")  # a write to a namespace never looked up
    ttls = [cache.ttl(key) for key in ("cachever:kept", "cachever:written")]  # type: ignore[attr-defined]
    assert all(0 < ttl <= VERSION_SECONDS for ttl in ttls), ttls


def test_a_write_during_the_first_build_is_not_hidden_by_it() -> None:
    # The namespace is new: the build takes its version from the clock, a write meanwhile
    # sets a newer one, and the entry built from the older rows must never be served.
    def build_across_a_write() -> str:
        invalidate("ns")
        return "before the write"

    get_or_build(["ns"], "k", build_across_a_write, timeout=60)
    build, calls = counting_builder("after the write")
    assert get_or_build(["ns"], "k", build, timeout=60) == "after the write"
    assert len(calls) == 1


def test_the_stampede_guard_lets_one_rebuild_through() -> None:
    build, calls = counting_builder(delay=0.3)
    results: list[str] = []
    start = threading.Barrier(5)

    def reader() -> None:
        start.wait()
        results.append(get_or_build(["hot"], "k", build, timeout=60))

    threads = [threading.Thread(target=reader) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == ["built"] * 5
    assert len(calls) == 1


def test_an_unreachable_cache_serves_from_the_builder(unreachable_cache: None) -> None:
    build, calls = counting_builder()
    assert get_or_build(["ns"], "k", build, timeout=60) == "built"
    invalidate("ns")  # logged, not raised
    assert len(calls) == 1


def test_a_zero_timeout_turns_caching_off() -> None:
    build, calls = counting_builder()
    get_or_build(["ns"], "k", build, timeout=0)
    get_or_build(["ns"], "k", build, timeout=0)
    assert len(calls) == 2


def test_fingerprints_are_stable_and_distinct() -> None:
    assert fingerprint("host", [("a", ["1"])]) == fingerprint("host", [("a", ["1"])])
    assert fingerprint("host", [("a", ["1"])]) != fingerprint("host", [("a", ["2"])])
    assert fingerprint("one", []) != fingerprint("two", [])


def test_the_cache_reads_redis_replies_with_the_compiled_parser(require_redis: None) -> None:
    # hiredis parses each reply in C; redis-py falls back to pure Python without a word.
    from redis._parsers import _HiredisParser

    cache.set("parser-probe", b"x" * 3000)
    client = cache.client.get_client()  # type: ignore[attr-defined]
    connection = client.connection_pool.get_connection()
    try:
        assert isinstance(connection._parser, _HiredisParser)
    finally:
        client.connection_pool.release(connection)
    assert cache.get("parser-probe") == b"x" * 3000
