"""deploy/nginx/ssi-ingest-mtls.conf, checked as a file (no nginx on this machine): it parses as nginx
blocks, the Salesforce webhook path needs a verified client certificate with the expected subject, and
X-Forwarded-For is overwritten with the address nginx sees (a client cannot write its own)."""

from __future__ import annotations

import re
from pathlib import Path

CONF = Path(__file__).resolve().parents[2] / "deploy" / "nginx" / "ssi-ingest-mtls.conf"


def blocks(text: str) -> dict[str, list[str]]:
    """{block header: its directive lines}; asserts braces balance and every directive ends with ';'."""
    stack: list[str] = []
    out: dict[str, list[str]] = {}
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        if line.endswith("{"):
            stack.append(line[:-1].strip())
            out.setdefault(stack[-1], [])
        elif line == "}":
            assert stack, "unbalanced }"
            stack.pop()
        else:
            assert line.endswith(";"), f"directive without ';': {line}"
            out.setdefault(stack[-1] if stack else "", []).append(line[:-1])
    assert not stack, f"unclosed blocks: {stack}"
    return out


def directive(lines: list[str], name: str) -> str | None:
    return next((line.split(None, 1)[1] for line in lines if line.split()[0] == name), None)


def test_the_salesforce_path_requires_a_verified_salesforce_client_certificate() -> None:
    parsed = blocks(CONF.read_text())
    server = parsed["server"]
    assert directive(server, "ssl_verify_client") == "optional"
    assert directive(server, "ssl_client_certificate")
    assert "location /v1/webhooks/salesforce/" in parsed
    assert parsed["if ($ssl_client_verify != SUCCESS)"] == ["return 403"]
    assert parsed["if ($salesforce_client_dn = 0)"] == ["return 403"]
    subject_map = parsed["map $ssl_client_s_dn $salesforce_client_dn"]
    assert "default 0" in subject_map and any(re.match(r'"~CN=', line) for line in subject_map)
    assert directive(parsed["location /v1/webhooks/salesforce/"], "proxy_pass") == "http://ssi_ingest"


def test_x_forwarded_for_is_overwritten_not_appended() -> None:
    server = blocks(CONF.read_text())["server"]
    forwarded = [line for line in server if line.startswith("proxy_set_header") and "X-Forwarded-For" in line]
    assert forwarded == ["proxy_set_header        X-Forwarded-For $remote_addr"]
    assert "$proxy_add_x_forwarded_for" not in CONF.read_text()
