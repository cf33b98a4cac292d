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
    public static func of(upper: FilePath, lowers: [FilePath]) throws -> [Change] {
        var changes: [Change] = []
        try TreeWalk.walk(upper) { entry in
            let path = "/" + entry.relativePath
            if Whiteout.isWhiteout(entry.info) {
                changes.append(Change(.deleted, path))
                return false
            }
            changes.append(Change(existsBelow(entry.relativePath, in: lowers) ? .changed : .added, path))
            if entry.isDirectory && Whiteout.isOpaque(entry.path) {
                let kept = Set(try Directories.entries(entry.path))
                var hidden = Set<String>()
                for lower in lowers where Directories.isDirectory(lower.appending(entry.relativePath)) {
                    hidden.formUnion(try Directories.entries(lower.appending(entry.relativePath)))
                }
                for name in hidden.subtracting(kept).sorted() { changes.append(Change(.deleted, path + "/" + name)) }
            }
            return true
        }
        return changes.sorted { $0.path < $1.path }
    }

    /// Whether the merged view of `lowers` (topmost first) has `relativePath`.
    static func existsBelow(_ relativePath: String, in lowers: [FilePath]) -> Bool {
        for lower in lowers {
            let candidate = lower.appending(relativePath)
            var info = stat()
            if lstat(candidate.string, &info) == 0 { return !Whiteout.isWhiteout(info) }
        }
        return false
    }
}
