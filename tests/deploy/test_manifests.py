"""The deployment files parse, and every metric their alerts and dashboard use is one the services export."""

from __future__ import annotations

import json
import re
from pathlib import Path

import yaml
from prometheus_client import REGISTRY

import services.ingest.metrics  # noqa: F401 - registers the metrics
import services.scorer.identities  # noqa: F401
import services.scorer.metrics  # noqa: F401
import services.scorer.sink.metrics  # noqa: F401
import shared.http.observability  # noqa: F401

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"


def exported() -> set[str]:
    suffixes = {"counter": ["_total"], "histogram": ["_bucket", "_sum", "_count"], "gauge": [""]}
    names = set()
    for metric in REGISTRY.collect():
        names.update(metric.name + suffix for suffix in suffixes.get(metric.type, [""]))
    return names


def referenced(text: str) -> set[str]:
    return set(re.findall(r"\bssi_[a-z_]+\b", text)) - {"ssi_"}


def test_manifests_parse() -> None:
    kinds = [doc["kind"] for doc in yaml.safe_load_all((DEPLOY / "k8s" / "ssi.yaml").read_text())]
    assert kinds.count("Deployment") == 4 and "Job" in kinds
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    assert {"kafka", "postgres", "migrate", "ingest", "scorer", "sink", "api"} <= set(compose["services"])


def test_alerts_and_dashboard_use_only_exported_metrics() -> None:
    rules = (DEPLOY / "prometheus" / "ssi-rules.yaml").read_text()
    groups = yaml.safe_load(rules)["groups"]
    assert any(r.get("alert") for g in groups for r in g["rules"])
    dashboard = json.loads((DEPLOY / "grafana" / "ssi-dashboard.json").read_text())
    exprs = " ".join(t["expr"] for p in dashboard["panels"] for t in p["targets"])
    used = referenced(rules.replace("ssi:", "")) | referenced(exprs)
    missing = {name for name in used if name not in exported()}
    assert not missing, f"metrics used by deploy/ that no service exports: {sorted(missing)}"
