#if canImport(Glibc)
import Glibc
#endif
import SystemPackage

/// The content-addressed image store, laid out in the spirit of the OCI image layout:
///
/// ```
/// <root>/images/blobs/sha256/<hex>    manifests, configs and layer tarballs (plain tar), by digest
/// <root>/images/repositories.json     reference → manifest digest ("docker.io/library/busybox:latest")
/// <root>/images/layers/<diff id hex>/ each layer unpacked once, shared by every image using it
/// <root>/images/tmp/                   writes in progress, renamed into place when verified
/// <root>/images/pins/<pid>-<start>     what a running command stored but has not tagged yet
/// <root>/images/lock                   flock(2): one writer at a time
/// ```
///
/// A blob is written to `tmp/` while its digest is computed, checked against the digest it
/// claims, and only then renamed into `blobs/`: a crash or a bad blob leaves nothing that a
/// later command would trust.
///
/// The store is root's alone (0700): its layers hold images' setuid binaries and device nodes,
/// which any local user could otherwise run or open straight from `layers/<id>/`.
///
/// Everything temporary carries its owner's PID and start time in its name
/// (`tmp/layer-4242-881234-…`, `pins/4242-881234`); whoever takes the lock next removes what
/// belonged to processes that are gone (killed, crashed, interrupted). Garbage collection
/// spares what a live command pinned, so `rmi` running beside `pull` never deletes a blob
/// the pull stored but has not tagged yet.
public struct ImageStore: Sendable {
    public let root: FilePath

    public init(root: FilePath) throws {
        guard !root.string.isEmpty else { throw RuntimeError("storage root: empty path; give a directory") }
        // A new root is made private; an existing one may be any directory the user named
        // (`--root ~/x`), so only minidock's own `images/` under it is tightened.
        try Directories.create(root, mode: 0o700)
        self.root = root.appending("images")
        try Directories.create(self.root, mode: 0o700)
        try Directories.restrict(self.root, to: 0o700)
        for directory in [blobs, layers, temporary, pins] { try Directories.create(directory, mode: 0o700) }
        // Every command starts by clearing what killed or crashed commands left (`locked` sweeps).
        try locked {}
    }

    var blobs: FilePath { root.appending("blobs/sha256") }
    var layers: FilePath { root.appending("layers") }
    var temporary: FilePath { root.appending("tmp") }
    var pins: FilePath { root.appending("pins") }
    var repositoriesFile: FilePath { root.appending("repositories.json") }
    /// Images kept without a name (`docker load` of an untagged archive): `<none>` in `images`.
    var untaggedFile: FilePath { root.appending("untagged.json") }

    public func blobPath(_ digest: Digest) -> FilePath { blobs.appending(digest.hex) }
    public func hasBlob(_ digest: Digest) -> Bool { access(blobPath(digest).string, F_OK) == 0 }
    public func layerDirectory(_ diffID: Digest) -> FilePath { layers.appending(diffID.hex) }

    // MARK: locking

    /// Roots whose lock this process holds now: `locked` inside `locked` runs at once (flock
    /// on a second descriptor of the same file would wait for the first forever).
    nonisolated(unsafe) private static var held: Set<String> = []

    /// Run `body` holding the store's lock, so that two commands never interleave writes of
    /// the reference file or collect garbage under each other. Taking the lock first sweeps
    /// what dead processes left behind.
    public func locked<T>(_ body: () throws -> T) throws -> T {
        if Self.held.contains(root.string) { return try body() }
        let path = root.appending("lock").string
        let fd = try Syscall.call("open", [quoted(path), "O_RDWR|O_CREAT"], subject: quoted(path), traced: false) {
            open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        }
        defer { close(fd) }
        try Syscall.call("flock", ["\(fd)", "LOCK_EX"], subject: quoted(path), traced: false) { flock(fd, LOCK_EX) }
        Self.held.insert(root.string)
        defer { Self.held.remove(root.string) }
        try sweepLeftovers()
        return try body()
    }

    /// A fresh path in `tmp/` for a write in progress, named for its owner (this process).
    public func temporaryPath(_ label: String) -> FilePath {
        temporary.appending("\(label)-\(ProcessIdentity.current)-\(UInt32.random(in: 0...UInt32.max))")
    }

    /// Remove temporaries and pins whose owner is no longer running. Called under the lock.
    func sweepLeftovers() throws {
        for name in try Directories.entries(temporary) {
            // `label-PID-START-RANDOM`: the label may hold dashes itself; the owner is the two
            // numbers before the last field.
            let fields = name.split(separator: "-").map(String.init)
            guard fields.count >= 4, let owner = ProcessIdentity(parsingPrefixOf: fields[(fields.count - 3)...].joined(separator: "-")),
                  !owner.isAlive else { continue }
            try TreeWalk.remove(temporary.appending(name))
        }
        for name in try Directories.entries(pins) {
            guard let owner = ProcessIdentity(parsingPrefixOf: name), !owner.isAlive else { continue }
            try TreeWalk.remove(pins.appending(name))
        }
    }

    // MARK: pins

    /// Record, under the lock, that this process holds blobs or layers (by hex digest) it has
    /// not tagged yet: garbage collection spares them while this process lives.
    func pin(_ hexes: [String]) throws {
        guard !hexes.isEmpty else { return }
        let file = pins.appending("\(ProcessIdentity.current)")
        let fd = try Syscall.call("open", [quoted(file.string), "O_WRONLY|O_CREAT|O_APPEND"], subject: quoted(file.string), traced: false) {
            open(file.string, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        }
        defer { close(fd) }
        try FileContents.write(Array(hexes.map { $0 + "\n" }.joined().utf8), to: fd, named: file.string)
    }

    /// Every digest a live process has pinned.
    func pinned() throws -> Set<String> {
        var result = Set<String>()
        for name in try Directories.entries(pins) {
            guard let owner = ProcessIdentity(parsingPrefixOf: name), owner.isAlive,
                  let bytes = try? FileContents.read(pins.appending(name), traced: false) else { continue }
            result.formUnion(bytes.split(separator: UInt8(ascii: "\n")).map { String(decoding: $0, as: UTF8.self) })
        }
        return result
    }

    // MARK: blobs

    /// Store `bytes`, verifying them against `expected` when given.
    @discardableResult
    public func putBlob(_ bytes: [UInt8], expected: Digest? = nil) throws -> Digest {
        let digest = Digest.of(bytes)
        if let expected, expected != digest {
            throw RuntimeError("blob \(expected): content has digest \(digest): refusing to store it")
        }
        let staging = temporaryPath("blob")
        try FileContents.write(bytes, to: staging, create: true)
        try place(staging, as: digest)
        return digest
    }

    /// Move a verified staging file to `blobs/`, pinned (under the lock, so that a collection
    /// cannot fall between the check and the pin). A blob already there is kept and pinned.
    func place(_ staging: FilePath, as digest: Digest) throws {
        try locked {
            try pin([digest.hex])
            if hasBlob(digest) {
                try TreeWalk.remove(staging)
            } else {
                try rename(staging, to: blobPath(digest))
            }
        }
    }

    /// Move a file already in `tmp/` into the store, after checking its digest.
    @discardableResult
    public func adoptBlob(_ staging: FilePath, expected: Digest? = nil,
                          hashed: (digest: Digest, size: Int64)? = nil) throws -> (digest: Digest, size: Int64) {
        // `hashed`: the digest of what was written to `staging`, taken as it was written.
        let (digest, size) = try hashed ?? Digest.of(file: staging)
        if let expected, expected != digest {
            try? TreeWalk.remove(staging)
            throw RuntimeError("blob \(expected): content has digest \(digest): refusing to store it")
        }
        try place(staging, as: digest)
        return (digest, size)
    }

    /// Store a layer that arrived compressed (gzip, zstd) or plain, as plain tar: its digest
    /// must be `diffID`, the config's name for it. Decompressed into tmp/ and hashed in one pass.
    public func adoptLayer(_ compressed: FilePath, diffID: Digest) throws -> (digest: Digest, size: Int64) {
        let staging = temporaryPath("layer")
        do {
            let hashed = try Decompressor.decompress(compressed, to: staging)
            return try adoptBlob(staging, expected: diffID, hashed: hashed)
        } catch {
            try? TreeWalk.remove(staging)
            throw error
        }
    }

    public func readBlob(_ digest: Digest) throws -> [UInt8] {
        guard hasBlob(digest) else { throw RuntimeError("blob \(digest): not in the store") }
        return try FileContents.read(blobPath(digest), traced: false)
    }

    public func manifest(_ digest: Digest) throws -> ImageManifest {
        try ImageJSON.decode(ImageManifest.self, from: try readBlob(digest), what: "manifest \(digest)")
    }

    public func config(_ digest: Digest) throws -> ImageConfig {
        try ImageJSON.decode(ImageConfig.self, from: try readBlob(digest), what: "config \(digest)")
    }

    func rename(_ from: FilePath, to: FilePath) throws {
        try Syscall.call("rename", [quoted(from.string), quoted(to.string)], subject: quoted(to.string), traced: false) {
            Glibc.rename(from.string, to.string)
        }
    }

    // MARK: references

    public func references() throws -> [ImageReference: Digest] {
        guard access(repositoriesFile.string, F_OK) == 0 else { return [:] }
        let table = try ImageJSON.decode([String: Digest].self, from: try FileContents.read(repositoriesFile, traced: false),
                                         what: quoted(repositoriesFile.string))
        var result: [ImageReference: Digest] = [:]
        for (key, digest) in table { result[try ImageReference(parsing: key)] = digest }
        return result
    }

    func writeReferences(_ references: [ImageReference: Digest]) throws {
        var table: [String: Digest] = [:]
        for (reference, digest) in references { table[reference.description] = digest }
        let staging = temporaryPath("repositories")
        try FileContents.write(try ImageJSON.encode(table), to: staging, create: true)
        try rename(staging, to: repositoriesFile)
    }

    /// Point `reference` at a manifest (which must be stored).
    public func tag(_ reference: ImageReference, to manifest: Digest) throws {
        guard hasBlob(manifest) else { throw RuntimeError("manifest \(manifest): not in the store") }
        try locked {
            var table = try references()
            table[reference] = manifest
            try writeReferences(table)
            var set = try untagged()
            if set.remove(manifest) != nil { try writeUntagged(set) }
        }
    }

    /// The manifest a reference names: by tag through the reference table, by digest directly;
    /// or an image ID (config digest, full or a unique prefix of 12+), as Docker accepts.
    public func resolve(_ text: String) throws -> (manifest: Digest, reference: ImageReference?) {
        let all = try references()
        let hex = text.hasPrefix("sha256:") ? String(text.dropFirst(7)) : text
        if hex.count >= 12, hex.allSatisfy(\.isHexDigit) {
            let candidates = Set(all.values).union(try untagged())
            // A damaged image (a missing blob) cannot match; it must not make every lookup fail.
            let matches = Set(candidates.filter { (try? manifest($0).config.digest.hex.hasPrefix(hex)) == true })
            if matches.count == 1 { return (matches.first!, nil) }
            if matches.count > 1 { throw RuntimeError("image ID \(quoted(text)) is ambiguous") }
        }
        let reference = try ImageReference(parsing: text)
        if let digest = reference.digest, hasBlob(digest) { return (digest, reference) }
        guard let digest = all[reference] else {
            throw RuntimeError("no such image: \(reference.familiarRepository):\(reference.tag ?? reference.digest?.description ?? "")")
        }
        return (digest, reference)
    }

    /// Manifests kept without any reference.
    public func untagged() throws -> Set<Digest> {
        guard access(untaggedFile.string, F_OK) == 0 else { return [] }
        return Set(try ImageJSON.decode([Digest].self, from: try FileContents.read(untaggedFile, traced: false),
                                        what: quoted(untaggedFile.string)))
    }

    func writeUntagged(_ digests: Set<Digest>) throws {
        let staging = temporaryPath("untagged")
        try FileContents.write(try ImageJSON.encode(digests.sorted()), to: staging, create: true)
        try rename(staging, to: untaggedFile)
    }

    /// Keep an image that has no name (until it gets one, or `rmi` by its ID).
    public func keepUntagged(_ manifest: Digest) throws {
        try locked {
            guard try !references().values.contains(manifest) else { return }
            var set = try untagged()
            set.insert(manifest)
            try writeUntagged(set)
        }
    }

    // MARK: listing

    public struct StoredImage: Sendable {
        public var manifestDigest: Digest
        public var manifest: ImageManifest
        public var config: ImageConfig
        public var references: [ImageReference]
        /// The image ID: the digest of its config, as Docker shows it.
        public var id: Digest { manifest.config.digest }
        /// Bytes of its (uncompressed) layers.
        public var size: Int64 { manifest.layers.reduce(0) { $0 + $1.size } }
    }

    public func images() throws -> [StoredImage] {
        try images { _, error in throw error }
    }

    /// Every image; one that cannot be read (a blob gone missing) is handed to `broken` and
    /// skipped, so one damaged image never hides the others.
    public func images(broken: (Digest, Error) throws -> Void) throws -> [StoredImage] {
        var byManifest: [Digest: [ImageReference]] = [:]
        for (reference, digest) in try references() { byManifest[digest, default: []].append(reference) }
        for digest in try untagged() where byManifest[digest] == nil { byManifest[digest] = [] }
        var result: [StoredImage] = []
        for digest in byManifest.keys.sorted() {
            do {
                let manifest = try self.manifest(digest)
                result.append(StoredImage(manifestDigest: digest, manifest: manifest, config: try config(manifest.config.digest),
                                          references: byManifest[digest]!.sorted()))
            } catch {
                try broken(digest, error)
            }
        }
        return result
    }

    // MARK: removal

    /// Untag `reference`; when no reference is left on its manifest, the image goes, and so
    /// does every blob and unpacked layer no remaining image uses. Returns what was untagged
    /// and the image IDs deleted, for `rmi`'s output.
    ///
    /// An image a running container uses is refused, as Docker does, unless `force`: then it
    /// is untagged but its content stays (as `<none>`) until the container is gone.
    public func remove(_ text: String, force: Bool = false) throws -> (untagged: [ImageReference], deleted: [Digest]) {
        try locked {
            var table = try references()
            let (manifestDigest, reference) = try resolve(text)
            let holders = try self.holders(of: manifestDigest)
            // Untagging one of several names takes nothing from a container: Docker refuses only the last.
            let lastName = reference.map { table[$0] == nil || table.values.filter { $0 == manifestDigest }.count == 1 } ?? true
            if let holder = holders.first, !force, lastName {
                let id = try manifest(manifestDigest).config.digest.short
                let what = reference.map { "repository reference \(quoted($0.familiarRepository + ":" + ($0.tag ?? "")))" } ?? "image \(id)"
                throw RuntimeError("conflict: unable to remove \(what) (must force) - container \(holder) is using its referenced image \(id)")
            }
            let untagged: [ImageReference]
            if let reference, table[reference] != nil {
                untagged = [reference]
            } else {
                // By ID: every tag of that image.
                untagged = table.filter { $0.value == manifestDigest }.map(\.key).sorted()
            }
            for reference in untagged { table[reference] = nil }
            try writeReferences(table)
            var unnamed = try self.untagged()
            unnamed.remove(manifestDigest)
            if !holders.isEmpty && !table.values.contains(manifestDigest) { unnamed.insert(manifestDigest) }
            try writeUntagged(unnamed)
            var deleted: [Digest] = []
            if !table.values.contains(manifestDigest) && holders.isEmpty {
                deleted.append(try manifest(manifestDigest).config.digest)
                try collectGarbage(keeping: Set(table.values).union(unnamed).union(try manifestsInUse()))
            }
            return (untagged, deleted)
        }
    }

    /// Remove every blob and layer directory that no kept manifest reaches and no live
    /// command has pinned. Called under the lock.
    func collectGarbage(keeping manifests: Set<Digest>) throws {
        let pinned = try pinned()
        var liveBlobs = pinned
        var liveLayers = pinned
        for digest in manifests {
            liveBlobs.insert(digest.hex)
            // A kept image that is damaged keeps what it still has; it does not stop the collection.
            guard let manifest = try? self.manifest(digest) else { continue }
            liveBlobs.insert(manifest.config.digest.hex)
            manifest.layers.forEach { liveBlobs.insert($0.digest.hex) }
            (try? config(manifest.config.digest))?.rootfs.diff_ids.forEach { liveLayers.insert($0.hex) }
        }
        liveBlobs.formUnion(try distributedBlobs(of: liveLayers))  // ImageStore+Distribution: a live layer's compressed form
        for name in try Directories.entries(blobs) where !liveBlobs.contains(name) {
            try TreeWalk.remove(blobs.appending(name))
        }
        for name in try Directories.entries(layers) where !liveLayers.contains(name) {
            // Out of `layers/` in one rename first, into a temporary of ours: a collection killed
            // halfway leaves a dead process's temporary (swept), never half a layer in place that
            // the next import would take as whole.
            let doomed = temporaryPath("collected")
            try rename(layers.appending(name), to: doomed)
            try TreeWalk.remove(doomed)
        }
    }

    // MARK: admission

    /// Unpack an image's layers before it gets a name, as Docker applies layers when it loads
    /// or pulls them: a layer that is a bomb, or would write outside itself, is refused *now*,
    /// with one line, instead of on the first `run`. On failure, what this command stored is
    /// let go, so bad input leaves the store as it was.
    public func admit(_ manifest: Digest) throws {
        do {
            _ = try unpackedLayers(of: manifest)
        } catch {
            try? discardUnreferenced()
            throw error
        }
    }

    /// Unpin everything this process stored and collect what no image, container or other
    /// live command keeps: the clean-up of a command that failed halfway.
    public func discardUnreferenced() throws {
        try locked {
            unlink(pins.appending("\(ProcessIdentity.current)").string)
            try collectGarbage(keeping: Set(try references().values).union(try untagged()).union(try manifestsInUse()))
        }
    }

    // MARK: layers

    /// The image's layer directories, bottom first, each unpacked from its blob the first
    /// time any image needs it (into tmp/, then renamed: never half-unpacked in place).
    public func unpackedLayers(of manifestDigest: Digest) throws -> [FilePath] {
        let manifest = try self.manifest(manifestDigest)
        let diffIDs = try config(manifest.config.digest).rootfs.diff_ids
        guard diffIDs.count == manifest.layers.count else {
            throw RuntimeError("image \(manifestDigest): \(manifest.layers.count) layers but \(diffIDs.count) diff IDs")
        }
        // Pinned first: an `rmi` running now must not take the blobs from under the unpacking.
        try locked {
            try pin([manifestDigest.hex, manifest.config.digest.hex] + manifest.layers.map(\.digest.hex) + diffIDs.map(\.hex))
            for layer in manifest.layers where !hasBlob(layer.digest) {
                throw RuntimeError("image \(manifestDigest): blob \(layer.digest): not in the store")
            }
        }
        return try zip(manifest.layers, diffIDs).map { layer, diffID in
            let directory = layerDirectory(diffID)
            if !Directories.isDirectory(directory) {
                let staging = temporaryPath("layer")
                do {
                    try FreeSpace.require(layer.size, for: "layer \(diffID.short)", in: temporary)
                    try LayerUnpacker.unpack(blobPath(layer.digest), into: staging)
                    try locked {
                        // Another command may have unpacked the same layer first: keep theirs.
                        if Directories.isDirectory(directory) { try TreeWalk.remove(staging) } else { try rename(staging, to: directory) }
                    }
                } catch {
                    try? TreeWalk.remove(staging)
                    throw error
                }
            }
            return directory
        }
    }
}
