extension StringProtocol {
    /// Without leading and trailing spaces and tabs (and, with `newlines`, CR and LF): the part of
    /// Foundation's `trimmingCharacters(in:)` that HTTP headers need, without importing Foundation.
    func trimmingWhitespace(newlines: Bool = false) -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || (newlines && ($0 == "\r" || $0 == "\n" || $0 == "\r\n")) }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else { return "" }
        return String(self[first...last])
    }
}
