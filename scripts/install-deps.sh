#!/usr/bin/env bash
# Installs the Debian packages EcoResupply needs to build and test, when any is missing.
# Runs as root (CI, containers) or through sudo.
set -euo pipefail
# zbar-tools: zbarimg, the standard QR reader the tests check pickup codes with.
# python3-zmq: pyzmq for /usr/bin/python3, which runs the municipal ZeroMQ subscriber of the tests
# (Tests/IntegrationTests/Fixtures/report_subscriber.py, the example of docs/streams.md).
# curl and jq: the README's shell blocks use them, and ReadmeTests runs those blocks.
# wrk: `ecoresupply bench http` drives the gateway with it (docs/benchmarks.md).
# docker-compose: ComposeValidationTests checks compose/ with `docker-compose config` (no daemon needed).
packages=(libzmq3-dev libsqlite3-dev libssl-dev openssl pkg-config zbar-tools python3-zmq curl jq wrk docker-compose)
missing=()
for package in "${packages[@]}"; do
    dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
# kubectl: KubernetesManifestTests builds deploy/kubernetes with `kubectl kustomize`; any kubectl
# will do, and Debian's kubernetes-client is the one installed when there is none.
command -v kubectl >/dev/null 2>&1 || missing+=(kubernetes-client)
if [ ${#missing[@]} -gt 0 ]; then
    echo "installing: ${missing[*]}"
    sudo_cmd=()
    [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
    export DEBIAN_FRONTEND=noninteractive
    "${sudo_cmd[@]}" apt-get update -qq
    "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
# schemathesis (PyPI) checks the live OpenAPI document in the tests (SchemathesisTests), with the
# python3 on PATH; pinned so that a new release cannot change what the tests check.
schemathesis_version=4.32.5
if ! python3 -c "import schemathesis, sys; sys.exit(schemathesis.__version__ != '$schemathesis_version')" >/dev/null 2>&1; then
    echo "installing: schemathesis $schemathesis_version (PyPI)"
    python3 -m pip install -q --disable-pip-version-check --root-user-action=ignore "schemathesis==$schemathesis_version"
fi
# kubernetes-validate (PyPI) checks the built manifests against Kubernetes' own schemas, which it
# ships, so no cluster and no network are needed (KubernetesManifestTests); pinned like schemathesis.
kubernetes_validate_version=1.31.0
if ! python3 -c "import kubernetes_validate.version as v, sys; sys.exit(v.__version__ != '$kubernetes_validate_version')" >/dev/null 2>&1; then
    echo "installing: kubernetes-validate $kubernetes_validate_version (PyPI)"
    python3 -m pip install -q --disable-pip-version-check --root-user-action=ignore "kubernetes-validate==$kubernetes_validate_version"
fi
