import ArgumentParser
import Registry
import Runtime

/// `minidock search [--registry HOST] TERM`: the repositories of a registry's catalog that
/// contain TERM. (Docker Hub's search API is not the distribution spec's; a registry's
/// `/v2/_catalog` is what a private registry offers.)
struct SearchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "search", abstract: "Search a registry's catalog for images.")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var registry: RegistryOptions
    @Option(name: .long, help: "The registry to search (host:port).") var registryHost: String = ImageReference.defaultDomain
    @Option(name: .long, help: "Max number of results.") var limit = 25
    @Argument var term: String

    func run() throws {
        global.apply()
        try dockerRequest {
            let domain = registryDomain(registryHost)
            let names = try registry.client(for: domain, global: global).catalog().filter { $0.contains(term.lowercased()) }
            var table = TableWriter(header: ["NAME", "DESCRIPTION", "STARS", "OFFICIAL"])
            for name in names.prefix(limit) { table.add(["\(domain)/\(name)", "", "0", ""]) }
            print(table.render(), terminator: "")
        }
    }
}
