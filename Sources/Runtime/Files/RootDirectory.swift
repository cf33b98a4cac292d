import CShim
#if canImport(Glibc)
import Glibc
#endif
import SystemPackage

/// A directory that paths are resolved *inside*: a container's rootfs, an image layer, an
/// archive unpacked for `load`.
///
/// Joining strings — `rootfs + "/" + "/dev/pts"` — and handing the result to the kernel lets
/// the image decide where the call lands: if the image has `dev -> /`, that path is the host's
/// `/pts`. Every create, mknod, xattr, mkdir, mount target and removal the runtime performs in
/// a root therefore goes through here. The root is opened once as a descriptor, and each path
/// is resolved from it by the kernel, never by us on a string:
///
/// - with openat2(2) and `RESOLVE_IN_ROOT` (Linux 5.6+): the kernel walks the path as if the
///   root were `/`, so an absolute symlink or `../../..` stays inside it;
/// - where openat2 is missing, component by component from a directory descriptor: each name
///   opened with `O_NOFOLLOW`, a symlink read and its target walked again from the root, `..`
///   never above it (`componentWalk` below; runc's securejoin does the same in Go).
///
/// Two policies for symlinks in the path. A rootfs `followsSymlinksInside` (an image may well
/// have `/var/run -> /run`, and a mount on `/var/run/x` belongs on `/run/x` in the image).
/// A layer being unpacked `refusesSymlinks`: a tar entry behind a symlink (`evil/.wh.x` after
/// `evil -> /etc`) is an attack or a broken layer, and libarchive refuses the same for files.
/// The last component of a path is never followed by the calls that create or remove it.
public final class RootDirectory {
    public enum Symlinks: Sendable {
        /// Symlinks are followed, but resolved as if the root were `/`: a rootfs.
        case followInsideRoot
        /// Any symlink in the path is an error (ELOOP): a layer or an archive being read.
        case refuse
    }

    /// The root as the host names it: for messages and the trace only, never to resolve.
    public let path: FilePath
    public let symlinks: Symlinks
    /// The root directory, opened `O_PATH`: what every resolution starts from.
    public let descriptor: Int32

    /// Whether openat2 may be used. Tests turn it off (`MINIDOCK_NO_OPENAT2=1`) to run the same
    /// hostile cases through the component walk; it turns itself off on a kernel without it.
    nonisolated(unsafe) public static var openat2Available = getenv("MINIDOCK_NO_OPENAT2") == nil

    /// The most symlinks one resolution follows, as the kernel's own limit (MAXSYMLINKS).
    static let maximumSymlinks = 40

    public init(_ path: FilePath, symlinks: Symlinks = .followInsideRoot) throws {
        self.path = path
        self.symlinks = symlinks
        let flags = O_PATH | O_DIRECTORY | O_CLOEXEC
        descriptor = try Syscall.call("open", [quoted(path.string), "O_PATH|O_DIRECTORY"], subject: quoted(path.string),
                                      traced: false) { Glibc.open(path.string, flags) }
    }

    deinit { close(descriptor) }

    /// `relative` as the host would name it, for messages: `<root>/dev/pts`.
    public func display(_ relative: String) -> String {
        let clean = Self.components(relative).joined(separator: "/")
        return clean.isEmpty ? path.string : (path.string == "/" ? "" : path.string) + "/" + clean
    }

    /// A descriptor as strace -y shows it: `7</x/rootfs/dev>`.
    func spell(_ fd: Int32, _ relative: String) -> String { "\(fd)<\(display(relative))>" }

    /// The names of a path, without empty ones and `.`; `..` is kept (the resolver bounds it).
    static func components(_ relative: String) -> [String] {
        relative.split(separator: "/").map(String.init).filter { $0 != "." }
    }

    // MARK: opening

    /// Open `relative` inside the root; the caller closes the descriptor. `flags` are open(2)'s
    /// (O_CLOEXEC is added); with `.refuse`, a symlink anywhere in the path fails with ELOOP,
    /// with `.followInsideRoot` only a symlink as the last component of an `O_NOFOLLOW` open does.
    public func open(_ relative: String, _ flags: Int32, mode: mode_t = 0, traced: Bool = false) throws -> Int32 {
        let spelled = [spell(descriptor, ""), quoted(Self.components(relative).joined(separator: "/")),
                       OpenFlagSpelling.spell(flags), resolveSpelling]
        do {
            let fd = try resolve(relative, flags: flags | O_CLOEXEC, mode: mode)
            if traced { Trace.emit("openat2(\(spelled.joined(separator: ", "))) = \(fd)") }
            return fd
        } catch let error as RuntimeError {
            // Untraced opens are probes (does this directory exist yet?): their failure is no news.
            if traced { Trace.emit("openat2(\(spelled.joined(separator: ", "))) = -1 \(error.errno?.symbolicName ?? "?")") }
            throw error
        }
    }

    /// The directory `relative`, opened `O_PATH`: a handle for the *at calls below.
    public func openDirectory(_ relative: String) throws -> Int32 {
        try open(relative, O_PATH | O_DIRECTORY)
    }

    /// The directory holding `relative`'s last component, and that name. The name is never
    /// `..` or `.`: those would not name something *in* the directory.
    public func openParent(of relative: String) throws -> (directory: Int32, name: String) {
        var names = Self.components(relative)
        guard let name = names.popLast(), name != ".." else {
            throw RuntimeError("\(quoted(display(relative))): names no entry inside the root")
        }
        return (try openDirectory(names.joined(separator: "/")), name)
    }

    private var resolveSpelling: String {
        symlinks == .refuse ? "RESOLVE_IN_ROOT|RESOLVE_NO_SYMLINKS" : "RESOLVE_IN_ROOT|RESOLVE_NO_MAGICLINKS"
    }

    /// The resolution itself: the kernel's openat2 where it has it, else the component walk.
    private func resolve(_ relative: String, flags: Int32, mode: mode_t) throws -> Int32 {
        let clean = Self.components(relative).joined(separator: "/")
        if Self.openat2Available {
            var resolveFlags = cshim_resolve_in_root | cshim_resolve_no_magiclinks
            if symlinks == .refuse { resolveFlags |= cshim_resolve_no_symlinks }
            // openat2 refuses a mode without O_CREAT/O_TMPFILE (EINVAL), unlike open(2).
            let creates = flags & O_CREAT != 0
            while true {
                let fd = cshim_openat2(descriptor, clean.isEmpty ? "." : clean, flags, creates ? mode : mode_t(0), resolveFlags)
                if fd >= 0 { return fd }
                let error = Errno(rawValue: errno)
                if error == .interrupted { continue }
                // EAGAIN: a rename raced the walk; ENOSYS: a kernel older than 5.6.
                if error == .resourceTemporarilyUnavailable { continue }
                if error == .noFunction { Self.openat2Available = false; break }
                throw failure(relative, error)
            }
        }
        return try componentWalk(Self.components(relative), flags: flags, mode: mode, original: relative)
    }

    private func failure(_ relative: String, _ error: Errno) -> RuntimeError {
        if error == .tooManySymbolicLinkLevels && symlinks == .refuse {
            return RuntimeError("\(quoted(display(relative))): the path crosses a symlink, which is not followed here", errno: error)
        }
        return RuntimeError(call: "open", subject: quoted(display(relative)), errno: error)
    }

    /// Resolve without openat2, the way the kernel does with RESOLVE_IN_ROOT: a stack of open
    /// directories from the root down; `..` pops (never past the root); each name is opened
    /// with O_NOFOLLOW, and a symlink is read and its target's names put in front of the rest
    /// — from the root again when the target is absolute.
    private func componentWalk(_ names: [String], flags: Int32, mode: mode_t, original: String) throws -> Int32 {
        var stack: [Int32] = [try Syscall.call("dup", [], subject: quoted(path.string), traced: false) { dup(descriptor) }]
        defer { stack.forEach { close($0) } }
        var pending = Array(names.reversed())  // a stack: the next name is last
        var followed = 0
        while let name = pending.popLast() {
            if name == "." || name.isEmpty { continue }
            if name == ".." {
                if stack.count > 1 { close(stack.removeLast()) }
                continue
            }
            let last = pending.isEmpty
            let current = stack.last!
            let openFlags = last ? (flags | O_NOFOLLOW) : (O_PATH | O_NOFOLLOW | O_CLOEXEC)
            let fd = Glibc.openat(current, name, openFlags, mode)
            let error = fd < 0 ? Errno(rawValue: errno) : nil
            // A symlink shows as ELOOP (O_NOFOLLOW without O_PATH) or as an O_PATH handle on
            // the link itself; a path that must end in a directory shows it as ENOTDIR.
            var isLink = false
            if let error, error == .tooManySymbolicLinkLevels || error == .notDirectory {
                var info = stat()
                isLink = fstatat(current, name, &info, AT_SYMLINK_NOFOLLOW) == 0 && info.st_mode & S_IFMT == S_IFLNK
            } else if fd >= 0 {
                var info = stat()
                isLink = fstat(fd, &info) == 0 && info.st_mode & S_IFMT == S_IFLNK
                if isLink { close(fd) }
            }
            if isLink {
                // The last name of an O_NOFOLLOW open is the link itself: not followed.
                if last && flags & O_NOFOLLOW != 0 { throw failure(original, .tooManySymbolicLinkLevels) }
                guard symlinks == .followInsideRoot else { throw failure(original, .tooManySymbolicLinkLevels) }
                followed += 1
                guard followed <= Self.maximumSymlinks else { throw failure(original, .tooManySymbolicLinkLevels) }
                let target = try readLink(current, name, original)
                if target.hasPrefix("/") {
                    while stack.count > 1 { close(stack.removeLast()) }
                }
                pending.append(contentsOf: Self.components(target).reversed())
                continue
            }
            if let error { throw failure(original, error) }
            if last {
                stack.removeAll { $0 == fd }
                return fd
            }
            var info = stat()
            guard fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFDIR else {
                close(fd)
                throw failure(original, .notDirectory)
            }
            stack.append(fd)
        }
        // No names left (the root itself, or `a/..`): the directory reached, opened as asked.
        return try Syscall.call("openat", [], subject: quoted(display(original)), traced: false) {
            Glibc.openat(stack.last!, ".", flags & ~(O_CREAT | O_EXCL | O_NOFOLLOW), mode)
        }
    }

    private func readLink(_ directory: Int32, _ name: String, _ original: String) throws -> String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = try Syscall.call("readlinkat", [], subject: quoted(display(original)), traced: false) {
            readlinkat(directory, name, &buffer, buffer.count - 1)
        }
        return String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    // MARK: creating

    /// `mkdir -p` inside the root; returns the final directory opened `O_PATH` (caller closes).
    /// Each missing directory is made with mkdirat in its parent's descriptor, so a symlink
    /// planted in the path is resolved (or refused) like any other, never written through.
    @discardableResult
    public func makeDirectories(_ relative: String, mode: mode_t = 0o755) throws -> Int32 {
        try makeDirectories(Self.components(relative), mode: mode, followed: 0, original: relative)
    }

    /// A dangling symlink on the way (`evil -> /made/later`) is resolved inside the root and
    /// what it points to is made, as `mkdir -p` through a link to a missing directory would
    /// be expected to: the walk starts again on the link's target.
    private func makeDirectories(_ names: [String], mode: mode_t, followed: Int, original: String) throws -> Int32 {
        if let fd = try? openDirectory(names.joined(separator: "/")) { return fd }
        var parent = try openDirectory("")
        defer { close(parent) }
        for index in names.indices {
            let prefix = names[...index].joined(separator: "/")
            if let fd = try? openDirectory(prefix) {
                close(parent)
                parent = fd
                continue
            }
            let name = names[index]
            guard name != ".." else { throw RuntimeError("\(quoted(display(prefix))): no such directory") }
            try Syscall.call("mkdirat", [spell(parent, names[..<index].joined(separator: "/")), quoted(name), "0" + String(mode, radix: 8)],
                             subject: quoted(display(prefix)), tolerating: [.fileExists]) { mkdirat(parent, name, mode) }
            do {
                // Opened through the resolver again: what was made (or raced in) must be a directory inside.
                let fd = try openDirectory(prefix)
                close(parent)
                parent = fd
            } catch let error as RuntimeError where error.errno == .noSuchFileOrDirectory && symlinks == .followInsideRoot {
                var info = stat()
                guard fstatat(parent, name, &info, AT_SYMLINK_NOFOLLOW) == 0, info.st_mode & S_IFMT == S_IFLNK,
                      followed < Self.maximumSymlinks else { throw error }
                let target = try readLink(parent, name, original)
                let rest = Array(names[(index + 1)...])
                let base = target.hasPrefix("/") ? [] : Array(names[..<index])
                return try makeDirectories(base + Self.components(target) + rest, mode: mode, followed: followed + 1, original: original)
            }
        }
        return try Syscall.call("dup", [], subject: "", traced: false) { dup(parent) }
    }

    /// mknod(2) of `relative`, its parents made as needed. `relative` must not exist.
    public func makeNode(_ relative: String, mode: mode_t, device: dev_t, spelledMode: String, spelledDevice: String) throws {
        let (directory, name) = try openParentMakingIt(relative)
        defer { close(directory) }
        try Syscall.call("mknodat", [spell(directory, parentOf(relative)), quoted(name), spelledMode, spelledDevice],
                         subject: quoted(display(relative))) { mknodat(directory, name, mode, device) }
    }

    /// symlink(2): `relative` pointing at `target` (the target is stored, not resolved).
    public func makeSymlink(_ relative: String, to target: String) throws {
        let (directory, name) = try openParentMakingIt(relative)
        defer { close(directory) }
        try Syscall.call("symlinkat", [quoted(target), spell(directory, parentOf(relative)), quoted(name)],
                         subject: quoted(display(relative))) { symlinkat(target, directory, name) }
    }

    /// An empty regular file at `relative` if nothing is there (a bind mount's target for a
    /// file). Returns it opened `O_PATH`: never opened for reading, since an image may have
    /// planted a FIFO (whose open would wait for ever) or a device there.
    public func makeFile(_ relative: String, mode: mode_t = 0o644) throws -> Int32 {
        close(try openParentMakingIt(relative).directory)
        do {
            return try open(relative, O_PATH)
        } catch let error as RuntimeError where error.errno == .noSuchFileOrDirectory {
            close(try open(relative, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, mode: mode))
            return try open(relative, O_PATH)
        }
    }

    /// Write `bytes` to the regular file `relative` (created or truncated), never through a
    /// symlink as its last name: for files the runtime writes into a root (/etc/hosts later).
    public func writeFile(_ relative: String, _ bytes: [UInt8], mode: mode_t = 0o644) throws {
        close(try openParentMakingIt(relative).directory)
        let fd = try open(relative, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW, mode: mode)
        defer { close(fd) }
        try FileContents.write(bytes, to: fd, named: display(relative))
    }

    /// Set an extended attribute on `relative` itself (a symlink as last name is refused).
    public func setAttribute(_ relative: String, name: String, value: String) throws {
        let fd = try open(relative, O_RDONLY | O_NOFOLLOW)
        defer { close(fd) }
        try Syscall.call("fsetxattr", [spell(fd, relative), quoted(name), quoted(value), "\(value.utf8.count)", "0"],
                         subject: quoted(display(relative))) { cshim_fsetxattr(fd, name, value, value.utf8.count) }
    }

    /// The value of an extended attribute of `relative`, or nil (missing, or not readable).
    public func attribute(_ relative: String, name: String) -> [UInt8]? {
        guard let fd = try? open(relative, O_RDONLY | O_NOFOLLOW) else { return nil }
        defer { close(fd) }
        var value = [UInt8](repeating: 0, count: 256)
        let count = cshim_fgetxattr(fd, name, &value, value.count)
        return count < 0 ? nil : Array(value[..<count])
    }

    // MARK: looking

    /// lstat of `relative` (its last name not followed), or nil when there is nothing there.
    public func status(_ relative: String) -> stat? {
        guard let (directory, name) = try? openParent(of: relative) else {
            return Self.components(relative).isEmpty ? fstatOfRoot() : nil
        }
        defer { close(directory) }
        var info = stat()
        return fstatat(directory, name, &info, AT_SYMLINK_NOFOLLOW) == 0 ? info : nil
    }

    private func fstatOfRoot() -> stat? {
        var info = stat()
        return fstat(descriptor, &info) == 0 ? info : nil
    }

    /// The names in the directory `relative`, without `.` and `..`.
    public func entries(_ relative: String) throws -> [String] {
        try Directories.entries(descriptor: try open(relative, O_RDONLY | O_DIRECTORY), named: display(relative))
    }

    // MARK: removing

    /// unlink(2) of `relative`'s last name (a symlink is removed, not followed); nothing there is fine.
    public func removeFile(_ relative: String) throws {
        let (directory, name) = try openParent(of: relative)
        defer { close(directory) }
        try Syscall.call("unlinkat", [spell(directory, parentOf(relative)), quoted(name), "0"], subject: quoted(display(relative)),
                         tolerating: [.noSuchFileOrDirectory]) { unlinkat(directory, name, 0) }
    }

    // MARK: helpers

    private func parentOf(_ relative: String) -> String { Self.components(relative).dropLast().joined(separator: "/") }

    private func openParentMakingIt(_ relative: String) throws -> (directory: Int32, name: String) {
        var names = Self.components(relative)
        guard let name = names.popLast(), name != ".." else {
            throw RuntimeError("\(quoted(display(relative))): names no entry inside the root")
        }
        return (try makeDirectories(names.joined(separator: "/")), name)
    }
}

/// O_PATH: a descriptor that only names a file (for *at calls and mount targets), C's `O_PATH`.
let O_PATH = cshim_o_path

/// open(2)'s flag words for the trace.
enum OpenFlagSpelling {
    static func spell(_ flags: Int32) -> String {
        var words: [String] = []
        switch flags & O_ACCMODE {
        case O_WRONLY: words.append("O_WRONLY")
        case O_RDWR: words.append("O_RDWR")
        default: if flags & O_PATH == 0 { words.append("O_RDONLY") }
        }
        let named: [(Int32, String)] = [(O_PATH, "O_PATH"), (O_DIRECTORY, "O_DIRECTORY"), (O_CREAT, "O_CREAT"), (O_EXCL, "O_EXCL"),
                                        (O_TRUNC, "O_TRUNC"), (O_NOFOLLOW, "O_NOFOLLOW")]
        for (bit, word) in named where flags & bit != 0 { words.append(word) }
        return words.joined(separator: "|")
    }
}
