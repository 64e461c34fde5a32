"""The monitoring assets (deploy/monitoring/): alert rules and dashboards that cannot drift.

promtool checks and unit-tests the rules; every alert has a test that makes it fire; every query
parses, and names only series this project records.
"""

import importlib
import importlib.util
import json
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.conf import settings
from prometheus_client import REGISTRY

from tests.support.fresh_process import PROJECT_ROOT
from tests.support.metrics import promtool

MONITORING = PROJECT_ROOT / "deploy" / "monitoring"
RULE_FILES = sorted(set(MONITORING.glob("alerts*.yml")) - set(MONITORING.glob("*.test.yml")))
RULE_TESTS = sorted(MONITORING.glob("*.test.yml"))
DASHBOARDS = sorted(MONITORING.glob("dashboard*.json"))
# A series name as this project's metrics end (counters, histograms, the queue gauge).
SERIES = re.compile(r"\b[a-z][a-z0-9_]*_(?:total|bucket|count|sum|length)\b|\bup\b")


def alert_rules() -> list[dict[str, Any]]:
    return [
        rule
        for path in RULE_FILES
        for group in yaml.safe_load(path.read_text())["groups"]
        for rule in group["rules"]
    ]


def dashboard_queries() -> list[str]:
    return [
        target["expr"]
        for path in DASHBOARDS
        for panel in json.loads(path.read_text())["panels"]
        for target in panel["targets"]
    ]


def run_promtool(*args: str, cwd: Path = MONITORING) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - a fixed binary and our own files
        [promtool(), *args], cwd=cwd, capture_output=True, text=True, check=False
    )


def test_promtool_checks_the_rules() -> None:
    checked = run_promtool("check", "rules", *(path.name for path in RULE_FILES))
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_the_rules_unit_tests_pass() -> None:
    tested = run_promtool("test", "rules", *(path.name for path in RULE_TESTS))
    assert tested.returncode == 0, tested.stdout + tested.stderr


def test_the_unit_tests_fail_when_a_threshold_moves(tmp_path: Path) -> None:
    for path in [*RULE_FILES, *RULE_TESTS]:
        (tmp_path / path.name).write_text(path.read_text())
    rules = tmp_path / "alerts.yml"
    rules.write_text(rules.read_text().replace("> 0.05", "> 0.5"))
    tested = run_promtool("test", "rules", "alerts.test.yml", cwd=tmp_path)
    assert tested.returncode != 0
    assert "HighServerErrorRatio" in tested.stdout + tested.stderr


def test_every_alert_has_a_severity_a_text_and_a_test_that_makes_it_fire() -> None:
    fired = {
        case["alertname"]
        for path in RULE_TESTS
        for test in yaml.safe_load(path.read_text())["tests"]
        for case in test.get("alert_rule_test", [])
        if case["exp_alerts"]
    }
    for rule in alert_rules():
        assert rule["labels"]["severity"] in {"page", "ticket"}, rule["alert"]
        assert {"summary", "description"} <= rule["annotations"].keys(), rule["alert"]
        assert rule["alert"] in fired, f"{rule['alert']} has no test in which it fires"


def test_every_dashboard_query_parses(tmp_path: Path) -> None:
    # promtool parses PromQL when it checks rules: each query as a recording rule.
    recorded = [{"record": f"dashboard:q{n}", "expr": q} for n, q in enumerate(dashboard_queries())]
    rules = {"groups": [{"name": "dashboards", "rules": recorded}]}
    (tmp_path / "queries.yml").write_text(yaml.safe_dump(rules))
    checked = run_promtool("check", "rules", "queries.yml", cwd=tmp_path)
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_dashboards_ask_for_their_data_source_and_have_unique_panels() -> None:
    uids = [json.loads(path.read_text())["uid"] for path in DASHBOARDS]
    assert len(set(uids)) == len(uids)
    for path in DASHBOARDS:
        board = json.loads(path.read_text())
        ids = [panel["id"] for panel in board["panels"]]
        assert len(set(ids)) == len(ids), path.name
        for panel in board["panels"]:
            # A variable, not a data source's id from someone's Grafana: it imports anywhere.
            assert panel["datasource"]["uid"] == "${datasource}", panel["title"]


@pytest.mark.parametrize("where", ["alert rules", "dashboards"])
def test_the_queries_name_only_series_this_project_records(where: str) -> None:
    rules = [rule["expr"] for rule in alert_rules()]
    queries = rules if where == "alert rules" else dashboard_queries()
    recorded = {"up"} | set(series_names())
    for query in queries:
        names = set(SERIES.findall(query))
        assert names, query
        assert names <= recorded, f"{query}: {names - recorded} is recorded nowhere"


def series_names() -> list[str]:
    """The names of the samples of every metric registered in this process."""
    suffixes = {"counter": ["_total"], "histogram": ["_bucket", "_count", "_sum"], "gauge": [""]}
    names = [
        family.name + suffix
        for family in REGISTRY.collect()
        for suffix in suffixes.get(family.type, [])
    ]
    worker = f"{settings.PACKAGE}.core.metrics.worker"
    if importlib.util.find_spec(worker):  # with background tasks: the gauge read at each scrape
        names.append(importlib.import_module(worker).QUEUE_LENGTH)
    return names
