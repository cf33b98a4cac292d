import ArgumentParser
import FoundationEssentials
import Registry
import Runtime
import SystemPackage

/// How to reach registries: like Docker's daemon settings, given per command (minidock has
/// no daemon) or in `<root>/daemon.json` as `{"insecure-registries": ["host:port"]}`.
struct RegistryOptions: ParsableArguments {
    @Option(name: .customLong("insecure-registry"), help: "A registry (host:port) that may be reached over plain HTTP.")
    var insecureRegistries: [String] = []

    func client(for domain: String, global: GlobalOptions) throws -> RegistryClient {
        try RegistryClient(domain: domain, insecureRegistries: insecureRegistries + configured(global),
                           certificatesDirectories: [FilePath(global.storageRoot).appending("certs.d"), "/etc/docker/certs.d"])
    }

    func configured(_ global: GlobalOptions) throws -> [String] {
        let file = FilePath(global.storageRoot).appending("daemon.json")
        guard FileManager.default.fileExists(atPath: file.string) else { return [] }
        struct Settings: Decodable { var insecureRegistries: [String]?
            enum CodingKeys: String, CodingKey { case insecureRegistries = "insecure-registries" } }
        do {
            return try JSONDecoder().decode(Settings.self, from: Data(try FileContents.read(file))).insecureRegistries ?? []
        } catch {
            throw RuntimeError("\(quoted(file.string)): invalid JSON")
        }
    }
}

/// A registry host as `login`, `logout` and `search` take one: `localhost:5000`, or Docker Hub when omitted.
func registryDomain(_ server: String?) -> String {
    guard var server, !server.isEmpty else { return ImageReference.defaultDomain }
    for prefix in ["https://", "http://"] where server.hasPrefix(prefix) { server.removeFirst(prefix.count) }
    while server.hasSuffix("/") { server.removeLast() }
    if server == "index.docker.io/v1" || server == "index.docker.io" || server == "registry-1.docker.io" {
        return ImageReference.defaultDomain
    }
    return server
}
