/// The device cgroup's rules (cgroup v1's `devices` controller): which device numbers a
/// container's processes may read, write or create. A root container with CAP_MKNOD could
/// otherwise make `/dev/sda` in its own /dev and write the host's disk.
///
/// The spec's rules come first, in order (engines start with "deny everything"). When they
/// deny everything, the devices every container needs are allowed after them, as runc does:
/// the ones in `DeviceNodes`, the terminals, and creating (not opening) any node.
public enum DeviceRules {
    /// What a container may always use once everything else is denied.
    static let defaults: [Spec.DeviceRule] = [
        .init(allow: true, type: "c", major: nil, minor: nil, access: "m"),
        .init(allow: true, type: "b", major: nil, minor: nil, access: "m"),
        .init(allow: true, type: "c", major: 1, minor: 3, access: "rwm"),   // null
        .init(allow: true, type: "c", major: 1, minor: 5, access: "rwm"),   // zero
        .init(allow: true, type: "c", major: 1, minor: 7, access: "rwm"),   // full
        .init(allow: true, type: "c", major: 1, minor: 8, access: "rwm"),   // random
        .init(allow: true, type: "c", major: 1, minor: 9, access: "rwm"),   // urandom
        .init(allow: true, type: "c", major: 5, minor: 0, access: "rwm"),   // tty
        .init(allow: true, type: "c", major: 5, minor: 2, access: "rwm"),   // ptmx
        .init(allow: true, type: "c", major: 136, minor: nil, access: "rwm"), // /dev/pts/*
    ]

    /// The spec's rules, then the defaults when those denied everything.
    public static func effective(_ rules: [Spec.DeviceRule]?) -> [Spec.DeviceRule] {
        guard let rules, !rules.isEmpty else { return [] }
        let deniesAll = rules.contains { !$0.allow && ($0.type == nil || $0.type == "a") && $0.major == nil && $0.minor == nil }
        return rules + (deniesAll ? defaults : [])
    }

    /// A rule as devices.allow / devices.deny take it: `a`, or `c 1:3 rwm` (`*` for any number).
    public static func spell(_ rule: Spec.DeviceRule) -> String {
        let type = rule.type ?? "a"
        if type == "a" { return "a" }
        let number = { (value: Int64?) in value.map { $0 < 0 ? "*" : String($0) } ?? "*" }
        return "\(type) \(number(rule.major)):\(number(rule.minor)) \(rule.access ?? "rwm")"
    }

    /// Refuse a rule the kernel would misread: a type other than a, b, c; an access other than r, w, m.
    public static func validate(_ rules: [Spec.DeviceRule]?) throws {
        for (index, rule) in (rules ?? []).enumerated() {
            guard ["a", "b", "c"].contains(rule.type ?? "a") else {
                throw RuntimeError("linux.resources.devices[\(index)].type \(quoted(rule.type ?? "")): a, b or c")
            }
            let access = Set(rule.access ?? "rwm")
            guard !access.isEmpty, access.isSubset(of: Set("rwm")) else {
                throw RuntimeError("linux.resources.devices[\(index)].access \(quoted(rule.access ?? "")): letters of rwm")
            }
        }
    }
}
