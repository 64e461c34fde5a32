"""Where things are, the services the benchmark uses, and one run's settings (`Config`)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]  # the template: benchmarks/nexus_bench/ is two down
DOCS = ROOT / "docs" / "benchmarks.md"
POSTGRES = os.environ.get("NEXUS_TEST_POSTGRES", "postgres://postgres@127.0.0.1:5432")
REDIS = os.environ.get("NEXUS_TEST_REDIS", "redis://127.0.0.1:6379")
BENCH_DB, BENCH_REDIS_DB = "nexus_bench", 15  # 11-13: the installed bakes, 14: the image test
WORKERS = 2  # config/gunicorn.py's default (WEB_CONCURRENCY): the production setting
SEED_COPIES = 3
PRODUCT_COUNT = 8 * SEED_COPIES  # seed_catalog: 8 products per copy
# Search and attribute filters are timed on a catalogue of realistic size, in its own database
# (the other rows keep the small one, so their figures stay comparable between runs).
LARGE_DB, LARGE_PRODUCT_COUNT = "nexus_bench_large", 50_000


@dataclass(frozen=True)
class Config:
    """One run's settings, as the command line gave them (the smoke mode already applied)."""

    build: Path  # everything the run creates: bakes, environments, results.json
    duration: int  # seconds per wrk run
    rounds: int  # alternating rounds of every scenario
    bake_runs: int  # bakes timed per answer set
    smoke: bool  # every step once, briefly; the docs are left alone
    compare: Path | None  # another cookiecutter template to time, if any
    docs: Path = DOCS

    @classmethod
    def create(
        cls, *, duration: int, rounds: int, bake_runs: int, compare: Path | None, smoke: bool
    ) -> Config:
        """The settings asked for; the smoke mode runs each step once into build/bench-smoke."""
        if smoke:
            duration, rounds, bake_runs = 1, 1, 1
        return cls(
            build=ROOT / "build" / ("bench-smoke" if smoke else "bench"),
            duration=duration,
            rounds=rounds,
            bake_runs=bake_runs,
            smoke=smoke,
            compare=compare.resolve() if compare else None,
        )

    @property
    def chart(self) -> Path:
        """The throughput chart: beside the docs, or in the build folder in the smoke mode."""
        name = "benchmarks-http.png"
        return self.build / name if self.smoke else self.docs.with_name(name)
