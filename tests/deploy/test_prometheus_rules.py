"""The Prometheus rules and configuration pass promtool; each alert is unit-tested and links its own runbook
section (promtool from Debian's prometheus package, installed by `make test` when missing)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
PROMETHEUS = ROOT / "deploy" / "prometheus"
RUNBOOK = ROOT / "deploy" / "RUNBOOK.md"
sys.path.insert(0, str(ROOT / "deploy"))

from prometheus_local import fast_rules, render  # noqa: E402
from stack import Stack  # noqa: E402


def promtool(*args: str) -> subprocess.CompletedProcess[str]:
    binary = shutil.which("promtool")
    assert binary, "promtool not found: `make prometheus-tools` installs Debian's prometheus package"
    return subprocess.run([binary, *args], capture_output=True, text=True, cwd=PROMETHEUS, timeout=120)


def alerts() -> list[dict]:
    groups = yaml.safe_load((PROMETHEUS / "ssi-rules.yaml").read_text())["groups"]
    return [rule for group in groups for rule in group["rules"] if "alert" in rule]


def slug(heading: str) -> str:
    """The anchor GitHub (and most Markdown renderers) give a heading."""
    return re.sub(r"[^a-z0-9 _-]", "", heading.strip().lower()).replace(" ", "-")


def runbook_sections() -> dict[str, str]:
    sections: dict[str, str] = {}
    current = None
    for line in RUNBOOK.read_text().splitlines():
        heading = re.match(r"^#{2,4} (.+)$", line)
        if heading:
            current = slug(heading.group(1))
            sections[current] = ""
        elif current:
            sections[current] += line + "\n"
    return sections


def test_rules_pass_promtool_check() -> None:
    result = promtool("check", "rules", "ssi-rules.yaml")
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"SUCCESS: {sum(len(g['rules']) for g in yaml.safe_load((PROMETHEUS / 'ssi-rules.yaml').read_text())['groups'])} rules found" in result.stdout


def test_every_alert_is_unit_tested_and_the_unit_tests_pass() -> None:
    result = promtool("test", "rules", "ssi-rules.test.yaml")
    assert result.returncode == 0, result.stdout + result.stderr
    tests = yaml.safe_load((PROMETHEUS / "ssi-rules.test.yaml").read_text())["tests"]
    fired = {case["alertname"] for t in tests for case in t.get("alert_rule_test", []) if case["exp_alerts"]}
    assert fired == {a["alert"] for a in alerts()}


def test_the_unit_tests_catch_a_broken_alert(tmp_path: Path) -> None:
    """The rule tests can fail: the scorer's down alert made unreachable is caught."""
    for name in ("ssi-rules.yaml", "ssi-rules.test.yaml"):
        shutil.copy(PROMETHEUS / name, tmp_path / name)
    rules = tmp_path / "ssi-rules.yaml"
    rules.write_text(rules.read_text().replace('up{job="ssi-scorer"} == 0', 'up{job="ssi-scorer"} == 2'))
    result = subprocess.run([str(shutil.which("promtool")), "test", "rules", "ssi-rules.test.yaml"],
                            capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert result.returncode != 0 and "SsiScorerDown" in result.stdout + result.stderr


def test_every_alert_links_its_own_runbook_section_which_says_what_to_look_at_and_do() -> None:
    sections = runbook_sections()
    anchors = []
    for alert in alerts():
        url = alert["annotations"]["runbook_url"]
        match = re.fullmatch(r"https://[^#\s]+/deploy/RUNBOOK\.md#([a-z0-9-]+)", url)
        assert match, url
        anchor = match.group(1)
        anchors.append(anchor)
        assert anchor == slug(alert["alert"]), (alert["alert"], anchor)
        body = sections.get(anchor, "")
        assert "**Look at**" in body and "**Do**" in body, f"RUNBOOK.md#{anchor} lacks what to look at and do"
    assert len(anchors) == len(set(anchors))


def test_slo_recording_rules_are_documented() -> None:
    groups = yaml.safe_load((PROMETHEUS / "ssi-rules.yaml").read_text())["groups"]
    slo = [rule["record"] for group in groups if group["name"] == "ssi-slo" for rule in group["rules"]]
    assert {"ssi:ingest_availability:ratio_rate5m", "ssi:scorer_freshness_p99_seconds:rate5m",
            "ssi:scorer_lag_records:sum"} <= set(slo)
    section = runbook_sections()["service-level-objectives"]
    for name in slo:
        assert name in section, f"{name} is not documented in RUNBOOK.md#service-level-objectives"


def test_configuration_and_its_local_rendering_pass_promtool(tmp_path: Path) -> None:
    result = promtool("check", "config", "prometheus.yml")
    assert result.returncode == 0, result.stdout + result.stderr
    stack = Stack.for_profile("test")
    stack.scorer_workers = 3
    rules = tmp_path / "ssi-rules.fast.yaml"
    rules.write_text(fast_rules((PROMETHEUS / "ssi-rules.yaml").read_text(), "5s"))
    config = render(stack, [rules], interval="1s")
    (tmp_path / "prometheus.yml").write_text(yaml.safe_dump(config))
    result = promtool("check", "config", str(tmp_path / "prometheus.yml"))
    assert result.returncode == 0, result.stdout + result.stderr
    scorer = next(job for job in config["scrape_configs"] if job["job_name"] == "ssi-scorer")
    assert len(scorer["static_configs"]) == 3


def test_fast_rules_change_only_the_for_durations() -> None:
    original = yaml.safe_load((PROMETHEUS / "ssi-rules.yaml").read_text())
    fast = yaml.safe_load(fast_rules((PROMETHEUS / "ssi-rules.yaml").read_text(), "5s"))
    for group, fast_group in zip(original["groups"], fast["groups"], strict=True):
        for rule, fast_rule in zip(group["rules"], fast_group["rules"], strict=True):
            if "for" in rule:
                assert fast_rule.pop("for") == "5s"
                rule.pop("for")
            assert rule == fast_rule
