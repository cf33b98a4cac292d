/// The mount(8)-style option words of a spec mount, split the way mount(2) wants them:
/// words that are flags (`nosuid`, `ro`, `rbind`) become `MountFlags`; the rest
/// (`mode=755`, `size=65536k`, `newinstance`) are the filesystem's own and go, comma-joined,
/// in the `data` argument.
public struct MountOptions: Equatable, Sendable {
    public var flags: MountFlags
    /// Propagation to apply with a second mount(2) call (it cannot be combined with others).
    public var propagation: MountFlags
    public var data: String

    public init(_ options: [String]) {
        var flags: MountFlags = []
        var propagation: MountFlags = []
        var data: [String] = []
        for option in options {
            if let (set, clear) = Self.flagWords[option] {
                flags.formUnion(set)
                flags.subtract(clear)
            } else if let word = Self.propagationWords[option] {
                propagation = word
            } else {
                data.append(option)
            }
        }
        self.flags = flags
        self.propagation = propagation
        self.data = data.joined(separator: ",")
    }

    /// Each word, the flags it sets and the flags it clears.
    static let flagWords: [String: (MountFlags, MountFlags)] = [
        "ro": (.readOnly, []), "rw": ([], .readOnly),
        "nosuid": (.noSetuid, []), "suid": ([], .noSetuid),
        "nodev": (.noDevices, []), "dev": ([], .noDevices),
        "noexec": (.noExec, []), "exec": ([], .noExec),
        "sync": (.synchronous, []), "async": ([], .synchronous),
        "dirsync": (.dirSync, []), "remount": (.remount, []),
        "noatime": (.noAccessTime, []), "atime": ([], .noAccessTime),
        "nodiratime": (.noDirectoryAccessTime, []), "diratime": ([], .noDirectoryAccessTime),
        "relatime": (.relativeAccessTime, []), "norelatime": ([], .relativeAccessTime),
        "strictatime": (.strictAccessTime, []), "nostrictatime": ([], .strictAccessTime),
        "bind": (.bind, []), "rbind": ([.bind, .recursive], []),
        "defaults": ([], []),
    ]

    static let propagationWords: [String: MountFlags] = [
        "private": .private, "rprivate": [.private, .recursive],
        "shared": .shared, "rshared": [.shared, .recursive],
        "slave": .slave, "rslave": [.slave, .recursive],
        "unbindable": .unbindable, "runbindable": [.unbindable, .recursive],
    ]
}
