#!/usr/bin/env bash
# Installs the Debian packages Tillväxt needs, only those missing. Sourced by run.sh and test.sh.
# Needs root (or sudo) the first time; does nothing when everything is there.
set -euo pipefail

TV_PACKAGES=(build-essential cmake ninja-build pkg-config ccache
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
  libprotobuf-dev protobuf-compiler libsqlite3-dev libpq-dev libsodium-dev libssl-dev
  libstemmer-dev catch2 nodejs npm)
# What the tests run besides the build: PostgreSQL, Chromium and its fonts (browser tests), the
# openssl command (TLS test certificates), Postfix's smtp-sink (email notifier), systemd's
# systemd-analyze (unit check), clang-format 14 and git (format check), clang 14 (the
# thread-safety annotation check, and the fuzz targets of scripts/fuzz.sh) with its runtime
# libraries (libclang-rt-14-dev: ASan, UBSan and libFuzzer; clang-14 only recommends it, through
# libclang-common-14-dev, and we install without recommends), curl (the short soak). A test
# whose tool is missing fails, so every tool a test runs is listed here.
TV_TEST_PACKAGES=(postgresql chromium fonts-liberation openssl postfix systemd clang-format-14 git
  clang-14 libclang-rt-14-dev curl)

tv_install_missing() {
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  # Node.js may come from elsewhere than Debian's package (any node >= 20 will do).
  if command -v node >/dev/null && command -v npm >/dev/null; then
    local kept=()
    for p in "${missing[@]}"; do [[ $p == nodejs || $p == npm ]] || kept+=("$p"); done
    missing=("${kept[@]}")
  fi
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "==> Installing: ${missing[*]}"
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
    -o DPkg::Lock::Timeout=600 "${missing[@]}"
}
