import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif
import SystemPackage

/// `save` and `load`: images as one tar file.
///
/// `save` writes a docker-archive, the layout `docker save` has always written and
/// `docker load` and `skopeo` read: `manifest.json` ([{Config, RepoTags, Layers}]), the config
/// as `<id>.json`, each layer as `<diff id>/layer.tar`, and the legacy `repositories` file.
/// `load` reads that, and also OCI image-layout archives (`oci-layout`, `index.json`,
/// `blobs/sha256/…`) such as `skopeo copy … oci-archive:` writes.
public enum ImageArchive {
    struct DockerManifestEntry: Codable {
        var Config: String
        var RepoTags: [String]?
        var Layers: [String]
    }

    struct OCIIndex: Codable {
        var manifests: [Descriptor]
    }

    // MARK: save

    /// Write the archive to `output`, through a temporary beside it (see `ArchiveOutput`).
    public static func save(_ images: [(manifest: Digest, references: [ImageReference])], from store: ImageStore,
                            to output: FilePath) throws {
        try ArchiveOutput.write(to: output) { staging in try write(images, from: store, to: staging) }
    }

    static func write(_ images: [(manifest: Digest, references: [ImageReference])], from store: ImageStore,
                      to staging: FilePath) throws {
        let writer = try TarWriter(staging)
        var entries: [DockerManifestEntry] = []
        var repositories: [String: [String: String]] = [:]
        var written = Set<String>()
        for image in images {
            let manifest = try store.manifest(image.manifest)
            let config = try store.config(manifest.config.digest)
            let configName = "\(manifest.config.digest.hex).json"
            if written.insert(configName).inserted {
                try writer.add(configName, bytes: try store.readBlob(manifest.config.digest))
            }
            var layerNames: [String] = []
            for (layer, diffID) in zip(manifest.layers, config.rootfs.diff_ids) {
                let name = "\(diffID.hex)/layer.tar"
                if written.insert(name).inserted {
                    try writer.addDirectory(diffID.hex)
                    try writer.add(name, file: store.blobPath(layer.digest))
                }
                layerNames.append(name)
            }
            let tags = image.references.compactMap { reference in reference.tag.map { "\(reference.familiarRepository):\($0)" } }
            entries.append(DockerManifestEntry(Config: configName, RepoTags: tags, Layers: layerNames))
            for reference in image.references {
                guard let tag = reference.tag, let top = config.rootfs.diff_ids.last else { continue }
                repositories[reference.familiarRepository, default: [:]][tag] = top.hex
            }
        }
        try writer.add("manifest.json", bytes: try ImageJSON.encode(entries))
        try writer.add("repositories", bytes: try ImageJSON.encode(repositories))
        try writer.close()
    }

    // MARK: load

    /// Load every image in the archive; returns `docker load`'s lines
    /// (`Loaded image: busybox:latest`, or `Loaded image ID: sha256:…` when untagged).
    public static func load(_ archive: FilePath, into store: ImageStore) throws -> [String] {
        let staging = store.temporaryPath("load")
        defer { try? TreeWalk.remove(staging) }
        try LayerUnpacker.unpack(archive, into: staging, convertWhiteouts: false)
        do {
            if ArchiveMember.exists("manifest.json", in: staging) {
                return try loadDockerArchive(staging, store: store, source: archive)
            }
            if ArchiveMember.exists("index.json", in: staging) {
                return try loadOCILayout(staging, store: store, source: archive)
            }
        } catch {
            // Whatever was stored before the failure goes again: bad input changes nothing.
            try? store.discardUnreferenced()
            throw error
        }
        throw RuntimeError("archive \(quoted(archive.string)): neither a docker-archive (manifest.json) nor an OCI layout (index.json)")
    }

    /// An image of the archive, checked and ready to store: its members open, its name parsed.
    struct Prepared {
        var configBytes: [UInt8]
        /// Open until stored: their paths are /proc/self/fd/N.
        var layers: [ArchiveMember]
        var names: [ImageReference]
    }

    /// Store every prepared image, then name them: an archive with one bad image (a symlink
    /// member, a name that does not parse, a blob that does not match its digest) is refused
    /// before any image of it gets a name.
    static func store(_ images: [Prepared], into store: ImageStore, source: FilePath) throws -> [String] {
        let stored = try withExtendedLifetime(images) {
            try images.map { try storeImage(configBytes: $0.configBytes, layerFiles: $0.layers.map(\.path), store: store, source: source) }
        }
        var lines: [String] = []
        for (image, (manifestDigest, imageID)) in zip(images, stored) {
            for name in image.names {
                try store.tag(name, to: manifestDigest)
                lines.append("Loaded image: \(name.familiarRepository)"
                             + (name.tag.map { ":" + $0 } ?? name.digest.map { "@\($0)" } ?? ":latest"))
            }
            if image.names.isEmpty {
                try store.keepUntagged(manifestDigest)
                lines.append("Loaded image ID: \(imageID)")
            }
        }
        return lines
    }

    static func loadDockerArchive(_ directory: FilePath, store: ImageStore, source: FilePath) throws -> [String] {
        let entries = try ImageJSON.decode([DockerManifestEntry].self,
                                           from: try ArchiveMember("manifest.json", in: directory, archive: source).read(),
                                           what: "\(quoted(source.string)): manifest.json")
        let images = try entries.map { entry in
            // A bad RepoTags entry is an error, as in `docker load`.
            let names = try (entry.RepoTags ?? []).map { name in
                do { return try ImageReference(parsing: name) } catch let error as RuntimeError {
                    throw RuntimeError("\(quoted(source.string)): manifest.json names \(quoted(name)): \(error.message)")
                }
            }
            return Prepared(configBytes: try ArchiveMember(entry.Config, in: directory, archive: source).read(),
                            layers: try entry.Layers.map { try ArchiveMember($0, in: directory, archive: source) }, names: names)
        }
        return try Self.store(images, into: store, source: source)
    }

    static func loadOCILayout(_ directory: FilePath, store: ImageStore, source: FilePath) throws -> [String] {
        let index = try ImageJSON.decode(OCIIndex.self, from: try ArchiveMember("index.json", in: directory, archive: source).read(),
                                         what: "\(quoted(source.string)): index.json")
        let images = try index.manifests.map { descriptor in
            let name = try annotatedName(descriptor, source: source)
            let manifestDescriptor = try platformManifest(descriptor, directory: directory, source: source)
            let manifest = try ImageJSON.decode(ImageManifest.self, from: try verifiedBlob(manifestDescriptor, directory, source),
                                                what: "\(quoted(source.string)): manifest \(manifestDescriptor.digest)")
            for layer in manifest.layers where !MediaType.layers.contains(layer.mediaType) {
                throw RuntimeError("\(quoted(source.string)): unsupported layer media type \(quoted(layer.mediaType))")
            }
            let configBytes = try verifiedBlob(manifest.config, directory, source)
            let layers = try manifest.layers.map { try ArchiveMember("blobs/sha256/\($0.digest.hex)", in: directory, archive: source) }
            for (layer, member) in zip(manifest.layers, layers) {
                let (digest, size) = try Digest.of(file: member.path)
                guard digest == layer.digest, size == layer.size else {
                    throw RuntimeError("\(quoted(source.string)): layer \(layer.digest) does not match its content")
                }
            }
            return Prepared(configBytes: configBytes, layers: layers, names: name.map { [$0] } ?? [])
        }
        return try Self.store(images, into: store, source: source)
    }

    /// The name an index entry gives its image: containerd's `io.containerd.image.name` (a full
    /// reference), else `org.opencontainers.image.ref.name` when it is one (`ocibox:v3`, as skopeo
    /// writes; a bare `v3`, which the OCI layout spec also allows, names no repository: the image
    /// loads untagged). A name that does not parse is an error, as a bad `RepoTags` entry is to
    /// `docker load`, not a silently unnamed image. A name pinned by digest (`name@sha256:X`)
    /// must be pinned to this very entry: X is the digest of what it names, or the name lies.
    static func annotatedName(_ descriptor: Descriptor, source: FilePath) throws -> ImageReference? {
        guard let name = descriptor.annotations?["io.containerd.image.name"] ?? descriptor.annotations?["org.opencontainers.image.ref.name"],
              name.contains(":") || name.contains("/") else { return nil }
        let reference: ImageReference
        do { reference = try ImageReference(parsing: name) } catch let error as RuntimeError {
            throw RuntimeError("\(quoted(source.string)): index.json names \(quoted(name)): \(error.message)")
        }
        if let pinned = reference.digest, pinned != descriptor.digest {
            throw RuntimeError("\(quoted(source.string)): index.json names \(quoted(name)) for manifest \(descriptor.digest): the digest does not match")
        }
        return reference
    }

    /// An index entry that is itself an index (multi-platform): pick linux/amd64.
    static func platformManifest(_ descriptor: Descriptor, directory: FilePath, source: FilePath) throws -> Descriptor {
        guard descriptor.mediaType == MediaType.ociIndex || descriptor.mediaType == MediaType.dockerManifestList else {
            guard MediaType.manifests.contains(descriptor.mediaType) else {
                throw RuntimeError("\(quoted(source.string)): unsupported manifest media type \(quoted(descriptor.mediaType))")
            }
            return descriptor
        }
        let nested = try ImageJSON.decode(OCIIndex.self, from: try verifiedBlob(descriptor, directory, source),
                                          what: "\(quoted(source.string)): index \(descriptor.digest)")
        guard let match = nested.manifests.first(where: { $0.platform?.os == "linux" && $0.platform?.architecture == "amd64" }) else {
            throw RuntimeError("\(quoted(source.string)): no linux/amd64 image in the index")
        }
        return match
    }

    /// Store a config and its layers (any compression) and make an OCI manifest for them.
    /// Each layer's uncompressed digest must be the config's diff ID: that is the check
    /// that the layers are the ones the config describes.
    static func storeImage(configBytes: [UInt8], layerFiles: [FilePath], store: ImageStore,
                           source: FilePath) throws -> (manifest: Digest, imageID: Digest) {
        let config = try ImageJSON.decode(ImageConfig.self, from: configBytes, what: "\(quoted(source.string)): image config")
        guard config.rootfs.diff_ids.count == layerFiles.count else {
            throw RuntimeError("\(quoted(source.string)): \(layerFiles.count) layers but the config lists \(config.rootfs.diff_ids.count)")
        }
        var descriptors: [Descriptor] = []
        for (file, diffID) in zip(layerFiles, config.rootfs.diff_ids) {
            let (digest, size) = try store.adoptLayer(file, diffID: diffID)
            descriptors.append(Descriptor(mediaType: MediaType.ociLayer, digest: digest, size: size))
        }
        let configDigest = try store.putBlob(configBytes)
        let manifest = ImageManifest(config: Descriptor(mediaType: MediaType.ociConfig, digest: configDigest,
                                                        size: Int64(configBytes.count)), layers: descriptors)
        let manifestDigest = try store.putBlob(try ImageJSON.encode(manifest))
        try store.admit(manifestDigest)
        return (manifestDigest, configDigest)
    }

    static func verifiedBlob(_ descriptor: Descriptor, _ directory: FilePath, _ source: FilePath) throws -> [UInt8] {
        let bytes = try ArchiveMember("blobs/sha256/\(descriptor.digest.hex)", in: directory, archive: source).read()
        guard Digest.of(bytes) == descriptor.digest else {
            throw RuntimeError("\(quoted(source.string)): blob \(descriptor.digest) does not match its content")
        }
        return bytes
    }
}
