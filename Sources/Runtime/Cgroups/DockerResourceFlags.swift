/// Docker's resource flag values turned into the spec's `linux.resources`:
/// `--memory 64m`, `--memory-swap`, `--memory-reservation`, `--cpus 0.5`, `--cpu-shares`,
/// `--cpuset-cpus`, `--cpuset-mems`, `--pids-limit`. Bad values are refused with Docker's words.
public struct DockerResourceFlags: Sendable {
    public var memory: String?
    public var memorySwap: String?
    public var memoryReservation: String?
    public var cpus: String?
    public var cpuShares: String?
    public var cpusetCpus: String?
    public var cpusetMems: String?
    public var pidsLimit: String?

    public init(memory: String? = nil, memorySwap: String? = nil, memoryReservation: String? = nil,
                cpus: String? = nil, cpuShares: String? = nil, cpusetCpus: String? = nil,
                cpusetMems: String? = nil, pidsLimit: String? = nil) {
        self.memory = memory
        self.memorySwap = memorySwap
        self.memoryReservation = memoryReservation
        self.cpus = cpus
        self.cpuShares = cpuShares
        self.cpusetCpus = cpusetCpus
        self.cpusetMems = cpusetMems
        self.pidsLimit = pidsLimit
    }

    /// The CFS period Docker uses for `--cpus`: 100 ms.
    public static let cpuPeriod: UInt64 = 100_000
    /// Docker refuses a memory limit under 6 MiB: a container cannot even start below it.
    public static let minimumMemory: Int64 = 6 * 1024 * 1024

    /// The resources, or nil when no flag was given.
    public func resources(onlineCPUs: Int) throws -> Spec.Resources? {
        var memory = Spec.Memory()
        if let value = self.memory {
            let bytes = try Self.bytes(value, flag: "--memory")
            guard bytes >= Self.minimumMemory else {
                throw RuntimeError("invalid argument \(quoted(value)) for \"--memory\": minimum memory limit allowed is 6MB")
            }
            memory.limit = bytes
        }
        if let value = memoryReservation { memory.reservation = try Self.bytes(value, flag: "--memory-reservation") }
        if let value = memorySwap {
            if value == "-1" {
                memory.swap = -1
            } else {
                let total = try Self.bytes(value, flag: "--memory-swap")
                guard let limit = memory.limit else {
                    throw RuntimeError("invalid argument \(quoted(value)) for \"--memory-swap\": --memory-swap needs --memory too")
                }
                guard total >= limit else {
                    throw RuntimeError("invalid argument \(quoted(value)) for \"--memory-swap\": must be at least --memory (it is memory plus swap)")
                }
                memory.swap = total
            }
        } else if let limit = memory.limit, let value = self.memory {
            // Docker's default: as much swap as memory, so memory+swap is twice the limit —
            // which must still be a number the kernel's 64-bit files can hold.
            let (twice, overflow) = limit.multipliedReportingOverflow(by: 2)
            guard !overflow else {
                throw RuntimeError("invalid argument \(quoted(value)) for \"--memory\": too large: with as much swap as memory (the default --memory-swap) it is over 8 EiB")
            }
            memory.swap = twice
        }

        var cpu = Spec.CPU()
        if let value = cpus {
            guard let count = Double(value), count > 0, count.isFinite else {
                throw RuntimeError("invalid argument \(quoted(value)) for \"--cpus\": not a positive number")
            }
            guard count <= Double(onlineCPUs) else {
                throw RuntimeError("invalid argument \(quoted(value)) for \"--cpus\": range of CPUs is from 0.01 to \(onlineCPUs).00, as there are only \(onlineCPUs) CPUs available")
            }
            let quota = Int64((count * Double(Self.cpuPeriod)).rounded())
            guard quota >= 1000 else {
                throw RuntimeError("invalid argument \(quoted(value)) for \"--cpus\": range of CPUs is from 0.01 to \(onlineCPUs).00")
            }
            cpu.quota = quota
            cpu.period = Self.cpuPeriod
        }
        if let value = cpuShares {
            guard let shares = UInt64(value), shares >= 2, shares <= 262_144 else {
                throw RuntimeError("invalid argument \(quoted(value)) for \"--cpu-shares\": must be a number from 2 to 262144")
            }
            cpu.shares = shares
        }
        if let value = cpusetCpus { cpu.cpus = try Self.cpuList(value, flag: "--cpuset-cpus") }
        if let value = cpusetMems { cpu.mems = try Self.cpuList(value, flag: "--cpuset-mems") }

        var pids: Spec.Pids?
        if let value = pidsLimit {
            let digits = value.hasPrefix("-") ? value.dropFirst() : Substring(value)
            guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else {
                throw RuntimeError("invalid argument \(quoted(value)) for \"--pids-limit\": not a whole number")
            }
            // Zero or less is "unlimited", as in Docker.
            guard let limit = Int64(value) else {
                throw RuntimeError("invalid argument \(quoted(value)) for \"--pids-limit\": out of range")
            }
            pids = Spec.Pids(limit: limit)
        }

        let resources = Spec.Resources(memory: memory == Spec.Memory() ? nil : memory,
                                       cpu: cpu == Spec.CPU() ? nil : cpu, pids: pids)
        return resources.isEmpty ? nil : resources
    }

    /// How an error names each value: the flag and the value as the user typed it, so that a
    /// value the kernel refuses is reported as `--cpuset-cpus "99": the kernel refused it: …`.
    public var naming: ResourceNaming {
        let flags = self
        return { field in
            func said(_ flag: String, _ value: String?) -> String? { value.map { "\(flag) \(quoted($0))" } }
            switch field {
            case .memoryLimit: return said("--memory", flags.memory)
            case .memorySwap:
                return said("--memory-swap", flags.memorySwap)
                    ?? flags.memory.map { "--memory \(quoted($0)) (and the default --memory-swap, twice as much)" }
            case .memoryReservation: return said("--memory-reservation", flags.memoryReservation)
            case .cpuShares: return said("--cpu-shares", flags.cpuShares)
            case .cpuQuota, .cpuPeriod: return said("--cpus", flags.cpus)
            case .cpus: return said("--cpuset-cpus", flags.cpusetCpus)
            case .mems: return said("--cpuset-mems", flags.cpusetMems)
            case .pidsLimit: return said("--pids-limit", flags.pidsLimit)
            case .devices: return nil
            }
        }
    }

    /// Docker's size syntax (`RAMInBytes`): a number, an optional unit b, k, m, g, t or p
    /// (powers of 1024, any case), optionally followed by `b` or `ib`: `64m`, `1.5g`, `512MiB`.
    public static func bytes(_ text: String, flag: String) throws -> Int64 {
        let invalid = RuntimeError("invalid argument \(quoted(text)) for \(quoted(flag)): invalid size: '\(text)'")
        var rest = Substring(text.lowercased())
        if rest.hasSuffix("ib") { rest = rest.dropLast(2) } else if rest.hasSuffix("b") { rest = rest.dropLast() }
        let units: [Character: Double] = ["k": 1024, "m": 1_048_576, "g": 1_073_741_824,
                                          "t": 1_099_511_627_776, "p": 1_125_899_906_842_624]
        let tooLarge = RuntimeError("invalid argument \(quoted(text)) for \(quoted(flag)): too large: at most 8 EiB")
        var multiplier = 1.0
        if let last = rest.last, let unit = units[last] {
            multiplier = unit
            rest = rest.dropLast()
        }
        guard !rest.isEmpty, rest.allSatisfy({ ($0.isASCII && $0.isNumber) || $0 == "." }),
              let number = Double(rest), number.isFinite else { throw invalid }
        // Checked in floating point, before the conversion: Int64(_:) of a Double it cannot
        // hold stops the program.
        let bytes = number * multiplier
        guard bytes < Double(Int64.max) else { throw tooLarge }
        return Int64(bytes)
    }

    /// A cpuset list: `0`, `0-1`, `0,2-3`. Whether the CPUs exist is the kernel's to say, when
    /// the cgroup's file is written; the numbers must at least be numbers, in order.
    static func cpuList(_ text: String, flag: String) throws -> String {
        let valid = !text.isEmpty && text.split(separator: ",", omittingEmptySubsequences: false).allSatisfy { part in
            let bounds = part.split(separator: "-", omittingEmptySubsequences: false).map { bound -> Int32? in
                bound.allSatisfy { $0.isASCII && $0.isNumber } ? Int32(bound) : nil
            }
            guard (1...2).contains(bounds.count), let low = bounds.first!, let high = bounds.last! else { return false }
            return low <= high
        }
        guard valid else { throw RuntimeError("invalid argument \(quoted(text)) for \(quoted(flag)): not a CPU list such as 0-1 or 0,2") }
        return text
    }
}
