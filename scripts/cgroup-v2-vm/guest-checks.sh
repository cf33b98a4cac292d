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

# The OCI runtime layer on v2: a bundle by hand (no python here), then create, start,
# update, pause, resume, stats, exec, kill and delete, each seen in the cgroup's own files.
bundle=/tmp/bundle
mkdir -p $bundle && ln -s $MINIDOCK_ROOTFS $bundle/rootfs
cat > $bundle/config.json <<'JSON'
{"ociVersion": "1.2.0", "root": {"path": "rootfs"}, "hostname": "v2box",
 "process": {"args": ["sleep", "60"], "cwd": "/", "env": ["PATH=/bin:/usr/bin"]},
 "mounts": [{"destination": "/proc", "type": "proc", "source": "proc"},
            {"destination": "/sys/fs/cgroup", "type": "cgroup", "source": "cgroup", "options": ["ro"]}],
 "linux": {"namespaces": [{"type": "pid"}, {"type": "mount"}, {"type": "ipc"}, {"type": "uts"}],
           "cgroupsPath": "/minidock/v2box", "resources": {"memory": {"limit": 134217728}, "pids": {"limit": 50}}}}
JSON
R="minidock-runc --root /tmp/runtime-state"
box=/sys/fs/cgroup/minidock/v2box
runtime_check() {
    name=$1; shift
    if "$@" > /tmp/out 2>&1; then echo "ok - runtime: $name"; passed=$((passed + 1))
    else echo "not ok - runtime: $name: $(tail -n 2 /tmp/out | tr '\n' ' ')"; failed=$((failed + 1)); fi
}
runtime_check "create holds the process in its cgroup" sh -c "$R create -b $bundle v2box && $R state v2box | grep -q created && test \"\$(cat $box/memory.max)\" = 134217728"
runtime_check "start runs it" sh -c "$R start v2box && $R state v2box | grep -q running && grep -q sleep /proc/\$(cat $box/cgroup.procs | head -n 1)/cmdline"
runtime_check "update writes memory.max and pids.max" sh -c "$R update --memory 67108864 --pids-limit 20 v2box && test \"\$(cat $box/memory.max)\" = 67108864 && test \"\$(cat $box/pids.max)\" = 20"
runtime_check "pause freezes, resume thaws" sh -c "$R pause v2box && $R state v2box | grep -q paused && grep -q 'frozen 1' $box/cgroup.events && $R resume v2box && grep -q 'frozen 0' $box/cgroup.events"
runtime_check "events --stats reads the v2 files" sh -c "$R events --stats v2box | grep -q '\"pids\":{\"current\":1}'"
runtime_check "exec joins it and sees its own cgroup" sh -c "$R exec v2box sh -c 'test \$\$ = 2 && cat /sys/fs/cgroup/pids.max' | grep -qx 20"
runtime_check "kill and delete leave no cgroup" sh -c "$R kill v2box KILL; sleep 0.5; $R delete v2box && test ! -e $box && test ! -e /sys/fs/cgroup/minidock"

CgroupV2Checks > /tmp/checks 2>&1
cat /tmp/checks
passed=$((passed + $(grep -c '^ok ' /tmp/checks)))
failed=$((failed + $(grep -c '^not ok ' /tmp/checks)))
[ -s /tmp/checks ] || { echo "not ok - CgroupV2Checks printed nothing"; failed=$((failed + 1)); }

# Before the guest powers off: nothing of minidock's may be left anywhere in the tree.
if find /sys/fs/cgroup -type d -name minidock | grep -q .; then
    echo "not ok - a minidock cgroup is left: $(find /sys/fs/cgroup -type d -name minidock | tr '\n' ' ')"; failed=$((failed + 1))
else
    echo "ok - no minidock cgroup left in the guest"; passed=$((passed + 1))
fi

echo "v2-vm: $passed passed, $failed failed"
