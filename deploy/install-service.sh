#!/usr/bin/env bash
# Installs Agora as a systemd service: a dedicated user, the binary in
# /usr/local/bin, config in /etc/agora, state in /var/lib/agora.
# Run as root from the repository after `bash deploy/quickstart.sh test` or a
# release build (cmake --preset release && cmake --build --preset release).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bin=build/release/app/agora
if [ ! -x "$bin" ]; then
  bash deploy/install-deps.sh
  cmake --preset release > /dev/null
  cmake --build --preset release --target agora
fi

id agora > /dev/null 2>&1 || useradd --system --home /var/lib/agora --shell /usr/sbin/nologin agora
install -d -o agora -g agora -m 0750 /var/lib/agora
install -d -m 0755 /etc/agora
install -m 0755 "$bin" /usr/local/bin/agora
if [ ! -f /etc/agora/agora.json ]; then
  sed -e 's#"data_dir": "var"#"data_dir": "/var/lib/agora"#' \
      config/paper.json > /etc/agora/agora.json
fi
if [ ! -f /etc/agora/macro-calendar.json ]; then
  install -m 0644 config/macro-calendar.json /etc/agora/macro-calendar.json
fi
if [ ! -f /etc/agora/agora.env ]; then
  install -m 0600 /dev/null /etc/agora/agora.env
fi
install -m 0644 deploy/agora.service /etc/systemd/system/agora.service
install -m 0644 deploy/sysctl-agora.conf /etc/sysctl.d/60-agora.conf
sysctl --system > /dev/null || true
systemctl daemon-reload
echo "installed: systemctl enable --now agora; journalctl -u agora -f;"
echo "CLI: sudo -u agora agora --config /etc/agora/agora.json graph"
