import ArgumentParser
import FoundationEssentials
import Runtime
import SystemPackage
#if canImport(Glibc)
import Glibc
#endif

/// `features`: what this runtime implements, as the runtime-spec's features JSON.
struct RuntimeFeaturesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "features", abstract: "Show what the runtime implements.")
    func run() throws { print(try prettyJSON(RuntimeFeatures())) }
}

/// `spec`: a default config.json in the bundle, as `runc spec` writes one; never over an existing one.
struct RuntimeSpec: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "spec", abstract: "Create a new specification file.")
    @Option(name: [.short, .long], help: "The bundle directory to write config.json in.") var bundle = "."
    @Flag(name: .long, help: "A spec for a rootless container (refused: not implemented).") var rootless = false

    func run() throws {
        do {
            guard !rootless else { throw RuntimeError("--rootless: rootless containers are not implemented by minidock", exitCode: 1) }
            guard !bundle.isEmpty else { throw RuntimeError("--bundle: empty path", exitCode: 1) }
            let path = FilePath(bundle).appending("config.json")
            var info = stat()
            guard lstat(path.string, &info) != 0 else {
                throw RuntimeError("File \(path.string) exists. Remove it first", exitCode: 1)
            }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            // Never through a symlink planted as config.json (O_NOFOLLOW on the last name).
            try RootDirectory(FilePath(bundle)).writeFile("config.json", Array(try encoder.encode(Spec.runtimeDefault())))
        } catch let error as RuntimeError {
            RuntimeGlobals.current.report(error.message)
            throw ExitCode(1)
        }
    }
}
