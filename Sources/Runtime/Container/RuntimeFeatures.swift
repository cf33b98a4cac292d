/// What `minidock-runc features` prints: the runtime-spec's features document, so an engine
/// can ask what this runtime implements before it writes a config.json (runtime-spec,
/// features.md). It says only what `Spec.implemented` accepts.
public struct RuntimeFeatures: Codable, Sendable {
    public struct Linux: Codable, Sendable {
        public struct CgroupSupport: Codable, Sendable {
            public var v1 = true
            public var v2 = true
            public var systemd = false
            public var systemdUser = false
        }
        public struct Enabled: Codable, Sendable {
            public var enabled: Bool
        }
        public var namespaces: [String]
        public var capabilities: [String]
        public var cgroup = CgroupSupport()
        public var seccomp = Enabled(enabled: false)
        public var apparmor = Enabled(enabled: false)
        public var selinux = Enabled(enabled: false)
    }

    public var ociVersionMin = "1.0.0"
    public var ociVersionMax = Spec.version
    public var hooks = ["prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop"]
    public var mountOptions: [String]
    public var linux: Linux
    public var annotations = ["org.minidock.runtime": "minidock-runc"]

    public init() {
        mountOptions = (Array(MountOptions.flagWords.keys) + Array(MountOptions.propagationWords.keys)).sorted()
        // Joining an existing namespace (a `path`) is not implemented; creating these is.
        linux = Linux(namespaces: ["cgroup", "ipc", "mount", "network", "pid", "uts"], capabilities: Capabilities.names)
    }
}
