#!/bin/sh
# Build the busybox rootfs fixture the lessons default to, from the host's busybox-static:
# one static binary, a symlink per applet, the directories a container expects, and the
# breakout program of Lesson02 compiled statically into /usr/local/bin.
#
# Usage: scripts/make-busybox-rootfs.sh DEST   (DEST is replaced if it exists)
set -eu

dest=${1:?usage: make-busybox-rootfs.sh DEST}
here=$(cd "$(dirname "$0")" && pwd)
busybox=/bin/busybox

if ! "$busybox" --list >/dev/null 2>&1; then
    echo "make-busybox-rootfs: $busybox is missing; install busybox-static" >&2
    exit 1
fi
# A dynamic busybox would need the host's libc inside the rootfs.
if ! ldd "$busybox" 2>&1 | grep -q "not a dynamic executable"; then
    echo "make-busybox-rootfs: $busybox is not static; install busybox-static" >&2
    exit 1
fi

staging="$dest.tmp.$$"
rm -rf "$staging"
trap 'rm -rf "$staging"' EXIT
mkdir -p "$staging"
cd "$staging"
mkdir -p bin sbin usr/bin usr/sbin usr/local/bin etc root tmp proc sys dev var/log home
chmod 1777 tmp
chmod 700 root
cp "$busybox" bin/busybox
for applet in $("$busybox" --list-full); do
    [ "$applet" = bin/busybox ] && continue
    mkdir -p "$(dirname "$applet")"
    ln -sf /bin/busybox "$applet"
done
cat > etc/passwd <<'PASSWD'
root:x:0:0:root:/root:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
PASSWD
cat > etc/group <<'GROUP'
root:x:0:
tty:x:5:
nogroup:x:65534:
GROUP
echo busybox > etc/hostname
gcc -static -O2 -o usr/local/bin/breakout "$here/breakout.c"
cd - >/dev/null

rm -rf "$dest"
mv "$staging" "$dest"
trap - EXIT
echo "make-busybox-rootfs: $dest ($(ls "$dest/bin" | wc -l) entries in /bin)"
