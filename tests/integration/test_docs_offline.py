"""/docs and /redoc on both services work on a machine without internet access: every script and style they
load is served by the service itself (fastapi-offline's packaged files), none from a CDN."""

from __future__ import annotations

import re

import httpx
import pytest


@pytest.mark.parametrize("service", ["api", "ingest"])
@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_docs_load_only_local_assets(stack, service: str, page: str) -> None:  # type: ignore[no-untyped-def]
    base = stack.api_url if service == "api" else stack.ingest_url
    with httpx.Client(base_url=base, timeout=30) as client:
        got = client.get(page)
        assert got.status_code == 200
        assets = re.findall(r"""(?:src|href)=["']([^"']+)["']""", got.text)
        assets += re.findall(r"""url: ["']([^"']+)["']""", got.text)  # swagger's openapi url
        scripts = [a for a in assets if a.endswith((".js", ".css", ".json"))]
        assert scripts, got.text[:500]
        for asset in scripts:
            assert asset.startswith("/"), f"{page} loads {asset} from another host"
            loaded = client.get(asset)
            assert loaded.status_code == 200 and len(loaded.content) > 1000, asset
        assert "cdn" not in got.text.lower()
