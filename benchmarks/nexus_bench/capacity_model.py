"""The capacity model of docs/practices/scaling-out.md: one `make bench` run's CPU time per request
turned into the pods, connections and cores that serve 1,000, 10,000 and 100,000 requests/s.

Inputs: docs/benchmarks.json (report.bench_json), the traffic mix (`MIX`), the deployment
(`DEPLOYMENT`: what deploy/kubernetes/base/ in a bake sets; tests/test_capacity.py holds them
equal) and what the bench cannot measure (`ASSUMPTIONS`). Output: the Markdown between the page's
capacity markers (`render`). Units are in the names: `_us` microseconds, `_s` seconds, `rate`
requests per second, `cores` CPU cores (1.0: one core busy all the time), `share` a fraction.
"""

from __future__ import annotations

import json
import math
import textwrap
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from .config import DOCS
from .report import BENCH_JSON

FIGURES = DOCS.with_name(BENCH_JSON)  # docs/benchmarks.json
PAGE = DOCS.parent / "practices" / "scaling-out.md"
START, END = "<!-- capacity:start -->", "<!-- capacity:end -->"
RATES = (1_000, 10_000, 100_000)  # requests/s: the steps the page answers for
HIGHEST = 100_000_000  # requests/s: a limit not reached below this is "not reached"


@dataclass(frozen=True)
class Endpoint:
    """One row of docs/benchmarks.json: CPU time per request (us) of each part of the server."""

    key: str
    label: str
    workers_us: float  # the gunicorn worker processes
    postgres_us: float  # every PostgreSQL process
    redis_us: float  # the Redis server


@dataclass(frozen=True)
class Bench:
    """The `make bench` run the model starts from."""

    date: str
    cores: int  # of the measured machine, shared by wrk, gunicorn, PostgreSQL and Redis
    gunicorn_workers: int
    wrk: str  # the load, as a command line
    endpoints: dict[str, Endpoint]  # by key


def load_bench(path: Path = FIGURES) -> Bench:
    """The run written by report.bench_json."""
    data = json.loads(path.read_text())
    wrk = data["wrk"]
    return Bench(
        date=data["date"],
        cores=data["cores"],
        gunicorn_workers=data["gunicorn_workers"],
        wrk=f"wrk -t{wrk['threads']} -c{wrk['connections']} -d{wrk['duration_s']}s",
        endpoints={
            row["key"]: Endpoint(
                row["key"],
                row["label"],
                row["cpu_workers_us"],
                row["cpu_postgres_us"],
                row["cpu_redis_us"],
            )
            for row in data["endpoints"]
        },
    )


@dataclass(frozen=True)
class Traffic:
    """A share of all requests, costed as a bench row (a cached read's misses as another row)."""

    name: str
    share: float  # of all requests
    row: str  # the bench row it costs; for a cached read, what a hit costs
    miss: str | None = None  # the row a cache miss costs (cached reads only)
    tasks: float = 0  # Celery tasks each request sends
    note: str = ""  # why this row stands for it, when it is not the endpoint itself


# A read-heavy shop: browsing the catalogue, the signed-in user's page, a few orders.
MIX: tuple[Traffic, ...] = (
    Traffic("product list", 0.30, "warm", miss="bypassed"),
    Traffic(
        "one product",
        0.40,
        "detail",
        miss="bypassed",
        note="as the list's: an upper bound",
    ),
    Traffic("`/api/v1/users/me/` with a JWT", 0.20, "me"),
    Traffic("other light reads", 0.09, "on", note="costed as `/api/v1/`"),
    Traffic(
        "orders, each sending one e-mail task",
        0.01,
        "bypassed",
        tasks=1,
        note="the bench has no write: its costliest REST row",
    ),
)


@dataclass(frozen=True)
class Deployment:
    """What the Kubernetes manifests set (deploy/kubernetes/base/ in a bake)."""

    web_concurrency: int = 2  # gunicorn sync workers per web pod (config.env: WEB_CONCURRENCY)
    web_cpu_request: float = 1.0  # cores per web pod
    web_cpu_limit: float = 2.0  # cores per web pod
    web_memory_request_mi: int = 512  # MiB per web pod
    web_memory_limit_mi: int = 768  # MiB per web pod
    hpa_utilisation: float = 0.70  # the web HPA's CPU target, a share of the CPU request
    hpa_min_replicas: int = 2
    hpa_max_replicas: int = 20
    worker_concurrency: int = 2  # `celery worker --concurrency`: pool processes per worker pod
    keda_list_length: int = 10  # tasks waiting in the `celery` list per worker pod (KEDA)
    keda_min_replicas: int = 1
    keda_max_replicas: int = 10
    beat_replicas: int = 1  # celery beat (strategy Recreate: never two)
    migrate_jobs: int = 1  # the migration Job: one connection while it runs
    web_max_surge: float = 0.25  # extra web pods during a rolling update, a share of them
    worker_max_surge: int = 1  # extra worker pods during a rolling update


DEPLOYMENT = Deployment()


@dataclass(frozen=True)
class Assumptions:
    """What the bench does not measure, stated on the page."""

    hit_ratio: float = 0.95  # share of catalogue reads the cache answers
    counter_syncs: int = 2  # Redis pipelines per request at scale: IP monitor + one API throttle
    round_trip: tuple[str, str] = ("ceiling", "baseline")  # rows that differ by one Redis GET
    broker_round_trips: int = 4  # per task: send, fetch, acknowledge, result
    task_s: float = 0.3  # wall time of one e-mail task (a provider's API, mostly waiting)
    network_wait_us: float = 1_000  # per request, in-cluster round trips to PostgreSQL and Redis
    postgres_max_connections: int = 100  # a small managed instance's default
    postgres_reserved: int = 10  # superuser, the provider's agents, operators' psql sessions
    postgres_vcpus: tuple[int, ...] = (2, 4, 8, 16, 32, 64)  # the instance sizes on offer
    postgres_utilisation: float = 0.70  # the share of the instance's cores the model fills
    pgbouncer_pool: int = 20  # PgBouncer's default_pool_size: its least pool to PostgreSQL
    query_hold_us: float = 1_000  # a request that queries holds a connection this long
    redis_utilisation: float = 0.50  # the busy share of one Redis thread at which we split


ASSUMPTIONS = Assumptions()


@dataclass(frozen=True)
class Cost:
    """What one request of the mix costs on average: CPU (us) and Celery tasks sent."""

    web_us: float  # gunicorn workers, counter syncs included
    counter_web_us: float  # of which the counter syncs (client side)
    postgres_us: float
    cache_us: float  # Redis: what the bench measured (the cache, mostly)
    counters_us: float  # Redis: the counter syncs a single-client bench does not make
    broker_us: float  # Redis: the broker's share
    tasks: float  # tasks sent per request
    querying: float  # share of requests that query PostgreSQL

    @property
    def redis_us(self) -> float:
        """Redis CPU (us) per request, every function together."""
        return self.cache_us + self.counters_us + self.broker_us


def round_trip(bench: Bench, assumptions: Assumptions) -> Endpoint:
    """One Redis round trip's CPU (us), worker and server side: the difference of two rows."""
    with_get, without = (bench.endpoints[key] for key in assumptions.round_trip)
    return Endpoint(
        "round_trip",
        "one Redis round trip",
        max(0.0, with_get.workers_us - without.workers_us),  # never below 0 in a noisy run
        0,
        max(0.0, with_get.redis_us - without.redis_us),
    )


def parts(traffic: Traffic, assumptions: Assumptions) -> list[tuple[str, float]]:
    """(bench row, share of all requests) for one line of the mix, split into hits and misses."""
    if traffic.miss is None:
        return [(traffic.row, traffic.share)]
    hits = traffic.share * assumptions.hit_ratio
    return [(traffic.row, hits), (traffic.miss, traffic.share - hits)]


def cost(
    bench: Bench, mix: tuple[Traffic, ...] = MIX, assumptions: Assumptions = ASSUMPTIONS
) -> Cost:
    """The mix's average cost per request."""
    weighted = [
        (bench.endpoints[row], share)
        for traffic in mix
        for row, share in parts(traffic, assumptions)
    ]
    trip = round_trip(bench, assumptions)
    tasks = sum(traffic.share * traffic.tasks for traffic in mix)
    counter_web_us = assumptions.counter_syncs * trip.workers_us
    return Cost(
        web_us=sum(row.workers_us * share for row, share in weighted) + counter_web_us,
        counter_web_us=counter_web_us,
        postgres_us=sum(row.postgres_us * share for row, share in weighted),
        cache_us=sum(row.redis_us * share for row, share in weighted),
        counters_us=assumptions.counter_syncs * trip.redis_us,
        broker_us=tasks * assumptions.broker_round_trips * trip.redis_us,
        tasks=tasks,
        querying=sum(share for row, share in weighted if row.postgres_us > 0),
    )


@dataclass(frozen=True)
class Step:
    """What serves `rate` requests/s; pods and connections are what the load needs, even where
    that is over a manifest's maximum (the limits say where)."""

    rate: int  # requests/s
    web_pods: int
    web_cores_used: float
    worker_pods: int
    tasks_rate: float  # tasks/s
    connections: int  # to PostgreSQL, one per process, rolling-update surge included
    pgbouncer: bool  # more connections than PostgreSQL takes: a pooler in front of it
    pool: int  # PgBouncer's pool: twice the connections busy at once, at least its default
    postgres_connections: int  # what PostgreSQL itself holds: PgBouncer's pool, or all of them
    postgres_cores: float
    postgres_vcpus: int  # the smallest instance that keeps postgres_cores under the target
    redis_cores: float  # every function together
    cache_cores: float
    counters_cores: float
    broker_cores: float
    redis_split: bool  # one Redis thread cannot take it all: a server per function


@dataclass(frozen=True)
class Model:
    """The cost per request and the deployment that serves it."""

    cost: Cost
    deployment: Deployment = DEPLOYMENT
    assumptions: Assumptions = ASSUMPTIONS

    @property
    def pod_rate(self) -> float:
        """Requests/s one web pod serves at the HPA's target: utilisation x CPU request / CPU
        per request."""
        d = self.deployment
        return d.hpa_utilisation * d.web_cpu_request / (self.cost.web_us / 1e6)

    @property
    def worker_busy(self) -> float:
        """The busy share of each gunicorn worker of a pod at the HPA's target: CPU plus network
        waits per request, over the pod's sync workers (1.0: no request waits for a worker)."""
        busy_us = self.cost.web_us + self.assumptions.network_wait_us
        return self.pod_rate * busy_us / 1e6 / self.deployment.web_concurrency

    @property
    def usable_connections(self) -> int:
        """PostgreSQL connections left to the project."""
        a = self.assumptions
        return a.postgres_max_connections - a.postgres_reserved

    def connections(self, web_pods: int, worker_pods: int) -> int:
        """One connection per gunicorn worker and Celery pool process (CONN_MAX_AGE keeps them),
        with a rolling update's surge of pods, plus beat and the migration Job."""
        d = self.deployment
        web = web_pods + math.ceil(web_pods * d.web_max_surge)
        return (
            web * d.web_concurrency
            + (worker_pods + d.worker_max_surge) * d.worker_concurrency
            + d.beat_replicas
            + d.migrate_jobs
        )

    def step(self, rate: int) -> Step:
        """What serves `rate` requests/s."""
        d, a, c = self.deployment, self.assumptions, self.cost
        web_pods = max(d.hpa_min_replicas, math.ceil(rate / self.pod_rate))
        tasks_rate = rate * c.tasks
        worker_pods = max(
            d.keda_min_replicas, math.ceil(tasks_rate * a.task_s / d.worker_concurrency)
        )
        connections = self.connections(web_pods, worker_pods)
        pgbouncer = connections > self.usable_connections
        postgres_cores = rate * c.postgres_us / 1e6
        fits = [v for v in a.postgres_vcpus if postgres_cores <= v * a.postgres_utilisation]
        redis_cores = rate * c.redis_us / 1e6
        # Little's law: connections busy at once = the rate of querying requests x hold time.
        busy = rate * c.querying * a.query_hold_us / 1e6
        pool = max(a.pgbouncer_pool, math.ceil(2 * busy))
        return Step(
            rate=rate,
            web_pods=web_pods,
            web_cores_used=rate * c.web_us / 1e6,
            worker_pods=worker_pods,
            tasks_rate=tasks_rate,
            connections=connections,
            pgbouncer=pgbouncer,
            pool=pool,
            postgres_connections=pool if pgbouncer else connections,
            postgres_cores=postgres_cores,
            postgres_vcpus=fits[0] if fits else a.postgres_vcpus[-1],
            redis_cores=redis_cores,
            cache_cores=rate * c.cache_us / 1e6,
            counters_cores=rate * c.counters_us / 1e6,
            broker_cores=rate * c.broker_us / 1e6,
            redis_split=redis_cores > a.redis_utilisation,
        )

    def threads(self, cores: float) -> int:
        """Redis servers (or cluster shards) that keep each thread under the split threshold."""
        return max(1, math.ceil(cores / self.assumptions.redis_utilisation))


@dataclass(frozen=True)
class Limit:
    """A limit of the deployment, the test of whether a step is past it, and what changes then."""

    name: str
    past: Callable[[Model, Step], bool]
    change: Callable[[Model, Step], str]  # what the manifests (or the code) change, in Markdown


LIMITS: tuple[Limit, ...] = (
    Limit(
        "one Redis thread for the cache, the counters and the broker",
        lambda m, s: s.redis_split,
        lambda m, s: (
            "split Redis by function, a server each: the broker (`CELERY_BROKER_URL`, "
            "`CELERY_RESULT_BACKEND` and KEDA's `BROKER_REDIS_ADDRESS`; `noeviction`), the cache "
            "(`REDIS_URL`, `allkeys-lru`) and the counters and bans (`noeviction`): a code change, "
            'as core/throttling/counters.py counts in `caches["default"]`; give it a `counters` '
            "cache alias with its own URL"
        ),
    ),
    Limit(
        "one Redis thread for the counters and bans",
        lambda m, s: s.counters_cores > m.assumptions.redis_utilisation,
        lambda m, s: (
            f"shard the counters by key ({m.threads(s.counters_cores)} shards: Redis Cluster or "
            "django-redis's ShardClient); a code change first: a client's counter and ban keys "
            "share a hash tag so its pipeline stays on one shard, and the IP monitor's "
            "one-per-window member set is split by that tag"
        ),
    ),
    Limit(
        "the web HorizontalPodAutoscaler's maxReplicas",
        lambda m, s: s.web_pods > m.deployment.hpa_max_replicas,
        lambda m, s: (
            f"raise the web HPA's maxReplicas from {m.deployment.hpa_max_replicas} to at least "
            f"{s.web_pods}, with nodes for {s.web_pods * m.deployment.web_cpu_request:,.0f} "
            "requested cores (a cluster autoscaler)"
        ),
    ),
    Limit(
        "the worker ScaledObject's maxReplicaCount",
        lambda m, s: s.worker_pods > m.deployment.keda_max_replicas,
        lambda m, s: (
            "raise the ScaledObject's maxReplicaCount from "
            f"{m.deployment.keda_max_replicas} to at least {s.worker_pods} "
            f"({m.deployment.worker_concurrency} database connections each); an e-mail task "
            "mostly waits on the network, so a larger `--concurrency` would need fewer pods, "
            "though not fewer connections"
        ),
    ),
    Limit(
        "PostgreSQL's connections",
        lambda m, s: s.pgbouncer,
        lambda m, s: (
            f"{s.connections:,} connections against {m.usable_connections} usable: add PgBouncer "
            "in transaction pooling (a Deployment and Service, or the provider's managed "
            f"pooler; a pool of {s.pool}), point `DATABASE_URL` at it, and set Django's "
            "`DISABLE_SERVER_SIDE_CURSORS`"
        ),
    ),
    Limit(
        "PostgreSQL's connections behind PgBouncer",
        lambda m, s: s.pgbouncer and s.pool > m.usable_connections,
        lambda m, s: (
            f"a pool of {s.pool}: a larger instance for more `max_connections`, or read "
            "replicas (a second database alias) for the reads that miss the cache"
        ),
    ),
    Limit(
        "one Redis thread for the cache",
        lambda m, s: s.cache_cores > m.assumptions.redis_utilisation,
        lambda m, s: (
            f"shard the cache by key ({m.threads(s.cache_cores)} shards), or a replica per "
            "shard for reads"
        ),
    ),
    Limit(
        "the smallest PostgreSQL instance",
        lambda m, s: s.postgres_vcpus > m.assumptions.postgres_vcpus[0],
        lambda m, s: (
            f"a PostgreSQL instance of {s.postgres_vcpus} vCPUs "
            f"({s.postgres_cores:.1f} cores busy); read replicas wait while one instance "
            "suffices"
        ),
    ),
    Limit(
        "the largest PostgreSQL instance",
        lambda m, s: (
            s.postgres_cores > m.assumptions.postgres_vcpus[-1] * m.assumptions.postgres_utilisation
        ),
        lambda m, s: (
            f"{s.postgres_cores:.0f} PostgreSQL cores busy: read replicas (a second database "
            "alias and a router) for the reads that miss the cache"
        ),
    ),
    Limit(
        "one Redis thread for the broker",
        lambda m, s: s.broker_cores > m.assumptions.redis_utilisation,
        lambda m, s: "a broker per queue, or RabbitMQ (`amqp://` in `CELERY_BROKER_URL`)",
    ),
)


def first_rate(model: Model, limit: Limit) -> int | None:
    """The lowest rate (requests/s) past the limit, or None below HIGHEST (every test grows
    with the rate, so a bisection finds it)."""
    if not limit.past(model, model.step(HIGHEST)):
        return None
    low, high = 0, HIGHEST  # not past at `low`, past at `high`
    while high - low > 1:
        middle = (low + high) // 2
        if limit.past(model, model.step(middle)):
            high = middle
        else:
            low = middle
    return high


def reached(model: Model) -> list[tuple[int, Limit]]:
    """The limits in the order the traffic reaches them, each with its rate (requests/s)."""
    found = [(first_rate(model, limit), limit) for limit in LIMITS]
    return sorted(
        ((rate, limit) for rate, limit in found if rate is not None), key=lambda pair: pair[0]
    )


# --- the page -------------------------------------------------------------------------------


def paragraph(text: str) -> str:
    """Prose wrapped at 100 characters, as the docs are."""
    return textwrap.fill(text, 100, break_long_words=False, break_on_hyphens=False) + "\n"


def bullets(items: list[str]) -> str:
    """A Markdown list, each item wrapped at 100 characters."""
    return "".join(
        textwrap.fill(
            item,
            100,
            initial_indent="- ",
            subsequent_indent="  ",
            break_long_words=False,
            break_on_hyphens=False,
        )
        + "\n"
        for item in items
    )


def plural(count: int, noun: str) -> str:
    """`count` of `noun`, with an s when that is not one."""
    return f"{count:,} {noun}{'' if count == 1 else 's'}"


def percent(share: float) -> str:
    """A share as a percentage: whole where it is whole, else to a tenth."""
    value = 100 * share
    return f"{value:.0f}%" if abs(value - round(value)) < 1e-9 else f"{value:.1f}%"


def mix_table(model: Model, bench: Bench) -> str:
    """Each line of the mix with the bench row it is costed as, then the weighted cost."""
    a, c = model.assumptions, model.cost
    lines = [
        "| requests | share | costed as (bench row) | workers (us) | PostgreSQL (us) "
        "| Redis (us) |",
        "|---|---|---|---|---|---|",
    ]
    for traffic in MIX:
        for row, share in parts(traffic, a):
            name = traffic.name
            if traffic.miss is not None:
                name += ", cache hit" if row == traffic.row else ", cache miss"
            endpoint = bench.endpoints[row]
            label = endpoint.label
            if traffic.note and (traffic.miss is None or row == traffic.miss):
                label += f" ({traffic.note})"
            lines.append(
                f"| {name} | {percent(share)} | {label} | {endpoint.workers_us:.0f} "
                f"| {endpoint.postgres_us:.0f} | {endpoint.redis_us:.0f} |"
            )
    trip = round_trip(bench, a)
    lines += [
        f"| counter syncs, {a.counter_syncs} per request | | {a.counter_syncs} x one Redis "
        f"round trip ({trip.workers_us:.0f} us + {trip.redis_us:.0f} us) "
        f"| {c.counter_web_us:.0f} | 0 | {c.counters_us:.0f} |",
        f"| the broker, {c.tasks:g} tasks per request | | {a.broker_round_trips} round trips "
        f"per task | 0 | 0 | {c.broker_us:.1f} |",
        f"| **per request** | 100% | | **{c.web_us:.0f}** | **{c.postgres_us:.0f}** "
        f"| **{c.redis_us:.0f}** |",
    ]
    return "\n".join(lines) + "\n"


def redis_cell(model: Model, step: Step) -> str:
    """Redis at a step: one server, or a server (or cluster) per function."""
    if not step.redis_split:
        return f"{step.redis_cores:.2f} cores: one Redis"
    cells = []
    for name, cores in (
        ("cache", step.cache_cores),
        ("counters", step.counters_cores),
        ("broker", step.broker_cores),
    ):
        shards = model.threads(cores)
        where = "1 server" if shards == 1 else f"{shards} shards"
        cells.append(f"{name} {cores:.2f} ({where})")
    return f"{step.redis_cores:.1f} cores: " + ", ".join(cells)


def steps_table(model: Model, steps: list[Step], firsts: list[str]) -> str:
    """The three rates side by side."""
    d = model.deployment
    rows: list[tuple[str, Callable[[Step], str]]] = [
        ("web pods (HPA)", lambda s: f"{s.web_pods:,}"),
        (
            "web CPU: requested / busy (cores)",
            lambda s: f"{s.web_pods * d.web_cpu_request:,.0f} / {s.web_cores_used:,.1f}",
        ),
        (
            "web memory requested (GiB)",
            lambda s: f"{s.web_pods * d.web_memory_request_mi / 1024:,.1f}",
        ),
        ("tasks/s; worker pods (KEDA)", lambda s: f"{s.tasks_rate:,.0f}; {s.worker_pods:,}"),
        ("PostgreSQL connections, direct", lambda s: f"{s.connections:,}"),
        (
            "... with PgBouncer (to PostgreSQL)",
            lambda s: f"{s.postgres_connections:,}" if s.pgbouncer else "not needed",
        ),
        (
            "PostgreSQL cores busy (instance vCPUs)",
            lambda s: f"{s.postgres_cores:.2f} ({s.postgres_vcpus})",
        ),
        ("Redis cores busy", lambda s: redis_cell(model, s)),
    ]
    head = "| | " + " | ".join(f"{s.rate:,} requests/s" for s in steps) + " |"
    lines = [head, "|---|" + "---|" * len(steps)]
    for label, cell in rows:
        lines.append(f"| {label} | " + " | ".join(cell(s) for s in steps) + " |")
    lines.append("| **first limit hit** | " + " | ".join(firsts) + " |")
    return "\n".join(lines) + "\n"


def limits_table(model: Model, order: list[tuple[int, Limit]]) -> str:
    """Every limit the traffic reaches, lowest rate first."""
    lines = ["| limit | reached at (requests/s) |", "|---|---|"]
    lines += [f"| {limit.name} | {rate:,} |" for rate, limit in order]
    return "\n".join(lines) + "\n"


def render(bench: Bench, model: Model | None = None) -> str:
    """The section between the page's capacity markers, markers excluded."""
    model = model or Model(cost(bench))
    d, a, c = model.deployment, model.assumptions, model.cost
    steps = [model.step(rate) for rate in RATES]
    order = reached(model)
    firsts, changes = [], []
    low = 0
    for step in steps:
        crossed = [(rate, limit) for rate, limit in order if low < rate <= step.rate]
        firsts.append(f"{crossed[0][1].name} ({crossed[0][0]:,})" if crossed else "none")
        # Every limit this rate is past, with this rate's figures: the manifests at this step.
        items = [limit.change(model, step) for rate, limit in order if rate <= step.rate]
        if not items:
            items = [
                f"nothing: the HPA runs {step.web_pods} web pods (between "
                f"{d.hpa_min_replicas} and {d.hpa_max_replicas}), KEDA "
                f"{plural(step.worker_pods, 'worker pod')}, one Redis and PostgreSQL directly"
            ]
        changes.append(f"**{step.rate:,} requests/s:**\n\n" + bullets(items))
        low = step.rate
    trip = round_trip(bench, a)
    missed = Model(cost(bench, MIX, replace(a, hit_ratio=0.80)), d, a).step(RATES[-1])
    parts_of_page = [
        paragraph(
            f"Computed by `benchmarks/capacity.py` from [the figures](../benchmarks.json) of the "
            f"[`make bench` run](../benchmarks.md#how-fast-the-api-serves) of {bench.date}: "
            f"{bench.cores} cores, gunicorn with {bench.gunicorn_workers} sync workers, "
            f"`{bench.wrk}`, PostgreSQL and Redis on the same machine. `make bench` rewrites "
            "both, and the template's tests fail when this section and the figures disagree "
            "(`tests/test_capacity.py`)."
        ),
        paragraph(
            "**The cost of a request.** The CPU time per request of the gunicorn workers, of "
            "PostgreSQL and of Redis, measured under load on one machine whose cores wrk and all "
            "three shared: it includes their contention (context switches, cold caches), so a "
            "dedicated core does more. Take the figures as upper bounds, and measure on the "
            "target machines before buying. The mix below is a read-heavy shop's, with "
            f"{percent(a.hit_ratio)} of catalogue reads answered by the cache; each line is "
            "costed as a row of the bench:"
        ),
        mix_table(model, bench),
        paragraph(
            f"The bench's load comes from one client, whose counters (the IP monitor and the "
            "API throttles) sync with Redis about once a second, so they cost it almost nothing. "
            "Internet traffic comes from many clients, each sending a process a request now and "
            f"then: nearly every request syncs its keys, {a.counter_syncs} pipelines (the IP "
            "monitor's, and the anonymous or the user throttle's). Each is charged what the bench "
            f"measured for one Redis GET round trip ({trip.workers_us:.0f} us in the worker, "
            f'{trip.redis_us:.0f} us in Redis: what "{bench.endpoints[a.round_trip[0]].label}" '
            f'costs over "{bench.endpoints[a.round_trip[1]].label}"), an upper bound for a '
            "pipeline on small keys. Redis is where measuring the target pays most: "
            "`redis-benchmark` (Redis's own tool) with the counters' commands there gives the "
            "figure to put in its place. Probes from the kubelet are per pod, not per request, and "
            "left out; so are GraphQL queries (the bench's costs "
            f"{bench.endpoints['graphql'].workers_us:,.0f} us of worker CPU) and logins (Argon2 "
            "spends tens of milliseconds of CPU on each, by design): add them where they are a "
            "real share."
        ),
        paragraph(
            "**The deployment** is what the manifests set (deploy/kubernetes/base/ in a bake; "
            "a template test holds these figures equal to them):"
        ),
        bullets(
            [
                f"web pods: gunicorn with `WEB_CONCURRENCY={d.web_concurrency}` sync workers, "
                f"CPU request {d.web_cpu_request:g} and limit {d.web_cpu_limit:g}, memory "
                f"{d.web_memory_request_mi}Mi and {d.web_memory_limit_mi}Mi; a "
                f"HorizontalPodAutoscaler on CPU at {d.hpa_utilisation:.0%} of the request, "
                f"{d.hpa_min_replicas} to {d.hpa_max_replicas} replicas.",
                f"worker pods: `celery worker --concurrency={d.worker_concurrency}`; a KEDA "
                f"ScaledObject on the length of the `celery` list, {d.keda_list_length} tasks "
                f"per replica, {d.keda_min_replicas} to {d.keda_max_replicas} replicas; "
                f"{d.beat_replicas} beat.",
                "PostgreSQL: persistent connections (`CONN_MAX_AGE=60`), so one per gunicorn "
                "worker and per Celery pool process, plus beat and the migration Job, and "
                f"while a rolling update surges, {d.web_max_surge:.0%} more web pods and "
                f"{plural(d.worker_max_surge, 'more worker pod')} (their maxSurge).",
            ]
        ),
        paragraph("**The assumptions** the bench cannot check:"),
        bullets(
            [
                f"PostgreSQL is a small managed instance: {a.postgres_vcpus[0]} vCPUs, "
                f"`max_connections` {a.postgres_max_connections}, of which "
                f"{a.postgres_reserved} are left to the superuser, the provider's agents and "
                f"people: {model.usable_connections} for the project. Raising "
                "`max_connections` costs memory per backend and throughput past a few active "
                "backends per core; PgBouncer (transaction pooling) enters instead. An "
                f"instance is kept under {a.postgres_utilisation:.0%} of its vCPUs.",
                "Redis runs commands on one thread. One server serves the cache, the counters "
                f"and the broker (in its own database) until that thread is "
                f"{a.redis_utilisation:.0%} busy (queueing delay doubles there, and a snapshot's "
                "fork needs headroom); then each function gets its own server, then a function "
                "whose thread passes it is sharded by key. `maxmemory-policy` is per server: "
                "a shared one must not evict (`noeviction`, or `volatile-lru`, which evicts only "
                "keys with an expiry and never Celery's lists).",
                f"{c.tasks:.0%} of requests send one task. The bench times no task: we take "
                f"{a.task_s * 1000:.0f} ms of wall time each (an e-mail through a provider's "
                f"API), so a worker pod finishes {d.worker_concurrency / a.task_s:.1f} tasks/s "
                f"and KEDA's target of {d.keda_list_length} waiting tasks per pod means a task "
                f"waits about {d.keda_list_length * a.task_s / d.worker_concurrency:.1f} s. Each "
                f"task costs the broker {a.broker_round_trips} round trips.",
            ]
        ),
        paragraph(
            f"**A web pod** serves the HPA's target over the CPU per request: "
            f"{d.hpa_utilisation:.2f} x {d.web_cpu_request:g} core / {c.web_us:,.0f} us = "
            f"**{model.pod_rate:,.0f} requests/s**. Its {d.web_concurrency} sync workers serve "
            "one request at a time each; with CPU and an assumed "
            f"{a.network_wait_us / 1000:g} ms of network waits per request, each is "
            f"{model.worker_busy:.0%} busy there, so the CPU target, not the worker count, "
            "bounds a pod."
        ),
        steps_table(model, steps, firsts),
        paragraph(
            "Connections count the surge and the Job. With PgBouncer every process keeps its "
            "connection to PgBouncer and PostgreSQL holds only the pool: by Little's law the "
            "connections busy at once are the rate of requests that query "
            f"({percent(c.querying)} of them) times how long each holds one (assumed "
            f"{a.query_hold_us / 1000:g} ms: its queries, each an in-cluster round trip); the "
            f"pool is twice that, and at least PgBouncer's default of {a.pgbouncer_pool}. "
            "The limits, in the order the traffic reaches them:"
        ),
        limits_table(model, order),
        paragraph(
            "**What the manifests change** at each step, from the template's: every limit "
            "passed by then, in the order reached, with that step's figures."
        ),
        "\n".join(changes),
        paragraph(
            f"The cache hit ratio moves PostgreSQL most: at {percent(0.80)} instead of "
            f"{percent(a.hit_ratio)}, {RATES[-1]:,} requests/s keep "
            f"{missed.postgres_cores:.1f} PostgreSQL cores busy (a {missed.postgres_vcpus}-vCPU "
            f"instance) and need {missed.web_pods:,} web pods."
        ),
    ]
    return "\n".join(parts_of_page)


def section(page: str, body: str) -> str:
    """The page with `body` between its capacity markers."""
    head, rest = page.split(START, 1)
    _, tail = rest.split(END, 1)
    return f"{head}{START}\n{body}{END}{tail}"


def write_page(figures: Path = FIGURES, page: Path = PAGE) -> bool:
    """Rewrite the page's capacity section from the bench's figures; True if it changed."""
    text = page.read_text()
    updated = section(text, render(load_bench(figures)))
    if updated != text:
        page.write_text(updated)
    return updated != text
