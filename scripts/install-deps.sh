#!/bin/sh
# Install the Debian packages minidock's build, lessons and tests need — once.
# Idempotent: when every package is already installed it does nothing, not even apt-get update.
set -eu

# Arguments, when given, replace the list (`make deps-v2` passes the VM's packages).
PACKAGES="busybox-static libseccomp-dev libarchive-dev libssl-dev libcurl4-openssl-dev pkg-config skopeo docker-registry apache2-utils openssl python3 zstd runc gcc libc6-dev iproute2 procps util-linux attr podman containerd docker.io"
if [ $# -gt 0 ]; then PACKAGES="$*"; fi

missing=""
for package in $PACKAGES; do
    if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $package"
    fi
done

if [ -n "$missing" ]; then
    echo "install-deps: installing$missing"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    # shellcheck disable=SC2086
    apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi
