#!/usr/bin/env python3
"""minidock's benchmark, side by side with crun, runc, podman and Docker (`make bench`).

Each comparison is one hyperfine run holding minidock's command and the peers' commands, so
they run on the same machine in the same minute. A comparison whose minidock command does not
exist yet is listed as *missing* (probed with `minidock CMD --help` / the binary's presence),
never faked; the peers' numbers are measured anyway, so the row is ready the day it lands.

Everything the benchmark starts (dockerd with its containerd, a docker-registry on 127.0.0.1,
containers) lives under one temporary directory, is stopped by the PID it was started with,
and is removed afterwards. Peers' quirks on this machine are handled for the peers only:
podman gets its ulimits through CONTAINERS_CONF (a temp file), crun and runc get a bundle whose
cgroup is under the `minidock` parent, dockerd gets `--cgroup-parent` under it too.

Results: bench/results/latest.json, latest.md, latest.svg (written by report.py).
Knobs (environment): BENCH_QUICK=1 (fewer runs), BENCH_CONTAINERS=N (default 100),
BENCH_SKIP=docker,podman (peers to leave out), BENCH_LAYER_MB (default 100).
"""
import json
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
BIN = os.path.join(REPO, ".build", "release")
ROOTFS = os.path.join(REPO, "fixtures", "busybox-rootfs")
RESULTS = os.path.join(HERE, "results")
QUICK = os.environ.get("BENCH_QUICK") == "1"
CONTAINERS = int(os.environ.get("BENCH_CONTAINERS", "100"))
LAYER_MB = int(os.environ.get("BENCH_LAYER_MB", "100"))
SKIP = set(filter(None, os.environ.get("BENCH_SKIP", "").split(",")))
CGROUP_PARENT = "minidock"  # every cgroup a peer creates here goes under it


def log(message):
    print(f"bench: {message}", flush=True)


def sh(command, check=True, env=None, quiet=True, timeout=600):
    """Run a shell command; its output is returned (stderr too when it fails)."""
    result = subprocess.run(command, shell=True, env=env, text=True, timeout=timeout,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    if check and result.returncode != 0:
        raise RuntimeError(f"`{command}` exited {result.returncode}: {result.stdout.strip()[-2000:]}")
    if not quiet:
        print(result.stdout, end="")
    return result.stdout


class Bench:
    def __init__(self):
        self.tmp = tempfile.mkdtemp(prefix="minidock-bench.")
        os.chmod(self.tmp, 0o700)
        self.cleanups = []          # run last-in first-out, whatever happens
        self.started = []           # (name, Popen) of every process the bench started
        self.comparisons = []       # what report.py turns into the table and the chart
        self.memory = []            # private memory measurements
        self.env = dict(os.environ)
        self.env["MINIDOCK_ROOT"] = self.path("minidock")
        self.env["DOCKER_CONFIG"] = self.path("docker-config")   # nothing written to ~/.docker
        os.makedirs(self.path("docker-config"))
        with open(self.path("docker-config", "config.json"), "w") as f:
            f.write("{}\n")

    def path(self, *parts):
        return os.path.join(self.tmp, *parts)

    # --- what exists -------------------------------------------------------------------

    def minidock_has(self, command):
        """Whether `minidock COMMAND` exists today: its --help shows its own usage (for an
        unknown command ArgumentParser shows the root's help and still exits 0)."""
        result = subprocess.run([f"{BIN}/minidock", *command.split(), "--help"], text=True,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        return result.returncode == 0 and f"USAGE: minidock {command}" in result.stdout

    def minidock_runc(self):
        """`minidock-runc` as its own binary, or `minidock runtime` as a subcommand group."""
        if os.access(f"{BIN}/minidock-runc", os.X_OK):
            return f"{BIN}/minidock-runc"
        if self.minidock_has("runtime run"):
            return f"{BIN}/minidock runtime"
        return None

    # --- hyperfine ---------------------------------------------------------------------

    def compare(self, key, title, entries, runs=20, warmup=3, shell=True, prepare=None, note="", rounds=1):
        """One hyperfine run over every entry that exists; the others are recorded as missing.

        entries: list of dicts {label, command (None when missing), engine, missing (why)}.
        prepare: a shell command run before each timing run (hyperfine --prepare), or a dict
        label -> command when each entry needs its own.
        rounds: hyperfine runs each command's runs back to back, so a burst of load on the
        machine lands on one command; with several rounds (each of every command) the samples
        are pooled, and a burst is shared out. For the short commands, where it matters.
        """
        if QUICK:
            runs, warmup, rounds = (runs if runs <= 1 else max(3, runs // 4)), min(warmup, 1), min(rounds, 2)
        present = [e for e in entries if e.get("command")]
        result = {"key": key, "title": title, "note": note, "runs": runs, "warmup": warmup, "entries": []}
        result["rounds"] = rounds
        measured = {}
        for index in range(rounds if present else 0):
            out = self.path("hyperfine", f"{key}-{index}.json")
            os.makedirs(os.path.dirname(out), exist_ok=True)
            args = ["hyperfine", "--style", "basic", "--runs", str(runs), "--export-json", out]
            if warmup:
                args += ["--warmup", str(warmup)]
            if not shell:
                args.append("-N")
            # hyperfine takes one --prepare per command when given several, in order.
            if isinstance(prepare, dict):
                for entry in present:
                    args += ["--prepare", prepare.get(entry["label"], "true")]
            elif prepare:
                args += ["--prepare", prepare]
            for entry in present:
                args += ["--command-name", entry["label"], entry["command"]]
            log(f"{title}: " + ", ".join(e["label"] for e in present) + (f" (round {index + 1} of {rounds})" if rounds > 1 else ""))
            completed = subprocess.run(args, env=self.env, text=True,
                                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
            if completed.returncode != 0:
                print(completed.stdout[-3000:])
                raise RuntimeError(f"hyperfine failed for {key}")
            with open(out) as f:
                for r in json.load(f)["results"]:
                    pooled = measured.setdefault(r["command"], {"times": [], "user": [], "system": []})
                    pooled["times"] += r["times"]
                    pooled["user"].append(r["user"])
                    pooled["system"].append(r["system"])
        for entry in entries:
            row = {"label": entry["label"], "engine": entry["engine"],
                   "command": entry.get("command") or entry.get("would_run", "")}
            r = measured.get(entry["label"])
            if r is None:
                row["status"] = "missing"
                row["why"] = entry.get("missing", "")
            else:
                times = sorted(r["times"])
                q = lambda p: times[min(len(times) - 1, int(p * (len(times) - 1) + 0.5))]
                row.update(status="measured", median=statistics.median(times), mean=statistics.mean(times),
                           stddev=statistics.stdev(times) if len(times) > 1 else None,
                           min=times[0], max=times[-1], q1=q(0.25), q3=q(0.75), runs=len(times),
                           user=statistics.mean(r["user"]), system=statistics.mean(r["system"]),
                           times=[round(t, 6) for t in r["times"]])
            result["entries"].append(row)
        self.comparisons.append(result)
        return result

    # --- processes the bench owns ------------------------------------------------------

    def start(self, name, argv, logfile, env=None):
        f = open(logfile, "w")
        process = subprocess.Popen(argv, stdout=f, stderr=subprocess.STDOUT, env=env or self.env,
                                   start_new_session=True)
        self.started.append((name, process))
        self.cleanups.append(lambda: self.stop(name, process))
        return process

    def stop(self, name, process, timeout=30):
        if process.poll() is not None:
            return
        log(f"stopping {name} (PID {process.pid})")
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def cleanup(self):
        while self.cleanups:
            action = self.cleanups.pop()
            try:
                action()
            except Exception as error:  # keep cleaning
                log(f"cleanup: {error}")
        self.unmount_under(self.tmp)
        shutil.rmtree(self.tmp, ignore_errors=True)
        if os.path.exists(self.tmp):
            log(f"left behind: {self.tmp}")

    @staticmethod
    def unmount_under(directory):
        """Unmount whatever is still mounted under our temp directory, deepest first."""
        for _ in range(3):
            with open("/proc/self/mountinfo") as f:
                points = [line.split()[4] for line in f]
            points = [p for p in points if p == directory or p.startswith(directory + "/")]
            if not points:
                return
            for point in sorted(points, key=len, reverse=True):
                subprocess.run(["umount", "-l", point], stderr=subprocess.DEVNULL)

    # --- fixtures ------------------------------------------------------------------------

    def prepare_images(self):
        log(f"preparing the busybox image and a {LAYER_MB} MB layer under {self.tmp}")
        # The busybox rootfs as a tarball: what every engine imports.
        sh(f"tar -C {ROOTFS} -cf {self.path('busybox.tar')} .")
        # The big layer: busybox plus deterministic files, half random bytes and half text,
        # so it compresses about as well as real images do (numbers are reproducible).
        big = self.path("big-rootfs")
        shutil.copytree(ROOTFS, big, symlinks=True)
        generator = random.Random(13)
        words = [generator.randbytes(6).hex() for _ in range(2000)]
        data = os.path.join(big, "data")
        os.makedirs(data)
        size = 256 * 1024
        for i in range(LAYER_MB * 1024 * 1024 // size):
            with open(os.path.join(data, f"file{i:04d}"), "wb") as f:
                if i % 2:
                    f.write(generator.randbytes(size))
                else:
                    text = " ".join(generator.choice(words) for _ in range(size // 13 + 1)).encode()
                    f.write(text[:size])
        sh(f"tar -C {big} -cf {self.path('big.tar')} .")
        shutil.rmtree(big)
        # OCI layouts with umoci (a neutral tool), then a docker-archive of each with skopeo.
        layout = self.path("oci")
        sh(f"umoci init --layout {layout}")
        for name, tar in (("busybox", "busybox.tar"), ("big", "big.tar")):
            sh(f"umoci new --image {layout}:{name}")
            sh(f"umoci raw add-layer --image {layout}:{name} {self.path(tar)}")
            sh(f"umoci config --image {layout}:{name} --config.cmd sh --architecture amd64 --os linux")
            sh(f"skopeo copy -q oci:{layout}:{name} docker-archive:{self.path(name + '-docker.tar')}:{name}:bench")

    def prepare_bundle(self):
        """An OCI bundle of the busybox rootfs for crun and runc: `crun spec`'s defaults,
        running `true`, no terminal, its cgroup under the minidock parent."""
        bundle = self.path("bundle")
        os.makedirs(bundle)
        shutil.copytree(ROOTFS, os.path.join(bundle, "rootfs"), symlinks=True)
        sh(f"cd {bundle} && crun spec")
        with open(os.path.join(bundle, "config.json")) as f:
            spec = json.load(f)
        spec["process"]["args"] = ["true"]
        spec["process"]["terminal"] = False
        # crun's default spec asks for RLIMIT_NOFILE 1024 (fine) and nothing above the hard limit.
        spec["linux"]["cgroupsPath"] = f"/{CGROUP_PARENT}/bench-{os.getpid()}"
        with open(os.path.join(bundle, "config.json"), "w") as f:
            json.dump(spec, f, indent=1)
        return bundle

    # --- peers ---------------------------------------------------------------------------

    def start_registry(self):
        directory = self.path("registry")
        os.makedirs(directory)
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        with open(os.path.join(directory, "config.yml"), "w") as f:
            f.write(f"version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: {directory}/data\n"
                    f"  delete:\n    enabled: true\nhttp:\n  addr: 127.0.0.1:{port}\n")
        self.start("docker-registry", ["docker-registry", "serve", os.path.join(directory, "config.yml")],
                   os.path.join(directory, "log"))
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), 0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        self.registry = f"127.0.0.1:{port}"
        sh(f"skopeo copy -q --dest-tls-verify=false oci:{self.path('oci')}:big docker://{self.registry}/big:bench")
        log(f"registry on {self.registry} holds big:bench")

    def podman_setup(self):
        """podman with its own storage under the temp dir, the default ulimits this machine
        allows (no CAP_SYS_RESOURCE: raising nofile/nproc is refused), cgroupfs, no systemd."""
        conf = self.path("containers.conf")
        with open(conf, "w") as f:
            f.write('[containers]\ndefault_ulimits = ["nofile=1024:1024", "nproc=4096:4096"]\n'
                    f'cgroups = "enabled"\n[engine]\ncgroup_manager = "cgroupfs"\nevents_logger = "file"\n'
                    f'events_logfile_path = "{self.path("podman-events.log")}"\n')
        self.env["CONTAINERS_CONF"] = conf
        root, runroot = self.path("podman", "root"), self.path("podman", "run")
        self.podman = f"podman --root {root} --runroot {runroot} --tmpdir {self.path('podman', 'tmp')} --storage-driver overlay"
        self.podman_run = f"{self.podman} run --cgroup-parent=/{CGROUP_PARENT}/bench-podman --network none"
        self.cleanups.append(lambda: sh(f"{self.podman} rm -af -t 0; {self.podman} rmi -af", check=False, env=self.env))
        sh(f"{self.podman} import -q {self.path('busybox.tar')} localhost/busybox:bench", env=self.env)
        # a throw-away run: podman's first run creates its state; check it works here
        sh(f"{self.podman_run} --rm localhost/busybox:bench true", env=self.env)

    def docker_setup(self):
        """dockerd of the bench's own: state under the temp dir, no bridge, no iptables,
        cgroups under the minidock parent; stopped by its PID afterwards."""
        d = self.path("docker")
        os.makedirs(d)
        socket_path = os.path.join(d, "docker.sock")
        argv = ["dockerd", "--data-root", os.path.join(d, "data"), "--exec-root", os.path.join(d, "exec"),
                "--pidfile", os.path.join(d, "dockerd.pid"), "--host", f"unix://{socket_path}",
                "--bridge=none", "--iptables=false", "--ip6tables=false", "--ip-masq=false",
                "--exec-opt", "native.cgroupdriver=cgroupfs", "--cgroup-parent", f"/{CGROUP_PARENT}/bench-docker",
                "--default-ulimit", "nofile=1024:1024", "--userland-proxy=false", "--log-level", "error",
                "--config-file", os.path.join(d, "daemon.json")]
        with open(os.path.join(d, "daemon.json"), "w") as f:
            f.write("{}\n")
        self.env["DOCKER_HOST"] = f"unix://{socket_path}"
        self.dockerd = self.start("dockerd", argv, os.path.join(d, "dockerd.log"))
        for _ in range(300):
            if subprocess.run(["docker", "version"], env=self.env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL).returncode == 0:
                break
            if self.dockerd.poll() is not None:
                raise RuntimeError("dockerd exited: " + open(os.path.join(d, "dockerd.log")).read()[-2000:])
            time.sleep(0.1)
        else:
            raise RuntimeError("dockerd did not answer in 30 s")
        self.cleanups.append(lambda: sh("docker rm -f $(docker ps -aq) >/dev/null 2>&1; docker system prune -af >/dev/null 2>&1",
                                        check=False, env=self.env))
        sh(f"docker load -q -i {self.path('busybox-docker.tar')}", env=self.env)
        sh("docker run --rm --network none busybox:bench true", env=self.env)
        log(f"dockerd {self.dockerd.pid} answers on {socket_path}")


def private_kib(pid):
    """Private memory of a process (Private_Clean + Private_Dirty), in KiB."""
    total = 0
    with open(f"/proc/{pid}/smaps_rollup") as f:
        for line in f:
            if line.startswith(("Private_Clean:", "Private_Dirty:")):
                total += int(line.split()[1])
    return total


def find_process(argv):
    """The PID whose command line is exactly argv (a unique `sleep N` marks each engine's container)."""
    wanted = "\0".join(argv) + "\0"
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/cmdline") as f:
                if f.read() == wanted:
                    return int(pid)
        except OSError:
            pass
    return None


def parent_of(pid):
    with open(f"/proc/{pid}/stat") as f:
        return int(f.read().rsplit(")", 1)[1].split()[1])


def process_name(pid):
    with open(f"/proc/{pid}/comm") as f:
        return f.read().strip()


def hide_hybrid_controllers():
    """crun refuses a hybrid host whose cgroup v2 hierarchy has controllers ("cgroups in hybrid
    mode not supported, drop all controllers from cgroupv2"); here v2 holds only hugetlb, which
    nothing benchmarked uses. So the bench runs in a mount namespace of its own where that
    hierarchy's cgroup.controllers reads empty: the host is not changed, nothing is left to
    restore, and every engine (crun directly, podman through crun, runc, dockerd) sees the same.
    Returns True when it ran the bench in such a namespace (the caller is then done)."""
    controllers = "/sys/fs/cgroup/unified/cgroup.controllers"
    if os.environ.get("BENCH_IN_NAMESPACE") or not os.path.exists(controllers):
        return False
    with open(controllers) as f:
        if not f.read().strip():
            return False
    empty = tempfile.NamedTemporaryFile(prefix="minidock-bench-empty.")
    env = dict(os.environ, BENCH_IN_NAMESPACE="1")
    log("hybrid cgroups: running in a mount namespace where cgroup v2 shows no controllers (for crun)")
    script = f"mount --bind {empty.name} {controllers} && exec {sys.executable} {os.path.abspath(__file__)}"
    code = subprocess.run(["unshare", "--mount", "--propagation", "private", "sh", "-c", script], env=env).returncode
    empty.close()
    if code:
        sys.exit(code)
    return True


def main():
    if os.geteuid() != 0:
        sys.exit("bench: run as root (containers need it)")
    if hide_hybrid_controllers():
        return
    for tool in ("hyperfine", "crun", "runc", "skopeo", "umoci", "docker-registry"):
        if not shutil.which(tool):
            sys.exit(f"bench: {tool} is missing; `make bench` installs it")
    if not os.path.isdir(ROOTFS) or not os.access(f"{BIN}/minidock", os.X_OK):
        sys.exit("bench: run `make rootfs build` first (`make bench` does)")

    b = Bench()
    # What dockerd, its containerd and podman write outside their --data-root/--exec-root/--root
    # whatever they are told: removed afterwards when the bench made them (not when they were there).
    host_paths = ["/etc/docker/key.json", "/run/docker", "/run/containerd", "/var/lib/docker",
                  "/var/lib/containerd", "/run/containers", "/run/libpod"]
    host_existed = {p for p in host_paths if os.path.lexists(p)}
    cgroup_parents = [f"/sys/fs/cgroup/{c}/{CGROUP_PARENT}" for c in os.listdir("/sys/fs/cgroup")]
    existed = {p for p in cgroup_parents if os.path.isdir(p)}
    try:
        run(b)
    finally:
        log("cleaning up")
        b.cleanup()
        # The bench's cgroups (bench-*) are gone with their containers; remove what is left of
        # them, and the minidock parent only if the bench created it and it is empty.
        for path in host_paths:
            if path not in host_existed and os.path.lexists(path):
                log(f"removing {path}, which the bench's peers created")
                if os.path.isdir(path) and not os.path.islink(path):
                    shutil.rmtree(path, ignore_errors=True)
                else:
                    os.remove(path)
        for parent in cgroup_parents:
            if not os.path.isdir(parent):
                continue
            for child in sorted(os.listdir(parent)):
                if child.startswith("bench-"):
                    subprocess.run(f"find {parent}/{child} -depth -type d -exec rmdir {{}} + 2>/dev/null", shell=True)
            if parent not in existed:
                try:
                    os.rmdir(parent)
                except OSError:
                    pass
    subprocess.run([sys.executable, os.path.join(HERE, "report.py")], check=True)


def run(b):
    md = f"{BIN}/minidock"
    b.prepare_images()
    bundle = b.prepare_bundle()
    peers = []
    if "podman" not in SKIP and shutil.which("podman"):
        b.podman_setup()
        peers.append("podman")
    if "docker" not in SKIP and shutil.which("dockerd"):
        b.docker_setup()
        peers.append("docker")
    b.start_registry()
    sh(f"{md} import {b.path('busybox.tar')} busybox:bench", env=b.env)
    P = getattr(b, "podman", "podman")
    PR = getattr(b, "podman_run", "podman run")
    has = {c: b.minidock_has(c) for c in ("run", "create", "start", "exec", "ps", "rm")}
    runc_face = b.minidock_runc()
    why = lambda c: f"`minidock {c}` does not exist yet"

    def peer(label, engine, command):
        return {"label": label, "engine": engine, "command": command if engine in peers or engine in ("crun", "runc", "skopeo", "tar", "umoci") else None,
                "missing": f"{engine} left out (BENCH_SKIP)" if engine in SKIP else f"{engine} not set up"}

    def mine(label, command, exists, missing):
        return {"label": label, "engine": "minidock", "command": command if exists else None,
                "would_run": command, "missing": missing}

    # 1. Start-up: the binary doing nothing but print its version.
    b.compare("startup", "start-up (print the version)", [
        mine("minidock version", f"{md} version", True, ""),
        peer("crun --version", "crun", "crun --version"),
        peer("runc --version", "runc", "runc --version"),
        peer("podman --version", "podman", "podman --version"),
        peer("docker --version", "docker", "docker --version"),
    ], runs=60, warmup=10, shell=False, rounds=5)

    # 2. A prepared bundle through the OCI runtimes (runc's `run`: create, start, wait, delete).
    b.compare("bundle-run", "OCI bundle run (`true`)", [
        mine("minidock-runc run", f"{runc_face} run --bundle {bundle} bench-md" if runc_face else "minidock-runc run --bundle BUNDLE ID",
             runc_face is not None, "`minidock-runc` does not exist yet"),
        peer("crun run", "crun", f"crun run --bundle {bundle} bench-crun"),
        peer("runc run", "runc", f"runc run --bundle {bundle} bench-runc"),
    ], runs=15, warmup=5, shell=False, rounds=3)

    # 2b. What exists today of minidock's container start: the lessons, on the Runtime library
    # that `run` and `minidock-runc` will use. Lesson03: namespaces, mounts, pivot_root, exec;
    # Lesson04 adds a cgroup with limits. (crun's bundle also has a network namespace and a cgroup.)
    b.compare("lesson-start", "a container start today: the lessons (Runtime library) vs OCI runtimes", [
        {"label": "Lesson03 -- true", "engine": "minidock", "command": f"{BIN}/Lesson03 --quiet -- true"},
        {"label": "Lesson04 (cgroup) -- true", "engine": "minidock",
         "command": f"{BIN}/Lesson04 --quiet --memory 64m --pids 20 -- true"},
        peer("crun run", "crun", f"crun run --bundle {bundle} bench-crun"),
        peer("runc run", "runc", f"runc run --bundle {bundle} bench-runc"),
    ], runs=15, warmup=5, shell=False, rounds=3,
        note="no `minidock run` yet: Lesson03/04 start a container through the same Runtime code it will use")

    # 3. run --rm with no network (the bridge variant needs minidock's bridge; Docker's is disabled here).
    b.compare("run-rm", "run --rm --network none IMAGE true", [
        mine("minidock run --rm", f"{md} run --rm --network none busybox:bench true", has["run"], why("run")),
        peer("podman run --rm", "podman", f"{PR} --rm localhost/busybox:bench true"),
        peer("docker run --rm", "docker", "docker run --rm --network none busybox:bench true"),
    ], runs=15, warmup=2)
    b.compare("run-rm-bridge", "run --rm with the bridge", [
        mine("minidock run --rm (bridge)", f"{md} run --rm busybox:bench true", has["run"] and False,
             "`minidock run` and its bridge network do not exist yet"),
    ], note="peers not measured: the bench keeps Docker's bridge and podman's netavark off this host")

    # 4. create + start (attached, so the command has run when start returns).
    b.compare("create-start", "create + start -a", [
        mine("minidock create+start", f"{md} create --name bench-cs --network none busybox:bench true && {md} start -a bench-cs",
             has["create"] and has["start"], why("create/start")),
        peer("podman create+start", "podman", f"{P} create -q --name bench-cs --cgroup-parent=/{CGROUP_PARENT}/bench-podman --network none localhost/busybox:bench true >/dev/null && {P} start -a bench-cs"),
        peer("docker create+start", "docker", "docker create --name bench-cs --network none busybox:bench true >/dev/null && docker start -a bench-cs"),
    ], runs=15, warmup=2, prepare={
        "minidock create+start": f"{md} rm -f bench-cs >/dev/null 2>&1 || true",
        "podman create+start": f"{P} rm -f bench-cs >/dev/null 2>&1 || true",
        "docker create+start": "docker rm -f bench-cs >/dev/null 2>&1 || true",
    })

    # 5. exec into a running container; its monitor's private memory on the side.
    markers = {"minidock": "3601", "podman": "3602", "docker": "3603"}
    if has["run"]:
        sh(f"{md} run -d --name bench-exec --network none busybox:bench sleep {markers['minidock']}", env=b.env)
    if "podman" in peers:
        sh(f"{PR} -d --name bench-exec localhost/busybox:bench sleep {markers['podman']}", env=b.env)
    if "docker" in peers:
        sh(f"docker run -d --name bench-exec --network none busybox:bench sleep {markers['docker']}", env=b.env)
    time.sleep(1)
    b.compare("exec", "exec C true", [
        mine("minidock exec", f"{md} exec bench-exec true", has["exec"] and has["run"], why("exec")),
        peer("podman exec", "podman", f"{P} exec bench-exec true"),
        peer("docker exec", "docker", "docker exec bench-exec true"),
    ], runs=20, warmup=3, shell=False)
    for engine, monitor in (("minidock", "monitor"), ("podman", "conmon"), ("docker", "containerd-shim-runc-v2")):
        init = find_process(["sleep", markers[engine]])
        entry = {"key": "monitor", "engine": engine, "label": f"{engine} ({monitor})"}
        if init is None:
            entry.update(status="missing", why=why("run -d") if engine == "minidock" else f"{engine} not set up")
        else:
            pid = parent_of(init)
            entry.update(status="measured", kib=private_kib(pid), process=process_name(pid), pid=pid)
        b.memory.append(entry)
    sh(f"{md} rm -f bench-exec", check=False, env=b.env) if has["rm"] else None
    if "podman" in peers:
        sh(f"{P} rm -f -t 0 bench-exec", env=b.env)
    if "docker" in peers:
        sh("docker rm -f bench-exec", env=b.env)

    # 6. Idle memory: what stays resident when no container runs.
    b.memory.append({"key": "idle", "engine": "minidock", "label": "minidock (daemonless)", "status": "measured", "kib": 0})
    if "podman" in peers:
        b.memory.append({"key": "idle", "engine": "podman", "label": "podman (daemonless)", "status": "measured", "kib": 0})
    if "docker" in peers:
        time.sleep(1)
        containerd = [int(p) for p in os.listdir("/proc") if p.isdigit() and process_name_safe(p) == "containerd"
                      and parent_of(int(p)) == b.dockerd.pid]
        kib = private_kib(b.dockerd.pid) + sum(private_kib(p) for p in containerd)
        b.memory.append({"key": "idle", "engine": "docker", "label": "docker (dockerd + containerd)", "status": "measured", "kib": kib})

    # 7. N detached containers, `ps` with them, then rm -f of all.
    n = CONTAINERS
    loop = lambda cmd: f"for i in $(seq {n}); do {cmd} >/dev/null || exit 1; done"
    b.compare("run-d", f"{n} × run -d (sequential)", [
        mine(f"minidock {n}× run -d", loop(f"{md} run -d --network none busybox:bench sleep 600"), has["run"], why("run -d")),
        peer(f"podman {n}× run -d", "podman", loop(f"{PR} -d localhost/busybox:bench sleep 600")),
        peer(f"docker {n}× run -d", "docker", loop("docker run -d --network none busybox:bench sleep 600")),
    ], runs=1, warmup=0)
    b.compare("ps", f"ps with {n} containers", [
        mine("minidock ps", f"{md} ps", has["ps"] and has["run"], why("ps")),
        peer("podman ps", "podman", f"{P} ps"),
        peer("docker ps", "docker", "docker ps"),
    ], runs=20, warmup=2, shell=False)
    b.compare("rm-f", f"rm -f of {n} containers", [
        mine(f"minidock rm -f {n}", f"{md} rm -f $({md} ps -aq)", has["rm"] and has["run"], why("rm")),
        peer(f"podman rm -f {n}", "podman", f"{P} rm -f -t 0 -a >/dev/null"),
        peer(f"docker rm -f {n}", "docker", "docker rm -f $(docker ps -aq) >/dev/null"),
    ], runs=1, warmup=0)

    # 8. Pull of the ~100 MB image from the local registry (each run starts from nothing).
    reg = b.registry
    b.compare("pull", f"pull of a {LAYER_MB} MB image from a local registry", [
        mine("minidock pull", f"{md} pull --root {b.path('pull-md')} {reg}/big:bench", True, ""),
        peer("skopeo copy (oci dir)", "skopeo", f"skopeo copy -q --src-tls-verify=false docker://{reg}/big:bench oci:{b.path('pull-skopeo')}:big"),
        peer("podman pull", "podman", f"{P} pull -q --tls-verify=false {reg}/big:bench"),
        peer("docker pull", "docker", f"docker pull -q {reg}/big:bench"),
    ], runs=5, warmup=1, prepare={
        "minidock pull": f"rm -rf {b.path('pull-md')}",
        "skopeo copy (oci dir)": f"rm -rf {b.path('pull-skopeo')}",
        "podman pull": f"{P} rmi -f {reg}/big:bench >/dev/null 2>&1 || true",
        "docker pull": f"docker rmi -f {reg}/big:bench >/dev/null 2>&1 || true",
    })

    # 9. Unpack of the ~100 MB layer into a directory.
    big = b.path("big.tar")
    b.compare("unpack", f"unpack of a {LAYER_MB} MB layer", [
        mine("minidock import", f"{md} import --root {b.path('import-md')} {big} big:bench", True, ""),
        peer("tar -x", "tar", f"tar -xf {big} -C {b.path('untar')}"),
        peer("umoci raw unpack", "umoci", f"umoci raw unpack --image {b.path('oci')}:big {b.path('umoci-rootfs')}"),
    ], runs=5, warmup=1, prepare={
        "minidock import": f"rm -rf {b.path('import-md')}",
        "tar -x": f"rm -rf {b.path('untar')} && mkdir {b.path('untar')}",
        "umoci raw unpack": f"rm -rf {b.path('umoci-rootfs')}",
    }, note="minidock import unpacks the tarball, packs the tree again as a normalized layer tar and hashes it; tar -x only extracts; umoci decompresses, verifies and extracts")

    # 10. save / load of the big image as a docker-archive.
    archive = b.path("big-docker.tar")
    sh(f"{md} load -q -i {archive}", env=b.env)
    if "podman" in peers:
        sh(f"{P} load -q -i {archive}", env=b.env)
    if "docker" in peers:
        sh(f"docker load -q -i {archive}", env=b.env)
    b.compare("save", f"save of the {LAYER_MB} MB image", [
        mine("minidock save", f"{md} save -o {b.path('saved-md.tar')} big:bench", True, ""),
        peer("podman save", "podman", f"{P} save -q -o {b.path('saved-podman.tar')} big:bench"),
        peer("docker save", "docker", f"docker save -o {b.path('saved-docker.tar')} big:bench"),
    ], runs=5, warmup=1, prepare={
        "minidock save": f"rm -f {b.path('saved-md.tar')}",
        "podman save": f"rm -f {b.path('saved-podman.tar')}",
        "docker save": f"rm -f {b.path('saved-docker.tar')}",
    })
    b.compare("load", f"load of the {LAYER_MB} MB image", [
        mine("minidock load", f"{md} load -q --root {b.path('load-md')} -i {archive}", True, ""),
        peer("podman load", "podman", f"{P} load -q -i {archive}"),
        peer("docker load", "docker", f"docker load -q -i {archive}"),
    ], runs=5, warmup=1, prepare={
        "minidock load": f"rm -rf {b.path('load-md')}",
        "podman load": f"{P} rmi -f big:bench >/dev/null 2>&1 || true",
        "docker load": "docker rmi -f big:bench >/dev/null 2>&1 || true",
    })

    # 11. Where the time goes in a container start (Lesson04 under strace; see phases.py).
    log("phases of a Lesson04 container start (strace -f -ttt)")
    try:
        b.phases = json.loads(sh(f"{sys.executable} {os.path.join(HERE, 'phases.py')} {5 if QUICK else 15}"))
    except Exception as error:  # the breakdown is a bonus: the comparisons are written anyway
        log(f"phases: {error}")

    write_results(b)


def process_name_safe(pid):
    try:
        return process_name(pid)
    except OSError:
        return ""


def write_results(b):
    os.makedirs(RESULTS, exist_ok=True)
    sizes = {name: os.path.getsize(os.path.join(BIN, name)) for name in sorted(os.listdir(BIN))
             if name == "minidock" or name.startswith("Lesson") and "." not in name}
    versions = {}
    for tool, command in (("crun", "crun --version"), ("runc", "runc --version"), ("podman", "podman --version"),
                          ("docker", "docker --version"), ("hyperfine", "hyperfine --version"),
                          ("skopeo", "skopeo --version"), ("umoci", "umoci --version")):
        if shutil.which(tool):
            versions[tool] = sh(command, check=False).strip().splitlines()[0]
    commit = sh(f"git -C {REPO} rev-parse --short HEAD", check=False).strip()
    dirty = sh(f"git -C {REPO} status --porcelain -- Sources Package.swift", check=False).strip() != ""
    with open("/proc/cpuinfo") as f:
        cpu = next((line.split(":", 1)[1].strip() for line in f if line.startswith("model name")), "")
    document = {
        "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "commit": commit + ("+dirty" if dirty else ""),
        "machine": {"cpu": cpu, "cpus": os.cpu_count(), "kernel": os.uname().release},
        "versions": versions, "binary_sizes": sizes, "quick": QUICK,
        "comparisons": b.comparisons, "memory": b.memory, "phases": getattr(b, "phases", None),
    }
    with open(os.path.join(RESULTS, "latest.json"), "w") as f:
        json.dump(document, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
