import SystemPackage

/// A value of the spec's `linux.resources`, named so that when the kernel refuses a limit
/// file's write, the error can say which value it was — and a face that took the value from
/// a flag (`--cpuset-cpus 99`) can name the flag instead.
public enum ResourceField: String, Sendable, CaseIterable {
    case memoryLimit = "memory.limit"
    case memorySwap = "memory.swap"
    case memoryReservation = "memory.reservation"
    case cpuShares = "cpu.shares"
    case cpuQuota = "cpu.quota"
    case cpuPeriod = "cpu.period"
    case cpus = "cpu.cpus"
    case mems = "cpu.mems"
    case pidsLimit = "pids.limit"
    case devices = "devices"

    /// How an error names a value that came straight from a spec: `linux.resources.cpu.cpus "99"`.
    public func specName(value: String) -> String {
        "linux.resources.\(rawValue) \(quoted(value))"
    }
}

/// Who says what a refused value was: given the field, the words for it (`--memory 64m`), or
/// nil for the spec's own name.
public typealias ResourceNaming = @Sendable (ResourceField) -> String?

extension CgroupFile {
    /// Write a limit. The kernel judges the value only now; if it refuses, say which value it
    /// was before the file and errno: `--cpuset-cpus 99: the kernel refused it: cpuset.cpus: ERANGE`.
    static func writeLimit(_ value: String, to file: FilePath, field: ResourceField, naming: ResourceNaming) throws {
        do {
            try write(value, to: file)
        } catch let error as RuntimeError {
            guard let errno = error.errno else { throw error }
            let what = naming(field) ?? field.specName(value: value)
            throw RuntimeError("\(what): the kernel refused it: \(file.lastComponent?.string ?? file.string): \(errno.symbolicName)",
                               errno: errno, exitCode: error.exitCode)
        }
    }
}
