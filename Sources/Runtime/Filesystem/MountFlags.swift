/// The flag word of mount(2): the `MS_*` constants.
public struct MountFlags: OptionSet, Hashable, Sendable {
    public let rawValue: UInt

    public init(rawValue: UInt) { self.rawValue = rawValue }

    /// The C constant is `MS_RDONLY`.
    public static let readOnly = MountFlags(rawValue: 1)
    /// Ignore set-user-ID bits. The C constant is `MS_NOSUID`.
    public static let noSetuid = MountFlags(rawValue: 2)
    /// No device files. The C constant is `MS_NODEV`.
    public static let noDevices = MountFlags(rawValue: 4)
    /// The C constant is `MS_NOEXEC`.
    public static let noExec = MountFlags(rawValue: 8)
    /// The C constant is `MS_SYNCHRONOUS`.
    public static let synchronous = MountFlags(rawValue: 16)
    /// Change an existing mount's flags. The C constant is `MS_REMOUNT`.
    public static let remount = MountFlags(rawValue: 32)
    /// The C constant is `MS_DIRSYNC`.
    public static let dirSync = MountFlags(rawValue: 128)
    /// The C constant is `MS_NOATIME`.
    public static let noAccessTime = MountFlags(rawValue: 1024)
    /// The C constant is `MS_NODIRATIME`.
    public static let noDirectoryAccessTime = MountFlags(rawValue: 2048)
    /// Make a directory appear at a second place. The C constant is `MS_BIND`.
    public static let bind = MountFlags(rawValue: 4096)
    /// The C constant is `MS_MOVE`.
    public static let move = MountFlags(rawValue: 8192)
    /// Apply to every mount below too. The C constant is `MS_REC`.
    public static let recursive = MountFlags(rawValue: 16384)
    /// The C constant is `MS_UNBINDABLE`.
    public static let unbindable = MountFlags(rawValue: 1 << 17)
    /// Mount events neither propagate out nor in. The C constant is `MS_PRIVATE`.
    public static let `private` = MountFlags(rawValue: 1 << 18)
    /// The C constant is `MS_SLAVE`.
    public static let slave = MountFlags(rawValue: 1 << 19)
    /// The C constant is `MS_SHARED`.
    public static let shared = MountFlags(rawValue: 1 << 20)
    /// The C constant is `MS_RELATIME`.
    public static let relativeAccessTime = MountFlags(rawValue: 1 << 21)
    /// The C constant is `MS_STRICTATIME`.
    public static let strictAccessTime = MountFlags(rawValue: 1 << 24)

    static let names: [(MountFlags, String)] = [
        (.readOnly, "MS_RDONLY"), (.noSetuid, "MS_NOSUID"), (.noDevices, "MS_NODEV"),
        (.noExec, "MS_NOEXEC"), (.synchronous, "MS_SYNCHRONOUS"), (.remount, "MS_REMOUNT"),
        (.dirSync, "MS_DIRSYNC"), (.noAccessTime, "MS_NOATIME"),
        (.noDirectoryAccessTime, "MS_NODIRATIME"), (.bind, "MS_BIND"), (.move, "MS_MOVE"),
        (.recursive, "MS_REC"), (.unbindable, "MS_UNBINDABLE"), (.private, "MS_PRIVATE"),
        (.slave, "MS_SLAVE"), (.shared, "MS_SHARED"), (.relativeAccessTime, "MS_RELATIME"),
        (.strictAccessTime, "MS_STRICTATIME"),
    ]

    /// `MS_REC|MS_PRIVATE`, or `0`, as C code would write it.
    public var cSpelling: String { spellFlags(rawValue, names: Self.names.map { ($0.0.rawValue, $0.1) }) }
}

/// The flag word of umount2(2).
public struct UnmountFlags: OptionSet, Hashable, Sendable {
    public let rawValue: Int32

    public init(rawValue: Int32) { self.rawValue = rawValue }

    /// The C constant is `MNT_FORCE`.
    public static let force = UnmountFlags(rawValue: 1)
    /// Detach now, clean up when no longer busy. The C constant is `MNT_DETACH`.
    public static let detach = UnmountFlags(rawValue: 2)

    public var cSpelling: String {
        spellFlags(rawValue, names: [(Self.force.rawValue, "MNT_FORCE"), (Self.detach.rawValue, "MNT_DETACH")])
    }
}
