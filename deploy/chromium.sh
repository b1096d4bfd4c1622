#!/usr/bin/env bash
# Print the path of a Chromium the browser tests can drive (Playwright's executable_path).
# Installs Debian's `chromium` package when none is found (as root, with apt; never with SSI_NO_APT=1),
# as deploy/postgres.sh does for PostgreSQL. Browser downloads from other hosts are not needed.
set -euo pipefail
SSI_COMPONENT=chromium
# shellcheck source=deploy/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"

find_chromium() {
  local c
  for c in "${SSI_CHROMIUM:-}" chromium chromium-browser; do
    [ -n "$c" ] && command -v "$c" >/dev/null 2>&1 && { command -v "$c"; return 0; }
  done
  return 1
}

lock_or_die "${TMPDIR:-/tmp}/ssi-chromium-install.lock"
if ! find_chromium; then
  apt_install chromium || true
  find_chromium || die "no chromium found (install Debian's 'chromium' package or set SSI_CHROMIUM)"
fi
