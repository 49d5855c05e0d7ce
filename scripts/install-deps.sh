#!/usr/bin/env bash
# Installs the Debian 12 packages treeline needs to build, test and benchmark.
# Idempotent: asks apt only for what is missing. apt-get as root, through sudo otherwise.
set -euo pipefail

packages=(
  build-essential cmake pkg-config
  libxgboost-dev libsqlite3-dev libyaml-cpp-dev nlohmann-json3-dev libcli11-dev
  libfmt-dev libcurl4-openssl-dev libssl-dev zlib1g-dev
  libfast-float-dev libeigen3-dev libgtest-dev
  python3 python3-xgboost python3-sklearn python3-pandas python3-optuna
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ]; then sudo=(); else sudo=(sudo); fi
echo "treeline: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
