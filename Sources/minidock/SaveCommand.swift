import ArgumentParser
import Runtime
import SystemPackage

/// `minidock save [-o FILE] IMAGE…`: a docker-archive that `docker load` and skopeo read.
struct SaveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "save", abstract: "Save one or more images to a tar archive (streamed to STDOUT by default).")

    @OptionGroup var global: GlobalOptions
    @Option(name: .shortAndLong, help: "Write to a file, instead of STDOUT.") var output: String?
    @Argument var images: [String]

    func validate() throws {
        if images.isEmpty { throw ValidationError("\"save\" requires at least 1 argument") }
    }

    func run() throws {
        global.apply()
        try dockerRequest {
            let store = try global.imageStore()
            var selected: [(manifest: Digest, references: [ImageReference])] = []
            for image in images {
                let (manifest, reference) = try store.resolve(image)
                if let index = selected.firstIndex(where: { $0.manifest == manifest }) {
                    if let reference { selected[index].references.append(reference) }
                } else {
                    selected.append((manifest, reference.map { [$0] } ?? []))
                }
            }
            try writeArchive(to: output, store: store) { try ImageArchive.save(selected, from: store, to: $0) }
        }
    }
}
