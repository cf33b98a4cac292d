import ArgumentParser
#if canImport(Glibc)
import Glibc
#endif
import Runtime
import SystemPackage

/// `minidock export [-o FILE] IMAGE`: an image's flattened root filesystem as a tar archive.
/// (Docker's `export` takes a container; minidock's containers come with Lesson10, and then
/// this command takes those too.)
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export", abstract: "Export an image's flattened filesystem as a tar archive.")

    @OptionGroup var global: GlobalOptions
    @Option(name: .shortAndLong, help: "Write to a file, instead of STDOUT.") var output: String?
    @Argument var image: String

    func run() throws {
        global.apply()
        if output == nil && isatty(1) != 0 {
            throw RuntimeError("cowardly refusing to save to a terminal. Use the -o flag or redirect", exitCode: 1)
        }
        try dockerRequest {
            let store = try global.imageStore()
            let manifest = try store.resolve(image).manifest
            if let output {
                try ImageExporter.export(manifest, from: store, to: FilePath(output))
            } else {
                let staging = store.temporaryPath("stdout")
                defer { try? TreeWalk.remove(staging) }
                try ImageExporter.export(manifest, from: store, to: staging)
                try copyToStandardOutput(staging)
            }
        }
    }
}
