#if canImport(Glibc)
import Glibc
#endif
import SystemPackage

/// What a container changed, read from its upper directory, as `docker diff` prints it:
/// `A` added, `C` changed, `D` deleted, one path a line, sorted.
public struct Change: Equatable, CustomStringConvertible, Sendable {
    public enum Kind: String, Sendable { case added = "A", changed = "C", deleted = "D" }

    public var kind: Kind
    public var path: String

    public init(_ kind: Kind, _ path: String) {
        self.kind = kind
        self.path = path
    }

    public var description: String { "\(kind.rawValue) \(path)" }
}

public enum Changes {
    /// Every entry of the upper dir is a change: a whiteout is a deletion; a path that a
    /// lower layer also has was changed (including directories a change was made in, which
    /// overlay copied up); anything else was added. An opaque directory also deletes every
    /// name the lowers had in it that the upper does not.
    ///
    /// The lowers are looked into as overlay looks into them: each path resolved inside its
    /// layer, no symlink followed — an image's `usr -> /etc` must not list the host's /etc.
    public static func of(upper: FilePath, lowers: [FilePath]) throws -> [Change] {
        let layers = try lowers.map { try RootDirectory($0, symlinks: .refuse) }
        var changes: [Change] = []
        try TreeWalk.walk(upper) { entry in
            let path = "/" + entry.relativePath
            if Whiteout.isWhiteout(entry.info) {
                changes.append(Change(.deleted, path))
                return false
            }
            changes.append(Change(existsBelow(entry.relativePath, in: layers) ? .changed : .added, path))
            if entry.isDirectory && Whiteout.isOpaque(entry.path) {
                let kept = Set(try Directories.entries(entry.path))
                var hidden = Set<String>()
                for layer in layers {
                    guard let info = layer.status(entry.relativePath), info.st_mode & S_IFMT == S_IFDIR else { continue }
                    hidden.formUnion(try layer.entries(entry.relativePath))
                }
                for name in hidden.subtracting(kept).sorted() { changes.append(Change(.deleted, path + "/" + name)) }
            }
            return true
        }
        return changes.sorted { $0.path < $1.path }
    }

    /// Whether the merged view of `layers` (topmost first) has `relativePath`.
    static func existsBelow(_ relativePath: String, in layers: [RootDirectory]) -> Bool {
        for layer in layers {
            if let info = layer.status(relativePath) { return !Whiteout.isWhiteout(info) }
        }
        return false
    }
}
