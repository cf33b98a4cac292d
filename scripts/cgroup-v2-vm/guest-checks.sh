#!/bin/sh
# Run inside the v2 guest (busybox sh), from /opt/minidock: the lessons as a learner would run
# them on a pure cgroup v2 laptop, then the Runtime's own cgroup checks. One `ok`/`not ok` line
# per check; after each, nothing of minidock's may be left in /sys/fs/cgroup. The last line is
# the count the host reads.
export MINIDOCK_ROOTFS=/opt/minidock/fixtures/busybox-rootfs
export PATH=/opt/minidock/bin:$PATH
passed=0 failed=0

leftovers() { [ -e /sys/fs/cgroup/minidock ] && echo "/sys/fs/cgroup/minidock left behind"; }

# lesson NAME EXPECTED-STATUS EXPECTED-TEXT-ON-STDERR -- ARGS...
lesson() {
    name=$1 want=$2 text=$3
    shift 4
    "$@" > /tmp/out 2> /tmp/err
    status=$?
    problem=""
    [ "$status" = "$want" ] || problem="exit $status, not $want: $(tail -n 2 /tmp/err | tr '\n' ' ')"
    [ -z "$problem" ] && [ -n "$text" ] && ! grep -q "$text" /tmp/err && problem="stderr lacks '$text': $(tail -n 3 /tmp/err | tr '\n' ' ')"
    [ -z "$problem" ] && problem=$(leftovers)
    if [ -z "$problem" ]; then
        echo "ok - $name"; passed=$((passed + 1))
    else
        echo "not ok - $name: $problem"; failed=$((failed + 1))
    fi
}

lesson "Lesson02: chroot, the breakout, pivot_root" 0 "" -- Lesson02 --quiet -- true
lesson "Lesson03: namespaces" 0 "" -- Lesson03 --quiet -- sh -c 'test "$$" = 1 && test "$(hostname)" = lesson03'
lesson "Lesson04 --memory alone" 0 "" -- Lesson04 --quiet --memory 256m -- /bin/true
lesson "Lesson04 --pids alone" 0 "" -- Lesson04 --quiet --pids 10 -- /bin/true
lesson "Lesson04 --cpus alone" 0 "" -- Lesson04 --quiet --cpus 0.5 -- /bin/true
lesson "Lesson04 every limit" 0 "" -- Lesson04 --quiet --memory 64m --cpus 0.5 --pids 20 -- /bin/true
lesson "Lesson04 OOM: 137 and OOMKilled" 137 "OOMKilled: true" -- Lesson04 --quiet --memory 32m -- dd if=/dev/zero of=/dev/null bs=128M count=1
lesson "Lesson04 --demo oom" 137 "OOMKilled: true" -- Lesson04 --quiet --demo oom
lesson "Lesson04 --demo fork-bomb: forks refused" 0 "forks refused by the pids limit: [1-9]" -- Lesson04 --quiet --demo fork-bomb
lesson "Lesson05: overlay layers" 0 "lower layers unchanged: yes" -- Lesson05 --quiet -- sh -c 'cat /etc/motd'

CgroupV2Checks > /tmp/checks 2>&1
cat /tmp/checks
passed=$((passed + $(grep -c '^ok ' /tmp/checks)))
failed=$((failed + $(grep -c '^not ok ' /tmp/checks)))
[ -s /tmp/checks ] || { echo "not ok - CgroupV2Checks printed nothing"; failed=$((failed + 1)); }

echo "v2-vm: $passed passed, $failed failed"
