# minidock — each target installs what it needs first, so any of them can be the first
# command typed on a fresh machine. Root is needed: lessons create namespaces and mount.

SWIFT        ?= swift
RELEASE_FLAGS = -c release --static-swift-stdlib
ROOTFS        = fixtures/busybox-rootfs
RELEASE_BIN   = .build/release

.PHONY: all deps deps-v2 deps-bench rootfs build demo test test-v2 bench clean

all: build

# Debian packages (apt-get update runs only when something is missing).
deps:
	@sh scripts/install-deps.sh

# The busybox rootfs every lesson defaults to, rebuilt when its recipe changes.
rootfs: deps fixtures/.busybox-rootfs.stamp

fixtures/.busybox-rootfs.stamp: scripts/make-busybox-rootfs.sh scripts/breakout.c
	@sh scripts/make-busybox-rootfs.sh $(ROOTFS)
	@touch $@

# Release binaries, statically linked against the Swift runtime: what is shipped and timed.
build: deps
	$(SWIFT) build $(RELEASE_FLAGS)
	ln -sf minidock $(RELEASE_BIN)/minidock-runc

# Lesson03 on the busybox rootfs: the trace of every kernel call, then the container's view.
# Then the same rootfs as an image, made with `minidock import`, in a store of the demo's own.
DEMO_ROOT = .build-demo/minidock
demo: rootfs build
	$(RELEASE_BIN)/Lesson03 --hostname demo -- sh -c \
	  'echo "hostname: $$(hostname)"; echo "my PID: $$$$"; ps; echo; ls /dev; echo; grep -E " /(proc|dev|sys)" /proc/mounts'
	$(RELEASE_BIN)/minidock import --root $(DEMO_ROOT) $(ROOTFS) busybox
	$(RELEASE_BIN)/minidock images --root $(DEMO_ROOT)

# The whole suite: unit tests, the lessons run as a learner would, the CLI end to end; then
# the same lessons and the cgroup code on a pure cgroup v2 kernel, in a VM.
test: rootfs
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build --disable-swift-testing
	$(MAKE) test-v2

# qemu, Debian's kernel and cpio for the v2 guest (apart from `deps`: `make demo` needs none).
deps-v2:
	@sh scripts/install-deps.sh qemu-system-x86 linux-image-amd64 cpio

# Most users' hosts are pure cgroup v2; this machine is hybrid. Boot Debian's kernel under qemu
# as a v2 host, with the release binaries, and run the lessons and the cgroup checks there.
test-v2: rootfs deps-v2 build
	sh scripts/cgroup-v2-vm/run.sh $(RELEASE_BIN)

# The peers the benchmark compares minidock with, and its tools (apart from `deps`: only
# `make bench` needs them). docker.io brings dockerd and containerd, started by the bench itself.
deps-bench:
	@sh scripts/install-deps.sh crun runc podman conmon docker.io containerd hyperfine skopeo umoci docker-registry python3 tar

# Side by side with crun, runc, podman and Docker (never part of `make test`; no test times
# anything): bench/results/latest.json, latest.md and latest.svg. See docs/performance.md.
bench: rootfs build deps-bench
	python3 bench/bench.py

clean:
	rm -rf .build fixtures
