/// Columns as Docker prints them (Go's tabwriter with minimum width 10 and padding 3):
/// each cell padded to the widest in its column plus three spaces, the last column unpadded.
struct TableWriter {
    var rows: [[String]]

    init(header: [String]) { rows = [header] }

    mutating func add(_ row: [String]) { rows.append(row) }

    func render() -> String {
        guard let columns = rows.first?.count else { return "" }
        let widths = (0..<columns).map { column in max(10, rows.map { $0[column].count }.max()! + 3) }
        return rows.map { row in
            row.enumerated().map { column, cell in
                column == columns - 1 ? cell : cell + String(repeating: " ", count: widths[column] - cell.count)
            }.joined()
        }.joined(separator: "\n") + "\n"
    }
}

/// Sizes as Docker prints them: decimal units, three significant digits (`4.26MB`, `12.3kB`).
enum HumanSize {
    static func format(_ bytes: Int64) -> String {
        let units = ["B", "kB", "MB", "GB", "TB", "PB"]
        var value = Double(bytes)
        var unit = 0
        while value >= 1000 && unit < units.count - 1 {
            value /= 1000
            unit += 1
        }
        let decimals = value >= 100 ? 0 : value >= 10 ? 1 : 2
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        let rounded = (value * scale).rounded() / scale
        var text = decimals == 0 ? "\(Int(rounded))" : "\(rounded)"
        if text.contains(".") {
            while text.hasSuffix("0") { text.removeLast() }
            if text.hasSuffix(".") { text.removeLast() }
        }
        return text + units[unit]
    }
}
