import SystemPackage

/// `root.readonly`: after pivot_root, remount `/` read-only. Mounts on top of it (/proc,
/// /dev, a tmpfs) keep their own flags, which is why this comes last.
public enum ReadonlyRoot {
    public static func apply() throws {
        try Mount.mount(source: nil, target: "/", type: nil, flags: [.bind, .remount, .readOnly])
    }
}
