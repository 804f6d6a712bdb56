#!/usr/bin/env bash
# Debian's headless Chromium for the browser tests (tests/browser), installed from the
# distribution's own packages: Playwright drives /usr/bin/chromium and never downloads
# a browser build of its own (district and CI networks reach only the package mirrors).
#   scripts/install_browser.sh      install chromium + chromium-driver when missing (needs root)
# Exits 0 in every case: without a browser the browser tests skip with the reason printed here.
set -uo pipefail
CHROMIUM=/usr/bin/chromium

if [ -x "$CHROMIUM" ]; then
  echo "browser: $("$CHROMIUM" --version 2>/dev/null || echo "$CHROMIUM")"
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "browser: $CHROMIUM is missing and this is not a Debian/Ubuntu system (no apt-get): browser tests will skip"
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "browser: $CHROMIUM is missing; install it as root: apt-get update && apt-get install -y chromium chromium-driver"
  echo "browser: not root, so not installing it now: browser tests will skip"
  exit 0
fi
echo "browser: installing Debian's chromium and chromium-driver (apt-get)"
export DEBIAN_FRONTEND=noninteractive
if apt-get update -qq && apt-get install -y -qq --no-install-recommends chromium chromium-driver fonts-noto-cjk >/dev/null; then
  echo "browser: $("$CHROMIUM" --version 2>/dev/null || echo installed)"
else
  echo "browser: apt-get could not install chromium (see above): browser tests will skip"
fi
exit 0
