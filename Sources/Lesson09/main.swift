// Lesson 09 — images
//
// Goal: walk an image from a name to a running container. Resolve the reference as Docker
// does, fetch the manifest from a registry (a local one: this workshop has no internet), read
// the config, fetch every layer and check it against its digest, unpack the layers into the
// content-addressed store, stack them with overlay (Lesson05), and run the image's command in
// a container (Lesson03).
//
// Calls: HTTP GET /v2/<name>/manifests/<tag> and /v2/<name>/blobs/<digest> (libcurl), sha256
//        of every byte received, then Lesson05's overlay mount and Lesson03's container.
// Run:   sudo swift run Lesson09 --image 127.0.0.1:5000/library/busybox -- sh -c 'cat /etc/os-release; ls /'
// Read:  docs/09-images.md

import LessonKit
import Registry
#if canImport(Glibc)
import Glibc
#endif

struct Options: ParsableArguments {
    @Option(name: .long, help: "The image: NAME[:TAG|@DIGEST], on a registry such as 127.0.0.1:5000.")
    var image: String

    @OptionGroup var state: StateOption

    @Option(name: .long, help: "Use minidock's image store under this root (as `minidock --root`) instead of a temporary one.")
    var root: String?

    @Option(name: .customLong("insecure-registry"), help: "A registry that may be reached over plain HTTP (localhost always may).")
    var insecureRegistries: [String] = []

    @OptionGroup var common: CommandOptions
}

let options = Lesson.parse(Options.self, name: "lesson09")
let lesson = Lesson(name: "lesson09", quiet: options.common.quiet)

lesson.run {
    try lesson.requireRoot(for: "unpacking layers with their owners and mounting need root")
    let state = try options.state.create(for: lesson)
    defer { options.state.finish(state, lesson: lesson) }

    // 1. The name. "busybox" means docker.io/library/busybox:latest; a name whose first part
    //    has a dot or a port is a registry of its own.
    let reference = try ImageReference(parsing: options.image)
    lesson.say("\(options.image) is \(reference): registry \(reference.domain), repository \(reference.path)")

    // 2. Manifest, config, layers — from the registry into a content-addressed store. Every
    //    blob is hashed as it arrives and refused unless its sha256 is the one the manifest
    //    names; layers are decompressed and checked again against the config's diff IDs.
    let store = try ImageStore(root: options.root.map { FilePath($0) } ?? state)
    let client = try RegistryClient(domain: reference.domain, insecureRegistries: options.insecureRegistries)
    let (registryDigest, _) = try client.pull(reference, platform: .host, into: store) { event in
        if case .complete = event.kind { lesson.say("layer \(event.layer.short): downloaded, digest verified, stored") }
        if case .alreadyExists = event.kind { lesson.say("layer \(event.layer.short): already in the store") }
    }
    let manifestDigest = try store.resolve(reference.description).manifest
    let manifest = try store.manifest(manifestDigest)
    let config = try store.config(manifest.config.digest)
    lesson.say("manifest \(registryDigest.short): config \(manifest.config.digest.short), \(manifest.layers.count) layer(s), \(config.os)/\(config.architecture)")

    // 3. The layers as directories (each unpacked once, whiteouts converted), bottom first.
    let layers = try store.unpackedLayers(of: manifestDigest)

    // 4. The container's spec from the image's config, as `docker run` makes it (Runtime's
    //    ImageConfig+Spec.swift, which `minidock run` uses too): the Entrypoint, then our
    //    command instead of the image's Cmd when we give one; the image's Env over the defaults;
    //    its WorkingDir.
    let container = state.appending("container")
    let layout = OverlayLayout(lowers: layers.reversed(), upper: container.appending("upper"), work: container.appending("work"),
                               merged: container.appending("merged"), links: container.appending("l"))
    var spec = Spec.container(args: [], rootfs: layout.merged.string, hostname: "lesson09")
    try config.apply(to: &spec.process!, command: options.common.givenCommand)
    let args = spec.process!.args
    lesson.say("process: \(args), cwd \(spec.process!.cwd), env \(spec.process!.env ?? [])")
    try layout.create()

    // 5. Run it: Lesson05's overlay inside Lesson03's namespaces. While it runs, the store
    //    records that this container uses the image, so `minidock rmi` refuses to delete it.
    let holder = "lesson09-\(getpid())"
    try store.markInUse(manifestDigest, by: holder)
    defer { store.releaseUse(manifestDigest, by: holder) }
    lesson.say("running \(args) on \(layers.count) layer(s) + a writable one")
    let child = try ChildProcess.start(spec.process!, namespaces: CloneFlags(newNamespacesOf: spec), prepare: {
        try ContainerFilesystem.prepare(spec, overlay: layout)
    })
    return try child.wait()
}
