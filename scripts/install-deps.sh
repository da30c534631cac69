#!/usr/bin/env bash
# Installs the Debian packages EcoResupply needs to build and test, when any is missing.
# Runs as root (CI, containers) or through sudo.
set -euo pipefail
# zbar-tools: zbarimg, the standard QR reader the tests check pickup codes with.
# python3-zmq: pyzmq for /usr/bin/python3, which runs the municipal ZeroMQ subscriber of the tests
# (Tests/IntegrationTests/Fixtures/report_subscriber.py, the example of docs/streams.md).
packages=(libzmq3-dev libsqlite3-dev libssl-dev pkg-config zbar-tools python3-zmq)
missing=()
for package in "${packages[@]}"; do
    dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
if [ ${#missing[@]} -eq 0 ]; then
    exit 0
fi
echo "installing: ${missing[*]}"
sudo_cmd=()
[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
