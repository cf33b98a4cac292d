import ArgumentParser
import Runtime
import SystemPackage

/// `minidock import FILE|DIR|- [REPOSITORY[:TAG]]`: a root filesystem becomes an image.
struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import", abstract: "Import the contents from a tarball or directory to create a filesystem image.")

    @OptionGroup var global: GlobalOptions
    @Option(name: .long, help: "Set platform (os[/arch[/variant]]) of the imported image.") var platform = "linux/amd64"
    @Argument(help: "A tarball (plain, gzip or zstd), a directory, or - for standard input.") var source: String
    @Argument(help: "REPOSITORY[:TAG] for the new image.") var reference: String?

    func run() throws {
        global.apply()
        try dockerRequest {
            let store = try global.imageStore()
            let target = try reference.map { try ImageReference(parsing: $0) }
            let wanted = try Platform(parsing: platform)
            guard wanted.os == "linux" else {
                throw RuntimeError("invalid platform \(quoted(platform)): minidock images are linux images")
            }
            var path = FilePath(source)
            var staged: FilePath?
            if source == "-" {
                staged = store.temporaryPath("stdin")
                try copyStandardInput(to: staged!)
                path = staged!
            }
            defer { if let staged { try? TreeWalk.remove(staged) } }
            let id = try ImageImporter.importRootfs(path, as: target, into: store, architecture: wanted.architecture)
            print(id)
        }
    }
}
