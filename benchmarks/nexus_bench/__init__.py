"""The `make bench` runner, one module per concern; `benchmarks/run.py` is its command line.

- `config`: where things are and the figures every run shares (paths, services, run settings).
- `shell`: running commands, timing them, and the uv environment they run in.
- `scenarios`: the endpoints measured and the settings each one is served with, as data.
- `template_costs`: what the template costs (bakes, installs, the runtime environment, tests).
- `http_runs`: gunicorn serving a bake under `wrk`, with its CPU time and query counts.
- `report`: the tables, the chart and the sections of docs/benchmarks.md, and docs/benchmarks.json.
- `capacity_model`: pods, connections and Redis threads for a traffic mix, from those figures
  (the capacity section of docs/practices/scaling-out.md; `benchmarks/capacity.py` runs it).
- `pipeline`: one benchmark run, in order, from a `Config` to results.json and the docs.
"""
