#!/bin/sh
# `make test-v2`: boot Debian's own kernel under qemu (software emulation: TCG) as a pure
# cgroup v2 host, run the checks in it, and fail if any failed. The guest's console is its
# serial port: its lines are printed here as they come, and its last line of results decides.
# Usage: run.sh RELEASE_BIN_DIR [--shell]   (--shell: a shell in the guest instead of the checks)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
bin=$1
shell=${2:-}
kernel=$(ls /boot/vmlinuz-* | sort -V | tail -n 1)
version=${kernel#/boot/vmlinuz-}
work=$(mktemp -d "${TMPDIR:-/tmp}/minidock-v2-vm.XXXXXX")
trap 'rm -rf "$work"' EXIT

sh "$here/build-initramfs.sh" "$work/initramfs.gz" "$version" \
    "$bin/Lesson02" "$bin/Lesson03" "$bin/Lesson04" "$bin/Lesson05" "$bin/CgroupV2Checks" "$bin/minidock"
# KVM exists on these machines but qemu hangs with it: TCG, on purpose. No network device.
if [ "$shell" = "--shell" ]; then
    qemu-system-x86_64 -machine pc -accel tcg -cpu max -smp 2 -m 2048 -nographic -no-reboot -nic none \
        -kernel "$kernel" -initrd "$work/initramfs.gz" \
        -append "console=ttyS0 panic=-1 quiet cgroup_no_v1=all minidock.shell"
    exit 0
fi
timeout 900 qemu-system-x86_64 -machine pc -accel tcg -cpu max -smp 2 -m 2048 \
    -nographic -no-reboot -nic none \
    -kernel "$kernel" -initrd "$work/initramfs.gz" \
    -append "console=ttyS0 panic=-1 quiet cgroup_no_v1=all" \
    < /dev/null | tee "$work/console.log" | grep --line-buffered -E '^(ok|not ok|v2-vm:|#)'
summary=$(grep -E '^v2-vm: [0-9]+ passed, [0-9]+ failed' "$work/console.log" | tail -n 1 || true)
if [ -z "$summary" ]; then
    echo "v2-vm: the guest did not report its results; its console:" >&2
    tail -n 40 "$work/console.log" >&2
    exit 1
fi
case "$summary" in
    *" 0 failed"*) exit 0 ;;
    *) exit 1 ;;
esac
