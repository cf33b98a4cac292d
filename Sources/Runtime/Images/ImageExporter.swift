import SystemPackage

/// `export` of an image: its layers flattened into one root filesystem tarball, with every
/// deletion applied — what a container started from it would see as `/`.
///
/// The flattening is overlayfs's own: the layers are mounted read-only (lowers only, no upper)
/// in a child's private mount namespace, and the merged view is packed. Whiteouts and opaque
/// directories are hidden by the kernel exactly as in a running container, and the mount
/// vanishes with the child. The mount is `OverlayLayout`'s, as `run`'s is: an image of many
/// layers, whose paths do not fit in mount(2)'s one page of options, is mounted through the
/// same short links.
public enum ImageExporter {
    /// Write the tarball to `output`, through a temporary beside it (see `ArchiveOutput`).
    public static func export(_ manifest: Digest, from store: ImageStore, to output: FilePath) throws {
        let layers = try store.unpackedLayers(of: manifest)
        try ArchiveOutput.write(to: output) { tarball in
            if layers.count == 1 {
                // One layer has nothing below it to delete from: it is its own flattened root.
                try LayerPacker.pack(layers[0], to: tarball)
                return
            }
            let staging = store.temporaryPath("export")
            defer { try? TreeWalk.remove(staging) }
            let layout = OverlayLayout(lowers: layers.reversed(), upper: staging.appending("upper"), work: staging.appending("work"),
                                       merged: staging.appending("merged"), links: staging.appending("l"))
            try layout.create()
            try ChildProcess.perform(namespaces: .newMount) {
                try Mount.makeEverythingPrivate()
                try layout.mountLowersOnly()
                try LayerPacker.pack(layout.merged, to: tarball)
            }
        }
    }
}
