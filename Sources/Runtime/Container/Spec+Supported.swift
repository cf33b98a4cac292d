import FoundationEssentials

/// What of `config.json` minidock implements, so that anything else is refused with one line
/// instead of being silently ignored. A runtime that drops `linux.seccomp` or `linux.devices`
/// without a word runs the container with less confinement than its engine asked for.
///
/// The model (`Spec`) decodes only the fields it knows; this reads the same file as plain JSON
/// and walks it against the table below. A field outside the table is accepted only when it
/// says nothing: null, false, an empty string, array or object.
extension Spec {
    /// Object path → the keys implemented there. `[]` marks "each element of".
    static let implemented: [String: Set<String>] = [
        "": ["ociVersion", "process", "root", "hostname", "domainname", "mounts", "linux", "hooks", "annotations"],
        "process": ["terminal", "consoleSize", "user", "args", "env", "cwd", "capabilities", "rlimits",
                    "noNewPrivileges", "oomScoreAdj"],
        "process.consoleSize": ["height", "width"],
        "process.user": ["uid", "gid", "umask", "additionalGids"],
        "process.capabilities": ["bounding", "effective", "inheritable", "permitted", "ambient"],
        "process.rlimits[]": ["type", "hard", "soft"],
        "root": ["path", "readonly"],
        "mounts[]": ["destination", "type", "source", "options"],
        "hooks": ["prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop"],
        "hooks.prestart[]": ["path", "args", "env", "timeout"],
        "hooks.createRuntime[]": ["path", "args", "env", "timeout"],
        "hooks.createContainer[]": ["path", "args", "env", "timeout"],
        "hooks.startContainer[]": ["path", "args", "env", "timeout"],
        "hooks.poststart[]": ["path", "args", "env", "timeout"],
        "hooks.poststop[]": ["path", "args", "env", "timeout"],
        "linux": ["namespaces", "resources", "cgroupsPath", "maskedPaths", "readonlyPaths", "sysctl"],
        "linux.namespaces[]": ["type"],
        "linux.resources": ["memory", "cpu", "pids", "devices"],
        "linux.resources.devices[]": ["allow", "type", "major", "minor", "access"],
        "linux.resources.memory": ["limit", "reservation", "swap"],
        "linux.resources.cpu": ["shares", "quota", "period", "cpus", "mems"],
        "linux.resources.pids": ["limit"],
    ]

    /// Objects whose keys are data, not fields: any key is fine.
    static let freeForm: Set<String> = ["annotations", "linux.sysctl"]

    /// Refuse a `config.json` that asks for something minidock does not do.
    public static func checkImplemented(_ bytes: [UInt8], source: String = "config.json") throws {
        let document: JSONValue
        do {
            document = try JSONDecoder().decode(JSONValue.self, from: Data(bytes))
        } catch {
            throw RuntimeError("\(quoted(source)): invalid JSON")
        }
        try check(document, at: "", display: "", source: source)
    }

    private static func check(_ value: JSONValue, at path: String, display: String, source: String) throws {
        switch value {
        case .object(let fields):
            if freeForm.contains(path) { return }
            guard let known = implemented[path] else { return }
            for (key, field) in fields.sorted(by: { $0.key < $1.key }) {
                let childPath = path.isEmpty ? key : path + "." + key
                let childDisplay = display.isEmpty ? key : display + "." + key
                guard known.contains(key) else {
                    if field.saysNothing { continue }
                    throw RuntimeError("\(quoted(source)): \(childDisplay): not implemented by minidock; refusing to run without it")
                }
                try check(field, at: childPath, display: childDisplay, source: source)
            }
        case .array(let elements):
            for (index, element) in elements.enumerated() {
                try check(element, at: path + "[]", display: display + "[\(index)]", source: source)
            }
        default:
            return
        }
    }
}

extension JSONValue {
    /// null, false, 0, "", [] or {} — or an object of only such values (Docker's
    /// `"blockIO": {"weight": 0}`): a field that asks for nothing.
    var saysNothing: Bool {
        switch self {
        case .null: return true
        case .bool(let value): return !value
        case .integer(let value): return value == 0
        case .number(let value): return value == 0
        case .string(let value): return value.isEmpty
        case .array(let value): return value.isEmpty
        case .object(let value): return value.values.allSatisfy(\.saysNothing)
        }
    }
}
