#!/usr/bin/env bash
# Quick start, command 1: installs what is missing, builds the engine and the web app, and
# starts `tillvaxt serve --demo` on the embedded SQLite default (./data) with demo users and
# cases. Stop it with Ctrl-C. Extra arguments go to `tillvaxt serve`.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/deps.sh
tv_install_missing "${TV_PACKAGES[@]}"

# ccache hits across checkouts in other folders (CI clones afresh).
export CCACHE_BASEDIR="$PWD"
echo "==> Building the engine (build/release)"
cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=Release -DTV_BUILD_TESTS=OFF >/dev/null
cmake --build build/release --target tillvaxt

if [ -f web/package.json ]; then
  echo "==> Building the web app (web/dist)"
  (cd web && npm ci --no-audit --no-fund --loglevel=error && npm run build --silent)
fi

exec build/release/engine/app/tillvaxt serve --demo "$@"
