import ArgumentParser
import Runtime
import SystemPackage

/// `minidock load [-i FILE]`: images from a docker-archive or an OCI archive.
struct LoadCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "load", abstract: "Load an image from a tar archive or STDIN.")

    @OptionGroup var global: GlobalOptions
    @Option(name: .shortAndLong, help: "Read from tar archive file, instead of STDIN.") var input: String?
    @Flag(name: .shortAndLong, help: "Suppress the load output.") var quiet = false

    func run() throws {
        global.apply()
        try dockerRequest {
            let store = try global.imageStore()
            var path = input.map { FilePath($0) }
            var staged: FilePath?
            if path == nil {
                staged = store.temporaryPath("stdin")
                try copyStandardInput(to: staged!)
                path = staged
            }
            defer { if let staged { try? TreeWalk.remove(staged) } }
            let lines = try ImageArchive.load(path!, into: store)
            if !quiet { lines.forEach { print($0) } }
        }
    }
}
