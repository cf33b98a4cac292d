# minidock — each target installs what it needs first, so any of them can be the first
# command typed on a fresh machine. Root is needed: lessons create namespaces and mount.

SWIFT        ?= swift
RELEASE_FLAGS = -c release --static-swift-stdlib
ROOTFS        = fixtures/busybox-rootfs
RELEASE_BIN   = .build/release

.PHONY: all deps rootfs build demo test clean

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

# Lesson03 on the busybox rootfs: the trace of every kernel call, then the container's view.
# Then the same rootfs as an image, made with `minidock import`, in a store of the demo's own.
DEMO_ROOT = .build-demo/minidock
demo: rootfs build
	$(RELEASE_BIN)/Lesson03 --hostname demo -- sh -c \
	  'echo "hostname: $$(hostname)"; echo "my PID: $$$$"; ps; echo; ls /dev; echo; grep -E " /(proc|dev|sys)" /proc/mounts'
	$(RELEASE_BIN)/minidock import --root $(DEMO_ROOT) $(ROOTFS) busybox
	$(RELEASE_BIN)/minidock images --root $(DEMO_ROOT)

# The whole suite: unit tests, the lessons run as a learner would, the CLI end to end.
test: rootfs
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build --disable-swift-testing

clean:
	rm -rf .build fixtures
