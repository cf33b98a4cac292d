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
/// <root>/images/lock                   flock(2): one writer at a time
/// ```
///
/// A blob is written to `tmp/` while its digest is computed, checked against the digest it
/// claims, and only then renamed into `blobs/`: a crash or a bad blob leaves nothing that a
/// later command would trust.
public struct ImageStore: Sendable {
    public let root: FilePath

    public init(root: FilePath) throws {
        self.root = root.appending("images")
        for directory in [blobs, layers, temporary] { try Directories.create(directory) }
    }

    var blobs: FilePath { root.appending("blobs/sha256") }
    var layers: FilePath { root.appending("layers") }
    var temporary: FilePath { root.appending("tmp") }
    var repositoriesFile: FilePath { root.appending("repositories.json") }
    /// Images kept without a name (`docker load` of an untagged archive): `<none>` in `images`.
    var untaggedFile: FilePath { root.appending("untagged.json") }

    public func blobPath(_ digest: Digest) -> FilePath { blobs.appending(digest.hex) }
    public func hasBlob(_ digest: Digest) -> Bool { access(blobPath(digest).string, F_OK) == 0 }
    public func layerDirectory(_ diffID: Digest) -> FilePath { layers.appending(diffID.hex) }

    // MARK: locking

    /// Run `body` holding the store's lock, so that two commands never interleave writes of
    /// the reference file or collect garbage under each other.
    public func locked<T>(_ body: () throws -> T) throws -> T {
        let path = root.appending("lock").string
        let fd = try Syscall.call("open", [quoted(path), "O_RDWR|O_CREAT"], subject: quoted(path), traced: false) {
            open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        }
        defer { close(fd) }
        try Syscall.call("flock", ["\(fd)", "LOCK_EX"], subject: quoted(path), traced: false) { flock(fd, LOCK_EX) }
        return try body()
    }

    /// A fresh path in `tmp/` for a write in progress.
    public func temporaryPath(_ label: String) -> FilePath {
        temporary.appending("\(label)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
    }

    // MARK: blobs

    /// Store `bytes`, verifying them against `expected` when given.
    @discardableResult
    public func putBlob(_ bytes: [UInt8], expected: Digest? = nil) throws -> Digest {
        let digest = Digest.of(bytes)
        if let expected, expected != digest {
            throw RuntimeError("blob \(expected): content has digest \(digest): refusing to store it")
        }
        if hasBlob(digest) { return digest }
        let staging = temporaryPath("blob")
        try FileContents.write(bytes, to: staging, create: true)
        try rename(staging, to: blobPath(digest))
        return digest
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
        if hasBlob(digest) {
            try TreeWalk.remove(staging)
        } else {
            try rename(staging, to: blobPath(digest))
        }
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
            let matches = Set(try candidates.filter { try manifest($0).config.digest.hex.hasPrefix(hex) })
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
        var byManifest: [Digest: [ImageReference]] = [:]
        for (reference, digest) in try references() { byManifest[digest, default: []].append(reference) }
        for digest in try untagged() where byManifest[digest] == nil { byManifest[digest] = [] }
        return try byManifest.keys.sorted().map { digest in
            let manifest = try self.manifest(digest)
            return StoredImage(manifestDigest: digest, manifest: manifest, config: try config(manifest.config.digest),
                               references: byManifest[digest]!.sorted())
        }
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

    /// Remove every blob and layer directory that no tagged manifest reaches.
    func collectGarbage(keeping manifests: Set<Digest>) throws {
        var liveBlobs = Set<String>()
        var liveLayers = Set<String>()
        for digest in manifests {
            let manifest = try self.manifest(digest)
            liveBlobs.insert(digest.hex)
            liveBlobs.insert(manifest.config.digest.hex)
            manifest.layers.forEach { liveBlobs.insert($0.digest.hex) }
            try config(manifest.config.digest).rootfs.diff_ids.forEach { liveLayers.insert($0.hex) }
        }
        liveBlobs.formUnion(try distributedBlobs(of: liveLayers))  // ImageStore+Distribution: a live layer's compressed form
        for name in try Directories.entries(blobs) where !liveBlobs.contains(name) {
            try TreeWalk.remove(blobs.appending(name))
        }
        for name in try Directories.entries(layers) where !liveLayers.contains(name) {
            try TreeWalk.remove(layers.appending(name))
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
        return try zip(manifest.layers, diffIDs).map { layer, diffID in
            let directory = layerDirectory(diffID)
            if !Directories.isDirectory(directory) {
                let staging = temporaryPath("layer")
                try LayerUnpacker.unpack(blobPath(layer.digest), into: staging)
                do {
                    try rename(staging, to: directory)
                } catch where Directories.isDirectory(directory) {
                    // Another command unpacked the same layer first: keep theirs.
                    try TreeWalk.remove(staging)
                }
            }
            return directory
        }
    }
}
