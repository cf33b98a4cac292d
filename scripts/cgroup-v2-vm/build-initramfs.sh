#!/bin/sh
# Build the v2 test guest's initramfs: busybox, the release binaries with the shared libraries
# they load (found with ldd), the busybox rootfs fixture, the overlay module of the guest's
# kernel, and the checks. Usage: build-initramfs.sh OUTPUT KERNEL_VERSION BINARY...
set -eu
here=$(cd "$(dirname "$0")" && pwd)
output=$1 kernel=$2
shift 2
stage=$(mktemp -d "${TMPDIR:-/tmp}/minidock-v2-initramfs.XXXXXX")
trap 'rm -rf "$stage"' EXIT

mkdir -p "$stage/bin" "$stage/lib/modules" "$stage/opt/minidock/bin" "$stage/opt/minidock/fixtures"
cp /bin/busybox "$stage/bin/busybox"
for applet in $(/bin/busybox --list); do
    [ -e "$stage/bin/$applet" ] || ln -s busybox "$stage/bin/$applet"
done
# Each "lib => /path (addr)" or "/lib64/ld-linux… (addr)" line: copy the file to the same path.
copy_libraries() {
    ldd "$1" | awk '/=> \// { print $3 } /^\t\// { print $1 }' | while read -r library; do
        mkdir -p "$stage$(dirname "$library")"
        cp -L "$library" "$stage$library"
    done
}
for binary in "$@"; do
    cp "$binary" "$stage/opt/minidock/bin/"
    copy_libraries "$binary"
done
# The libraries the binaries load on first use (Sources/CLoader, dlopen), which ldd does not
# list: each one, and what it needs.
for soname in libarchive.so.13 libcrypto.so.3 libcurl.so.4; do
    library=$(ldconfig -p | awk -v name="$soname" '$1 == name { print $NF; exit }')
    [ -n "$library" ] || { echo "build-initramfs: $soname not found" >&2; exit 1; }
    mkdir -p "$stage$(dirname "$library")"
    cp -L "$library" "$stage$library"
    copy_libraries "$library"
done
# The OCI runtime face is the same binary under runc's name.
[ -e "$stage/opt/minidock/bin/minidock" ] && ln -s minidock "$stage/opt/minidock/bin/minidock-runc"
cp -a "$here/../../fixtures/busybox-rootfs" "$stage/opt/minidock/fixtures/"
cp "/lib/modules/$kernel/kernel/fs/overlayfs/overlay.ko" "$stage/lib/modules/"
cp "$here/init" "$here/init2" "$stage/"
cp "$here/guest-checks.sh" "$stage/opt/minidock/"
(cd "$stage" && find . | cpio --quiet -o -H newc | gzip -1) > "$output"
