import ArgumentParser
import Runtime

/// `minidock history IMAGE`: IMAGE CREATED CREATED BY SIZE COMMENT, newest first.
struct HistoryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "history", abstract: "Show the history of an image.")

    @OptionGroup var global: GlobalOptions
    @Flag(name: .long, help: "Don't truncate output.") var noTrunc = false
    @Flag(name: .shortAndLong, help: "Only show image IDs.") var quiet = false
    @Argument var image: String

    func run() throws {
        global.apply()
        try dockerRequest {
            let store = try global.imageStore()
            let manifest = try store.manifest(try store.resolve(image).manifest)
            let config = try store.config(manifest.config.digest)
            var layerSizes = manifest.layers.map(\.size)
            var table = TableWriter(header: ["IMAGE", "CREATED", "CREATED BY", "SIZE", "COMMENT"])
            let steps = (config.history ?? []).reversed()
            var ids: [String] = []
            for (index, step) in steps.enumerated() {
                let id = index == 0 ? (noTrunc ? manifest.config.digest.description : manifest.config.digest.short) : "<missing>"
                let size = step.empty_layer == true ? 0 : (layerSizes.popLast() ?? 0)
                var createdBy = step.created_by ?? ""
                if !noTrunc && createdBy.count > 45 { createdBy = String(createdBy.prefix(44)) + "…" }
                table.add([id, Timestamp.ago(step.created), createdBy, HumanSize.format(size), step.comment ?? ""])
                ids.append(id)
            }
            if quiet { ids.forEach { print($0) } } else { print(table.render(), terminator: "") }
        }
    }
}
