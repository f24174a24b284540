#!/usr/bin/env bash
# The dashboard's browser tests drive Debian's chromium through playwright-core (no browser
# download): `npm test` installs it through apt when it is missing, so the README's test command
# works on a fresh machine. KEEL_CHROMIUM names another chromium.
set -euo pipefail
if [ -n "${KEEL_CHROMIUM:-}" ] || command -v chromium >/dev/null 2>&1; then exit 0; fi
as_root=""
[ "$(id -u)" = 0 ] || as_root="sudo"
echo "keel: installing Debian's chromium for the dashboard's browser tests (apt-get install chromium)"
if ! { $as_root apt-get update && DEBIAN_FRONTEND=noninteractive $as_root apt-get install -y chromium; }; then
  echo "keel: could not install chromium: install it (apt-get install chromium) or set KEEL_CHROMIUM to a chromium binary" >&2
  exit 1
fi
