/// Docker's rule for where a name's registry is, once for image names and `search` terms:
/// the part before the first `/` names a registry when it has a `.` or a `:` (a port) or is
/// `localhost` (`localhost:5000/team/app`, `ghcr.io/x`); otherwise the whole name is on
/// Docker Hub (`team/app`, `busybox`). Docker's `reference.splitDockerDomain` and its
/// search's `splitReposSearchTerm` apply the same test.
extension ImageReference {
    /// The registry named at the front of `name` (nil: none, Docker Hub) and the rest.
    public static func splitDomain(_ name: String) -> (domain: String?, remainder: String) {
        guard let slash = name.firstIndex(of: "/") else { return (nil, name) }
        let first = name[..<slash]
        guard first.contains(".") || first.contains(":") || first == "localhost" else { return (nil, name) }
        return (String(first), String(name[name.index(after: slash)...]))
    }
}
