/// The namespaces a new process starts in: the `CLONE_NEW*` flags of clone(2) and unshare(2).
public struct CloneFlags: OptionSet, Hashable, Sendable {
    public let rawValue: UInt

    public init(rawValue: UInt) { self.rawValue = rawValue }

    /// A new mount namespace. The C constant is `CLONE_NEWNS` (it was the first namespace,
    /// from before anyone expected others, hence the vague name).
    public static let newMount = CloneFlags(rawValue: 0x0002_0000)
    /// The C constant is `CLONE_NEWCGROUP`.
    public static let newCgroup = CloneFlags(rawValue: 0x0200_0000)
    /// Hostname and domain name. The C constant is `CLONE_NEWUTS`.
    public static let newUTS = CloneFlags(rawValue: 0x0400_0000)
    /// System V IPC and POSIX message queues. The C constant is `CLONE_NEWIPC`.
    public static let newIPC = CloneFlags(rawValue: 0x0800_0000)
    /// The C constant is `CLONE_NEWUSER`.
    public static let newUser = CloneFlags(rawValue: 0x1000_0000)
    /// The C constant is `CLONE_NEWPID`.
    public static let newPID = CloneFlags(rawValue: 0x2000_0000)
    /// The C constant is `CLONE_NEWNET`.
    public static let newNetwork = CloneFlags(rawValue: 0x4000_0000)
    /// The C constant is `CLONE_NEWTIME`.
    public static let newTime = CloneFlags(rawValue: 0x0000_0080)

    /// Each flag with its C name, in the order the trace prints them.
    static let names: [(CloneFlags, String)] = [
        (.newMount, "CLONE_NEWNS"), (.newUTS, "CLONE_NEWUTS"), (.newIPC, "CLONE_NEWIPC"),
        (.newPID, "CLONE_NEWPID"), (.newNetwork, "CLONE_NEWNET"), (.newUser, "CLONE_NEWUSER"),
        (.newCgroup, "CLONE_NEWCGROUP"), (.newTime, "CLONE_NEWTIME"),
    ]

    /// `CLONE_NEWNS|CLONE_NEWPID`, or `0` for none, as C code would write it.
    public var cSpelling: String { spellFlags(rawValue, names: Self.names.map { ($0.0.rawValue, $0.1) }) }

    /// The flag that creates a namespace of the spec's `type`.
    public init(_ type: Spec.NamespaceType) {
        switch type {
        case .pid: self = .newPID
        case .network: self = .newNetwork
        case .mount: self = .newMount
        case .ipc: self = .newIPC
        case .uts: self = .newUTS
        case .user: self = .newUser
        case .cgroup: self = .newCgroup
        case .time: self = .newTime
        }
    }

    /// The new namespaces a spec asks for: entries without a `path` (those with one are joined,
    /// not created).
    public init(newNamespacesOf spec: Spec) {
        self = []
        for namespace in spec.linux?.namespaces ?? [] where namespace.path == nil {
            insert(CloneFlags(namespace.type))
        }
    }
}

/// Spell a flag word as C code would: known names joined by `|`, any bits left in hex.
func spellFlags<Word: FixedWidthInteger>(_ value: Word, names: [(Word, String)]) -> String {
    var rest = value
    var parts: [String] = []
    for (bit, name) in names where bit != 0 && rest & bit == bit {
        parts.append(name)
        rest &= ~bit
    }
    if rest != 0 { parts.append("0x" + String(rest, radix: 16)) }
    return parts.isEmpty ? "0" : parts.joined(separator: "|")
}
