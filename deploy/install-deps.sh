#!/usr/bin/env bash
# Installs the Debian 12 packages Agora builds against, only those missing.
# Idempotent: a second run with everything present does nothing but check.
set -euo pipefail

packages=(
  build-essential cmake
  libcaf-dev
  libboost1.81-dev
  libssl-dev
  rapidjson-dev
  libsqlite3-dev
  zlib1g-dev
  libcairo2-dev fonts-dejavu-core
  libspdlog-dev libfmt-dev
  catch2
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
