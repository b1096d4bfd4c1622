"""`ssi webhook add|list|disable|rotate` on the real stack: secrets from a file or stdin (a literal one warns),
listings without secrets, rotation with an overlap in which both secrets verify, and disabling."""

from __future__ import annotations

import json
import subprocess
import time
import uuid
from pathlib import Path

import httpx

from services.ingest.webhooks import standard, x
from stack import ROOT

CACHE_BOUND_SECONDS = 5 + 2  # ingest's endpoint cache, plus slack


def ssi(stack, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:  # type: ignore[no-untyped-def]
    return subprocess.run([str(ROOT / ".venv" / "bin" / "ssi"), *args], env=stack.env(), cwd=ROOT, input=stdin,
                          capture_output=True, text=True, timeout=60)


def x_delivery(url: str, secret: str) -> int:
    body = json.dumps({"for_user_id": "1", "favorite_events": [{"id": uuid.uuid4().hex}]}).encode()
    headers = {"x-twitter-webhooks-signature": x.sign(body, secret), "content-type": "application/json"}
    return httpx.post(url, content=body, headers=headers, timeout=30).status_code


def until(check, what: str) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + CACHE_BOUND_SECONDS
    while not check():
        assert time.monotonic() < deadline, what
        time.sleep(0.25)


def test_secrets_come_from_a_file_or_stdin_and_a_literal_one_warns(stack, tenant, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    tid = tenant["tenant_id"]
    path = tmp_path / "secret"
    path.write_text("from-a-file\n")
    from_file = ssi(stack, "webhook", "add", tid, "x", "--secret-file", str(path), "--json")
    from_stdin = ssi(stack, "webhook", "add", tid, "x", "--secret", "-", "--json", stdin="from-stdin\n")
    literal = ssi(stack, "webhook", "add", tid, "x", "--secret", "on-the-command-line", "--json")
    for done in (from_file, from_stdin, literal):
        assert done.returncode == 0, done.stderr
    assert from_file.stderr == "" and from_stdin.stderr == ""
    assert "warning" in literal.stderr and "--secret-file" in literal.stderr
    assert x_delivery(json.loads(from_file.stdout)["url"], "from-a-file") == 200  # the newline is not part of it
    assert x_delivery(json.loads(from_stdin.stdout)["url"], "from-stdin") == 200
    missing = ssi(stack, "webhook", "add", tid, "x", "--json")
    assert missing.returncode == 2 and "--secret-file" in missing.stderr
    assert ssi(stack, "webhook", "add", "acme", "x", "--secret", "-", stdin="s").returncode == 2  # TENANT is the id


def test_list_rotate_with_overlap_and_disable(stack, tenant, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    tid = tenant["tenant_id"]
    created = json.loads(ssi(stack, "webhook", "add", tid, "x", "--secret", "-", "--json", stdin="old-secret").stdout)
    url, endpoint_id = created["url"], created["endpoint_id"]
    listing = ssi(stack, "webhook", "list", tid)
    rows = [json.loads(line) for line in listing.stdout.splitlines()]
    assert [(r["endpoint_id"], r["provider"], r["url"], r["disabled_at"]) for r in rows] == [(endpoint_id, "x", url, None)]
    assert "old-secret" not in listing.stdout
    assert x_delivery(url, "old-secret") == 200

    rotated = ssi(stack, "webhook", "rotate", tid, endpoint_id, "--secret", "-", stdin="new-secret")
    assert rotated.returncode == 0, rotated.stderr
    assert json.loads(rotated.stdout)["old_secret_valid_until"]
    until(lambda: x_delivery(url, "new-secret") == 200, "the new secret never verified")
    assert x_delivery(url, "old-secret") == 200  # the overlap: both verify
    assert x_delivery(url, "another-secret") == 401
    crc = httpx.get(url, params={"crc_token": "abc"}, timeout=30).json()
    assert crc == x.crc_response("abc", "new-secret")  # handshakes answer with the new secret

    path = tmp_path / "third"
    path.write_text("third-secret")
    assert ssi(stack, "webhook", "rotate", tid, endpoint_id, "--secret-file", str(path), "--overlap-hours", "0").returncode == 0
    until(lambda: x_delivery(url, "new-secret") == 401, "the secret rotated without overlap still verifies")
    assert x_delivery(url, "third-secret") == 200

    assert json.loads(ssi(stack, "webhook", "disable", tid, endpoint_id).stdout) == {"disabled": endpoint_id}
    until(lambda: x_delivery(url, "third-secret") == 404, "the disabled endpoint still answers")
    assert json.loads(ssi(stack, "webhook", "list", tid).stdout.splitlines()[0])["disabled_at"]
    again = ssi(stack, "webhook", "disable", tid, endpoint_id)
    assert again.returncode == 1 and "no enabled endpoint" in again.stderr


def test_standard_webhooks_senders_sign_with_both_secrets_during_a_rotation(stack, tenant) -> None:  # type: ignore[no-untyped-def]
    tid = tenant["tenant_id"]
    old, new = "whsec_" + "b2xkLXNlY3JldC1vZi10aGlydHktdHdvLWJ5dGVzISE=", "whsec_" + "bmV3LXNlY3JldC1vZi10aGlydHktdHdvLWJ5dGVzISE="
    created = json.loads(ssi(stack, "webhook", "add", tid, "standard", "--secret", "-", "--json", stdin=old).stdout)
    url, endpoint_id = created["url"], created["endpoint_id"]
    body = json.dumps({"specversion": "1.0", "id": "e1", "source": "x", "type": "post.published", "subject": "r"}).encode()

    def deliver(*secrets: str) -> int:
        msg_id, stamp = f"msg_{uuid.uuid4().hex}", int(time.time())
        signature = " ".join(standard.sign(msg_id, stamp, body, s) for s in secrets)
        headers = {"webhook-id": msg_id, "webhook-timestamp": str(stamp), "webhook-signature": signature,
                   "content-type": "application/json"}
        return httpx.post(url, content=body, headers=headers, timeout=30).status_code

    bad = ssi(stack, "webhook", "rotate", tid, endpoint_id, "--secret", "-", stdin="not base64!")
    assert bad.returncode == 2 and "base64" in bad.stderr
    assert ssi(stack, "webhook", "rotate", tid, endpoint_id, "--secret", "-", stdin=new).returncode == 0
    until(lambda: deliver(new) == 200, "the new secret never verified")
    assert deliver(old, new) == 200 and deliver(old) == 200


def test_salesforce_has_no_secret_to_rotate(stack, tenant) -> None:  # type: ignore[no-untyped-def]
    created = json.loads(ssi(stack, "webhook", "add", tenant["tenant_id"], "salesforce", "--org-id",
                             "00Do0000000abcdEAA", "--json").stdout)
    refused = ssi(stack, "webhook", "rotate", tenant["tenant_id"], created["endpoint_id"], "--secret", "-",
                  stdin="00Do0000000zzzzEAA")
    assert refused.returncode == 2 and "URL is the secret" in refused.stderr


def test_one_tenant_cannot_touch_anothers_endpoints(stack, tenant, tenant_factory) -> None:  # type: ignore[no-untyped-def]
    other = tenant_factory("wh-other")
    theirs = json.loads(ssi(stack, "webhook", "add", other["tenant_id"], "x", "--secret", "-", "--json", stdin="s").stdout)
    assert ssi(stack, "webhook", "disable", tenant["tenant_id"], theirs["endpoint_id"]).returncode == 1
    assert ssi(stack, "webhook", "rotate", tenant["tenant_id"], theirs["endpoint_id"], "--secret", "-", stdin="t").returncode == 1
    assert theirs["endpoint_id"] not in ssi(stack, "webhook", "list", tenant["tenant_id"]).stdout
    assert x_delivery(theirs["url"], "s") == 200
