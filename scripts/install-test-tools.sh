#!/usr/bin/env bash
# Installs the system programs the test suite drives for real, when they are missing: Debian's
# Chromium (the web console's browser tests) and nginx (the replicas-behind-a-cache test).
# Runs before `npm test` (the `pretest` script), so `npm ci && npm test` works on a fresh machine.
set -euo pipefail

need=()
[ -x /usr/bin/chromium ] || need+=(chromium fonts-dejavu-core)
[ -x /usr/sbin/nginx ] || need+=(nginx-light)
[ ${#need[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ] || ! command -v apt-get > /dev/null; then
  echo "the tests need ${need[*]} (Debian packages); install them as root: apt-get install ${need[*]}" >&2
  exit 1
fi
echo "installing ${need[*]} for the tests"
export DEBIAN_FRONTEND=noninteractive
# Packages must not start services (nginx on port 80) on this machine: the tests start their own.
policy=/usr/sbin/policy-rc.d
had_policy=0
[ -e "$policy" ] && had_policy=1
if [ $had_policy -eq 0 ]; then
  printf '#!/bin/sh\nexit 101\n' > "$policy"
  chmod +x "$policy"
fi
cleanup() { [ $had_policy -eq 0 ] && rm -f "$policy"; }
trap cleanup EXIT
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${need[@]}" > /dev/null
