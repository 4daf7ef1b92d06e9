#!/usr/bin/env bash
# Checks deploy/tillvaxt.service with `systemd-analyze verify`, pointing ExecStart at the built
# binary (verify insists that it exists). Fails where systemd-analyze is absent: the test command
# installs it (Debian package systemd, scripts/deps.sh TV_TEST_PACKAGES), so its absence is a
# broken set-up, not a reason to pass.
set -euo pipefail
unit=$1
binary=$2
if ! command -v systemd-analyze >/dev/null; then
  echo "systemd-analyze not found: install the Debian package systemd (scripts/deps.sh TV_TEST_PACKAGES)"
  exit 1
fi
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
sed "s#/usr/local/bin/tillvaxt#$binary#" "$unit" > "$dir/tillvaxt.service"
out=$(SYSTEMD_LOG_LEVEL=warning systemd-analyze verify --man=no "$dir/tillvaxt.service" 2>&1 || true)
# Lines about the host (no running systemd in a container) are not about our unit.
problems=$(printf '%s\n' "$out" | grep -F "tillvaxt.service" | grep -v "^$" || true)
if [ -n "$problems" ]; then
  printf 'systemd-analyze verify found problems:\n%s\n' "$problems"
  exit 1
fi
for key in ProtectSystem=strict StateDirectory=tillvaxt Restart=on-failure User=tillvaxt NoNewPrivileges=yes; do
  grep -qx "$key" "$unit" || { echo "unit lacks $key"; exit 1; }
done
echo "deploy/tillvaxt.service verified"
