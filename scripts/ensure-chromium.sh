#!/usr/bin/env bash
# Makes sure the browser tests have a Chromium: $CHROMIUM_PATH, Debian's chromium (installed with
# apt when we are root and it is missing), or else Playwright's own download.
set -euo pipefail
python=${1:-python3}
if [ -n "${CHROMIUM_PATH:-}" ] && [ -x "$CHROMIUM_PATH" ]; then exit 0; fi
if command -v chromium >/dev/null 2>&1; then exit 0; fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing Debian's chromium for the browser tests" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq chromium >/dev/null
  exit 0
fi
echo "no chromium on PATH: installing Playwright's Chromium" >&2
"$python" -m playwright install chromium
