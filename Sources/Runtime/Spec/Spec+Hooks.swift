extension Spec {
    /// `hooks`: programs the runtime runs at points of the lifecycle, each given the
    /// container's state (the runtime-spec's state JSON) on its standard input.
    ///
    /// | hook | when | in which namespaces |
    /// |---|---|---|
    /// | createRuntime (and the deprecated prestart) | during create, after the namespaces exist, before pivot_root | the runtime's |
    /// | createContainer | during create, before pivot_root | the container's |
    /// | startContainer | during start, before the user's process is exec'd | the container's |
    /// | poststart | after start | the runtime's |
    /// | poststop | after delete | the runtime's |
    public struct Hooks: Codable, Equatable, Sendable {
        public var prestart: [Hook]?
        public var createRuntime: [Hook]?
        public var createContainer: [Hook]?
        public var startContainer: [Hook]?
        public var poststart: [Hook]?
        public var poststop: [Hook]?

        public init() {}
    }

    public struct Hook: Codable, Equatable, Sendable {
        /// An absolute path, as execv(3) takes it (no PATH lookup).
        public var path: String
        public var args: [String]?
        public var env: [String]?
        /// Seconds; the hook is killed past it. Must be positive.
        public var timeout: Int?

        public init(path: String, args: [String]? = nil, env: [String]? = nil, timeout: Int? = nil) {
            self.path = path
            self.args = args
            self.env = env
            self.timeout = timeout
        }
    }
}
