#if canImport(Glibc)
import Glibc
#endif
import SystemPackage

/// A container's root as an overlay: read-only image layers, one writable layer on top.
///
/// The kernel merges `lowerdir` (a colon-separated list, topmost first) under `upperdir`,
/// where every write lands; `workdir`, an empty directory on the same filesystem as the
/// upper, is overlayfs's scratch space for atomic copy-ups.
public struct OverlayLayout: Sendable {
    /// The image's layer directories, topmost first (overlay's order, not the manifest's).
    public var lowers: [FilePath]
    public var upper: FilePath
    public var work: FilePath
    /// Where the merged view is mounted: the container's rootfs.
    public var merged: FilePath
    /// A directory for short symlinks to the lowers, used when their paths are too long.
    public var links: FilePath

    /// A layer an image lists twice is kept at its topmost place only: overlayfs refuses the
    /// same directory twice (ELOOP), and the lower copy adds nothing — every path it has, the
    /// upper copy has too, with the same content.
    public init(lowers: [FilePath], upper: FilePath, work: FilePath, merged: FilePath, links: FilePath) {
        var seen = Set<String>()
        self.lowers = lowers.filter { seen.insert($0.string).inserted }
        self.upper = upper
        self.work = work
        self.merged = merged
        self.links = links
    }

    /// Make the writable directories (upper, work, merged) and the short links. Done by the
    /// parent on disk; `mount` is then done inside the container's mount namespace, so the
    /// overlay disappears with it.
    public func create() throws {
        for missing in lowers where !Directories.isDirectory(missing) {
            throw RuntimeError("overlay lower layer \(quoted(missing.string)): no such directory")
        }
        for directory in [upper, work, merged, links] { try Directories.create(directory) }
        for (index, lower) in lowers.enumerated() {
            let link = links.appending("\(index)")
            try Syscall.call("symlink", [quoted(lower.string), quoted(link.string)], subject: quoted(link.string),
                             traced: false, tolerating: [.fileExists]) { symlink(lower.string, link.string) }
        }
    }

    /// The mount data string with the lowers' full paths.
    public var options: String {
        "lowerdir=\(lowers.map(\.string).joined(separator: ":")),upperdir=\(upper.string),workdir=\(work.string)"
    }

    /// The same with short relative lowers, `0:1:2`, valid from inside `links`.
    public var compactOptions: String {
        "lowerdir=\(lowers.indices.map(String.init).joined(separator: ":")),upperdir=\(upper.string),workdir=\(work.string)"
    }

    /// mount(2) copies at most one page of option data; a longer string is cut off and the
    /// mount fails. An image of 100 layers with 70-character paths needs 7000 bytes.
    public static let maximumOptionLength = Int(sysconf(Int32(_SC_PAGESIZE))) - 1

    /// Mount the overlay on `merged`. When the full paths do not fit in a page, chdir into
    /// the links directory and name the lowers `0:1:2…` — relative paths are resolved from
    /// the caller's working directory, which is what Docker's overlay2 driver does with its
    /// `l/` directory of short links.
    public func mount() throws {
        try mount(flags: [], data: options, compactData: compactOptions)
    }

    /// Mount only the lowers, read-only, on `merged`: the image's flattened view with nothing
    /// writable (`export`). `upper` and `work` are not used. overlayfs needs two lowers at
    /// least for this; with more than fit in a page the same short links serve as in `mount`.
    public func mountLowersOnly() throws {
        try mount(flags: .readOnly, data: "lowerdir=\(lowers.map(\.string).joined(separator: ":"))",
                  compactData: "lowerdir=\(lowers.indices.map(String.init).joined(separator: ":"))")
    }

    /// The one mount path: the full options when they fit in a page, else the short links.
    private func mount(flags: MountFlags, data: String, compactData: String) throws {
        do {
            if data.utf8.count <= Self.maximumOptionLength {
                try Mount.mount(source: "overlay", target: merged, type: "overlay", flags: flags, data: data)
                return
            }
            guard compactData.utf8.count <= Self.maximumOptionLength else {
                throw RuntimeError("overlay of \(lowers.count) layers: mount options too long even with short links; merge some layers")
            }
            let previous = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)
            defer {
                if previous >= 0 { _ = fchdir(previous); close(previous) }
            }
            try Syscall.call("chdir", [quoted(links.string)], subject: quoted(links.string)) { chdir(links.string) }
            try Mount.mount(source: "overlay", target: merged, type: "overlay", flags: flags, data: compactData)
        } catch let error as RuntimeError where error.errno == .operationNotSupportedByDevice {
            // ENODEV from mount(2) names no file: the kernel has no such filesystem type.
            throw RuntimeError("\(error.message): the kernel has no overlay filesystem (load its module: modprobe overlay)",
                               errno: error.errno)
        }
    }

    /// Remove the container's writable layer and scratch directories (not the image layers).
    public func removeWritableLayer() throws {
        for directory in [merged, work, upper, links] { try TreeWalk.remove(directory) }
    }
}
