#!/usr/bin/env bash
# Debian's nginx for `make run-prod` and its fault tests (tests/prod), from the distribution's own
# packages. run_prod.sh runs it as an ordinary service of its own (its config: deploy/nginx/sotong.conf),
# so the package's own site and service are left alone; on a district server use either.
#   scripts/install_nginx.sh      install nginx when missing (needs root)
# Exits 0 in every case: without nginx `make run-prod` stops with this reason, tests/prod skips.
set -uo pipefail

found() { command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ]; }
version() { { nginx -v 2>&1 || /usr/sbin/nginx -v 2>&1; } | head -1; }

if found; then
  echo "nginx: $(version)"
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "nginx: missing and this is not a Debian/Ubuntu system (no apt-get): install nginx, then run again"
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "nginx: missing; install it as root: apt-get update && apt-get install -y nginx"
  echo "nginx: not root, so not installing it now"
  exit 0
fi
echo "nginx: installing Debian's nginx (apt-get)"
export DEBIAN_FRONTEND=noninteractive
# policy-rc.d 101: the package must not start its own nginx on port 80 (no init system here, and
# on a server the district decides which nginx runs); removed again afterwards.
policy=/usr/sbin/policy-rc.d
made_policy=0
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' > "$policy" && chmod 755 "$policy" && made_policy=1
fi
if apt-get update -qq && apt-get install -y -qq --no-install-recommends nginx >/dev/null; then
  echo "nginx: $(version)"
else
  echo "nginx: apt-get could not install nginx (see above)"
fi
[ "$made_policy" -eq 1 ] && rm -f "$policy"
exit 0
