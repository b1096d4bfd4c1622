"""Compose and Kubernetes restart what dies, as `make run`'s supervisor does, and probe each service on the
port and path it serves (files only: no Docker or cluster on this machine)."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from services.api.config import ApiSettings
from services.ingest.config import IngestSettings
from services.scorer.config import ScorerSettings
from services.scorer.sink.config import SinkSettings

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
PORTS = {name: cls.model_fields["port"].default for name, cls in
         {"api": ApiSettings, "ingest": IngestSettings, "scorer": ScorerSettings, "sink": SinkSettings}.items()}
SERVES = {"api": {"/healthz", "/readyz", "/metrics"}, "ingest": {"/healthz", "/readyz", "/metrics"},
          "scorer": {"/healthz", "/readyz", "/metrics"}, "sink": {"/metrics"}}
"""What each process answers (shared.http.observability, services.scorer.views, the sink's metrics server)."""


def test_compose_restarts_every_long_running_container_and_checks_its_health() -> None:
    services = yaml.safe_load((DEPLOY / "compose.yaml").read_text())["services"]
    for name, service in services.items():
        if name == "migrate":
            assert service["restart"] == "no"  # a one-shot job
            continue
        assert service.get("restart") in ("unless-stopped", "always"), name
        assert service.get("healthcheck"), f"{name} has no health check"
    for name, port in PORTS.items():
        probe = " ".join(services[name]["healthcheck"]["test"])
        url = re.search(r"http://127\.0\.0\.1:(\d+)(/\w+)", probe)
        assert url, probe
        assert int(url.group(1)) == port and url.group(2) in SERVES[name], (name, probe)
        assert url.group(2) == ("/metrics" if name == "sink" else "/readyz")


def test_kubernetes_pods_restart_and_are_probed_on_what_they_serve() -> None:
    docs = list(yaml.safe_load_all((DEPLOY / "k8s" / "ssi.yaml").read_text()))
    deployments = {d["metadata"]["name"].removeprefix("ssi-"): d for d in docs if d["kind"] == "Deployment"}
    assert set(deployments) == set(PORTS)
    for name, deployment in deployments.items():
        pod = deployment["spec"]["template"]["spec"]
        assert pod["restartPolicy"] == "Always", name
        (container,) = pod["containers"]
        ports = {p["name"]: p["containerPort"] for p in container["ports"]}
        assert set(ports.values()) == {PORTS[name]}, name
        for kind in ("livenessProbe", "readinessProbe"):
            probe = container[kind]["httpGet"]
            assert probe["port"] in ports and probe["path"] in SERVES[name], (name, kind, probe)
        if "/readyz" in SERVES[name]:  # readiness means the dependencies answer, liveness only the process
            assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
            assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
        annotations = deployment["spec"]["template"]["metadata"]["annotations"]
        assert annotations["prometheus.io/port"] == str(PORTS[name])
