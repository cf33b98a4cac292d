extension SignalName {
    /// A signal as users and engines write it: `KILL`, `SIGKILL`, `9` (runc's and Docker's
    /// `kill` accept all three). Anything else is an error naming the value.
    public static func parse(_ text: String) throws -> Int32 {
        if let number = Int32(text), number > 0, number < 65 { return number }
        let upper = text.uppercased()
        let name = upper.hasPrefix("SIG") ? upper : "SIG" + upper
        guard let match = names.first(where: { $0.value == name }) else {
            throw RuntimeError("invalid signal \(quoted(text))", exitCode: 1)
        }
        return match.key
    }
}
