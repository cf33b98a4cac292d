import ArgumentParser
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
        try dockerRequest {
            let store = try global.imageStore()
            let manifest = try store.resolve(image).manifest
            try writeArchive(to: output, store: store) { try ImageExporter.export(manifest, from: store, to: $0) }
        }
    }
}
