"""The capacity model: rewrite the capacity section of docs/practices/scaling-out.md from
docs/benchmarks.json (the figures of the last `make bench` run, which runs this too).

The model is benchmarks/nexus_bench/capacity_model.py: the traffic mix, the deployment (equal to
the Kubernetes manifests) and the assumptions, each stated on the page.

Usage: python benchmarks/capacity.py [--check] [--figures JSON] [--page MARKDOWN]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from nexus_bench.capacity_model import END, FIGURES, PAGE, START, load_bench, render, section
from nexus_bench.config import ROOT


def shown(path: Path) -> str:
    """A path as the template's root sees it, when it is inside the template."""
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument(
        "--check",
        action="store_true",
        help="change nothing; exit 1 if the page differs from what the figures give",
    )
    parser.add_argument("--figures", type=Path, default=FIGURES, help="the bench's JSON")
    parser.add_argument("--page", type=Path, default=PAGE, help="the page with the section")
    args = parser.parse_args()
    page = args.page.read_text()
    if START not in page or END not in page:
        sys.exit(f"capacity: {shown(args.page)} has no {START} ... {END} section")
    updated = section(page, render(load_bench(args.figures)))
    if args.check:
        if updated != page:
            sys.exit(
                f"capacity: {shown(args.page)} differs from what {shown(args.figures)} gives: "
                "run python benchmarks/capacity.py"
            )
        return
    if updated != page:
        args.page.write_text(updated)
    print(f"capacity: {shown(args.page)} {'rewritten' if updated != page else 'up to date'}")


if __name__ == "__main__":
    main()
