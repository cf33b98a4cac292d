// Lesson 05 — overlay filesystems
//
// Goal: a container whose root is *layers*. Build a two-layer image by hand — busybox, then a
// layer that adds a file, deletes one and hides a directory — unpack it, stack it read-only
// under a writable layer with overlayfs, run a container on it, and then see exactly what the
// container changed (as `docker diff` does) while the image layers stay byte for byte the same.
//
// Calls: mknod(S_IFCHR, 0/0) and lsetxattr("trusted.overlay.opaque") for whiteouts,
//        mount("overlay", …, "lowerdir=…,upperdir=…,workdir=…"), then Lesson03's container.
// Run:   sudo swift run Lesson05 -- sh -c 'echo hi > /etc/motd; rm /bin/vi; mkdir /data; ls /usr/local/bin'
//        sudo swift run Lesson05 --extra-layers 150 -- sh -c 'ls /layers | wc -l'
// Read:  docs/05-overlay.md

import LessonKit
#if canImport(Glibc)
import Glibc
#endif

struct Options: ParsableArguments {
    @OptionGroup var rootfs: RootfsOption

    @OptionGroup var state: StateOption

    @Option(name: .long, help: "Stack N more one-file layers on top (each adds /layers/N), to see overlay with 100+ layers.")
    var extraLayers = 0

    @Option(name: .long, help: "Write what the container changed as an OCI layer tarball to FILE.")
    var exportLayer: String?

    @OptionGroup var common: CommandOptions
}

let options = Lesson.parse(Options.self, name: "lesson05")
let lesson = Lesson(name: "lesson05", quiet: options.common.quiet)

lesson.run {
    try lesson.requireRoot(for: "mknod, trusted.* xattrs and mounts need root")
    let busybox = FilePath(try options.rootfs.resolved())
    let command = try options.common.requiredCommand()
    guard (0...400).contains(options.extraLayers) else {
        throw RuntimeError("--extra-layers \(options.extraLayers): must be from 0 to 400 (overlay stacks at most 500)")
    }
    let state = try options.state.create(for: lesson)
    defer { options.state.finish(state, lesson: lesson) }

    // 1. Two layer tarballs, made by hand. Layer 0 is the busybox rootfs. Layer 1 is a set
    //    of changes, staged in a directory the way overlay records them — a character device
    //    0/0 for a deleted file, an xattr for a directory that hides what is below — and
    //    packed into OCI's spelling: `.wh.linuxrc`, `usr/local/bin/.wh..wh..opq`.
    lesson.say("building layer tarballs: busybox, then a layer that adds, deletes and hides")
    let tarballs = state.appending("tarballs")
    try Directories.create(tarballs)
    var layerTarballs = [tarballs.appending("0-busybox.tar")]
    try LayerPacker.pack(busybox, to: layerTarballs[0])

    let stage = state.appending("stage")
    try FileContents.write(Array("written by layer 1\n".utf8), to: stage.appending("etc/motd"), createDirectories: true)
    let staged = try RootDirectory(stage, symlinks: .refuse)  // paths in it resolved inside it
    try Whiteout.create("linuxrc", in: staged)
    try Whiteout.markOpaque("usr/local/bin", in: staged)
    try FileContents.write(Array("#!/bin/sh\necho hello from layer 1\n".utf8), to: stage.appending("usr/local/bin/hello"),
                           createDirectories: true, mode: 0o755)
    layerTarballs.append(tarballs.appending("1-changes.tar"))
    try LayerPacker.pack(stage, to: layerTarballs[1])
    for index in 0..<options.extraLayers {
        let extra = state.appending("extra-\(index)")
        try FileContents.write(Array("layer \(index + 2)\n".utf8), to: extra.appending("layers/\(index + 2)"), createDirectories: true)
        layerTarballs.append(tarballs.appending("\(index + 2).tar"))
        try LayerPacker.pack(extra, to: layerTarballs.last!)
    }

    // 2. Unpack each tarball into its own directory, converting whiteouts back to overlay's.
    //    These directories are the image: read-only from here on.
    var layers: [FilePath] = []
    for (index, tarball) in layerTarballs.enumerated() {
        let layer = state.appending("layers/\(index)")
        try LayerUnpacker.unpack(tarball, into: layer)
        layers.append(layer)
    }
    let before = try layers.map(TreeFingerprint.of)

    // 3. The container's own writable layer. overlay wants lowers topmost first — the
    //    reverse of the order layers are applied in an image manifest.
    let container = state.appending("container")
    let layout = OverlayLayout(lowers: layers.reversed(), upper: container.appending("upper"),
                               work: container.appending("work"), merged: container.appending("merged"),
                               links: container.appending("l"))
    try layout.create()
    let spec = Spec.container(args: command, rootfs: layout.merged.string, hostname: "lesson05")

    // 4. The Lesson03 container, on the overlay. The overlay is mounted by the child, in its
    //    own mount namespace — after making mounts private, or it would appear on the host —
    //    so it goes away with the container; only the upper directory keeps the changes.
    lesson.say("running \(command) on \(layers.count) layers + a writable one")
    let child = try ChildProcess.start(spec.process!, namespaces: CloneFlags(newNamespacesOf: spec), prepare: {
        try ContainerFilesystem.prepare(spec, overlay: layout)
    })
    let status = try child.wait()

    // 5. What changed: read from the upper directory alone.
    for change in try Changes.of(upper: layout.upper, lowers: layout.lowers) {
        lesson.report("diff \(change)")
    }
    let after = try layers.map(TreeFingerprint.of)
    lesson.report("lower layers unchanged: \(before == after ? "yes" : "NO")")

    // 6. The changes as a layer of their own: what `docker commit` adds on top of the image.
    if let exportLayer = options.exportLayer {
        try LayerPacker.pack(layout.upper, to: FilePath(exportLayer))
        lesson.say("wrote the container's changes to \(exportLayer)")
    }
    return status
}
