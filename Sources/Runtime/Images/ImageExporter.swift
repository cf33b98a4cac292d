import SystemPackage

/// `export` of an image: its layers flattened into one root filesystem tarball, with every
/// deletion applied — what a container started from it would see as `/`.
///
/// The flattening is overlayfs's own: the layers are mounted read-only (lowers only, no upper)
/// in a child's private mount namespace, and the merged view is packed. Whiteouts and opaque
/// directories are hidden by the kernel exactly as in a running container, and the mount
/// vanishes with the child.
public enum ImageExporter {
    public static func export(_ manifest: Digest, from store: ImageStore, to output: FilePath) throws {
        let layers = try store.unpackedLayers(of: manifest)
        let staging = store.temporaryPath("export")
        defer { try? TreeWalk.remove(staging) }
        if layers.count == 1 {
            // One layer has nothing below it to delete from: it is its own flattened root.
            try LayerPacker.pack(layers[0], to: staging.appending("root.tar"), createDirectory: staging)
        } else {
            let merged = staging.appending("merged")
            try Directories.create(merged)
            let options = "lowerdir=" + layers.reversed().map(\.string).joined(separator: ":")
            try ChildProcess.perform(namespaces: .newMount) {
                try Mount.makeEverythingPrivate()
                try Mount.mount(source: "overlay", target: merged, type: "overlay", flags: .readOnly, data: options)
                try LayerPacker.pack(merged, to: staging.appending("root.tar"))
            }
        }
        try store.rename(staging.appending("root.tar"), to: output)
    }
}
