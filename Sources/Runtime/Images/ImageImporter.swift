import SystemPackage

/// `import`: a root filesystem — a tarball (plain, gzip or zstd) or a directory — becomes a
/// one-layer image, as `docker import` makes one.
public enum ImageImporter {
    @discardableResult
    public static func importRootfs(_ source: FilePath, as reference: ImageReference?, into store: ImageStore,
                                    architecture: String = "amd64") throws -> Digest {
        let staging = store.temporaryPath("import")
        defer { try? TreeWalk.remove(staging) }
        try Directories.create(staging)
        let unpacked = staging.appending("rootfs")
        let tarball = staging.appending("layer.tar")
        if Directories.isDirectory(source) {
            try LayerPacker.pack(source, to: tarball)
        } else {
            // Unpacking first checks the tarball entry by entry (escapes, corruption) before any
            // of it is stored; packing again gives the plain tar whose digest is the diff ID.
            try LayerUnpacker.unpack(source, into: unpacked)
            try LayerPacker.pack(unpacked, to: tarball)
        }
        let (diffID, size) = try store.adoptBlob(tarball)
        if Directories.isDirectory(unpacked) && !Directories.isDirectory(store.layerDirectory(diffID)) {
            try store.rename(unpacked, to: store.layerDirectory(diffID))
        }

        let created = Timestamp.now()
        let config = ImageConfig(
            created: created, architecture: architecture, os: "linux",
            config: .init(Env: [String(Spec.defaultPath)]),
            rootfs: .init(type: "layers", diff_ids: [diffID]),
            history: [.init(created: created, created_by: "minidock import", comment: "Imported from \(source.string)")])
        let configBytes = try ImageJSON.encode(config)
        let configDigest = try store.putBlob(configBytes)
        let manifest = ImageManifest(
            config: Descriptor(mediaType: MediaType.ociConfig, digest: configDigest, size: Int64(configBytes.count)),
            layers: [Descriptor(mediaType: MediaType.ociLayer, digest: diffID, size: size)])
        let manifestDigest = try store.putBlob(try ImageJSON.encode(manifest))
        if let reference { try store.tag(reference, to: manifestDigest) }
        return configDigest
    }
}
