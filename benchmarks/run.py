"""`make bench`: what Nexus costs and how fast its project serves, measured side by side.

- The template: bake time (default and minimal bakes), install time with a warm and a cold uv
  cache, the number of packages, the runtime environment's size, the project's own test suite.
- The API, served by gunicorn (the production settings' worker count per core) on 127.0.0.1
  against the real PostgreSQL and Redis, under `wrk`: /health/live/, /api/v1/ with the
  abuse-protection stack on and off, the product list with a warm and a bypassed cache, a product,
  a GraphQL product query, and a baseline (a bare Django view, no middleware, the same server)
  that every figure is also given against. Alternating rounds, medians.
- `--compare PATH` times the bake, install and tests of another cookiecutter template too.

Writes build/bench/results.json, a chart, the tables in docs/benchmarks.md, the HTTP figures
in docs/benchmarks.json and the capacity section computed from them (the scaling-out page).
This file is the command line; the work is done by the `nexus_bench` package beside it (run as
a script, this folder is on `sys.path`).

Usage: python benchmarks/run.py [--duration S] [--rounds N] [--compare PATH] [--smoke]
"""

from __future__ import annotations

import argparse
from pathlib import Path

from nexus_bench.config import Config
from nexus_bench.pipeline import run


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--duration", type=int, default=5, help="seconds per wrk run (default 5)")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds (default 3)")
    parser.add_argument("--bake-runs", type=int, default=5, help="bakes timed per answer set")
    parser.add_argument("--compare", type=Path, help="another cookiecutter template (a path)")
    parser.add_argument(
        "--smoke",
        action="store_true",
        help="every step once, briefly, into build/bench-smoke; does not touch the docs",
    )
    args = parser.parse_args()
    run(
        Config.create(
            duration=args.duration,
            rounds=args.rounds,
            bake_runs=args.bake_runs,
            compare=args.compare,
            smoke=args.smoke,
        )
    )


if __name__ == "__main__":
    main()
