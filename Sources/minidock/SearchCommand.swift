import ArgumentParser
import Registry
import Runtime

/// `minidock search [REGISTRY/]TERM`: the repositories of a registry's catalog that contain
/// TERM; the registry is named as Docker does, in front of the term (`localhost:5000/busybox`).
/// (Docker Hub's search API is not the distribution spec's; a registry's `/v2/_catalog` is
/// what a private registry offers.)
struct SearchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "search", abstract: "Search a registry's catalog for images.")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var registry: RegistryOptions
    @Option(name: .long, help: "Max number of results.") var limit = 25
    @Argument(help: "What to look for, optionally after the registry: [HOST[:PORT]/]TERM.") var term: String

    func run() throws {
        global.apply()
        try dockerRequest {
            // The same rule as an image name's: ImageReference's.
            let (named, word) = ImageReference.splitDomain(term)
            let domain = registryDomain(named)
            let names = try registry.client(for: domain, global: global).catalog().filter { $0.contains(word.lowercased()) }
            var table = TableWriter(header: ["NAME", "DESCRIPTION", "STARS", "OFFICIAL"])
            for name in names.prefix(limit) { table.add(["\(domain)/\(name)", "", "0", ""]) }
            print(table.render(), terminator: "")
        }
    }
}
