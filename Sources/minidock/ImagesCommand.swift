import ArgumentParser
#if canImport(Glibc)
import Glibc
#endif
import Runtime

/// `minidock images [REPOSITORY[:TAG]]`: REPOSITORY TAG IMAGE ID CREATED SIZE, as `docker images`.
struct ImagesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "images", abstract: "List images.")

    @OptionGroup var global: GlobalOptions
    @Flag(name: .shortAndLong, help: "Only show image IDs.") var quiet = false
    @Flag(name: .long, help: "Show digests.") var digests = false
    @Flag(name: .long, help: "Don't truncate output.") var noTrunc = false
    @Argument(help: "Only images of this repository (and tag).") var filter: String?

    func run() throws {
        global.apply()
        try dockerRequest {
            let wanted = try filter.map { try ImageReference(parsing: $0) }
            let tagGiven = filter?.split(separator: "/").last?.contains(":") ?? false
            // A damaged image is reported on stderr and the others are listed.
            let images = try global.imageStore().images { digest, error in
                fputs("minidock: image \(digest): \((error as? RuntimeError)?.message ?? "\(error)")\n", stderr)
            }.sorted {
                ($0.config.created ?? "", $0.id.description) > ($1.config.created ?? "", $1.id.description)
            }
            var table = TableWriter(header: ["REPOSITORY", "TAG"] + (digests ? ["DIGEST"] : []) + ["IMAGE ID", "CREATED", "SIZE"])
            var ids: [String] = []
            for image in images {
                let id = noTrunc ? image.id.description : image.id.short
                if image.references.isEmpty && wanted == nil {
                    table.add(["<none>", "<none>"] + (digests ? ["<none>"] : [])
                              + [id, Timestamp.ago(image.config.created), HumanSize.format(image.size)])
                    if !ids.contains(id) { ids.append(id) }
                }
                for reference in image.references {
                    if let wanted, wanted.domain != reference.domain || wanted.path != reference.path
                        || (tagGiven && wanted.tag != reference.tag) { continue }
                    table.add([reference.familiarRepository, reference.tag ?? "<none>"]
                              + (digests ? [image.manifestDigest.description] : [])
                              + [id, Timestamp.ago(image.config.created), HumanSize.format(image.size)])
                    if !ids.contains(id) { ids.append(id) }
                }
            }
            if quiet {
                ids.forEach { print($0) }
            } else {
                print(table.render(), terminator: "")
            }
        }
    }
}
