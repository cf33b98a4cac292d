@testable import Runtime
import XCTest

final class DockerResourceFlagsTests: XCTestCase {
    func testSizes() throws {
        XCTAssertEqual(try DockerResourceFlags.bytes("64m", flag: "--memory"), 64 << 20)
        XCTAssertEqual(try DockerResourceFlags.bytes("1g", flag: "--memory"), 1 << 30)
        XCTAssertEqual(try DockerResourceFlags.bytes("512MiB", flag: "--memory"), 512 << 20)
        XCTAssertEqual(try DockerResourceFlags.bytes("1.5k", flag: "--memory"), 1536)
        XCTAssertEqual(try DockerResourceFlags.bytes("4096", flag: "--memory"), 4096)
        for bad in ["12zz", "", "m", "-5m", "1.2.3g"] {
            XCTAssertThrowsError(try DockerResourceFlags.bytes(bad, flag: "--memory"), bad)
        }
    }

    func testCpusBecomeQuotaPerPeriod() throws {
        let resources = try DockerResourceFlags(cpus: "1.5").resources(onlineCPUs: 2)
        XCTAssertEqual(resources?.cpu, Spec.CPU(quota: 150_000, period: 100_000))
        XCTAssertThrowsError(try DockerResourceFlags(cpus: "3").resources(onlineCPUs: 2)) { error in
            XCTAssertEqual("\(error)", "invalid argument \"3\" for \"--cpus\": range of CPUs is from 0.01 to 2.00, as there are only 2 CPUs available")
        }
        XCTAssertThrowsError(try DockerResourceFlags(cpus: "0").resources(onlineCPUs: 2))
    }

    func testSwapDefaultsAndChecks() throws {
        XCTAssertEqual(try DockerResourceFlags(memory: "64m").resources(onlineCPUs: 2)?.memory?.swap, 128 << 20)
        XCTAssertEqual(try DockerResourceFlags(memory: "64m", memorySwap: "-1").resources(onlineCPUs: 2)?.memory?.swap, -1)
        XCTAssertThrowsError(try DockerResourceFlags(memory: "64m", memorySwap: "32m").resources(onlineCPUs: 2))
        XCTAssertThrowsError(try DockerResourceFlags(memorySwap: "32m").resources(onlineCPUs: 2))
    }

    func testNoFlagsNoResources() throws {
        XCTAssertNil(try DockerResourceFlags().resources(onlineCPUs: 2))
    }

    func testPidsAndCpuset() throws {
        XCTAssertEqual(try DockerResourceFlags(pidsLimit: "20").resources(onlineCPUs: 2)?.pids, Spec.Pids(limit: 20))
        XCTAssertEqual(try DockerResourceFlags(cpusetCpus: "0-1,3").resources(onlineCPUs: 2)?.cpu?.cpus, "0-1,3")
        XCTAssertThrowsError(try DockerResourceFlags(cpusetCpus: "0-").resources(onlineCPUs: 2))
        XCTAssertThrowsError(try DockerResourceFlags(cpuShares: "1").resources(onlineCPUs: 2))
    }

    /// Every flag, at the edges: a huge, a negative and an overflowing value each end in one
    /// line that names the flag and the value — never a trap (`8000p` was SIGILL: twice it,
    /// Docker's default memory+swap, does not fit in 64 bits).
    func testHugeNegativeAndOverflowingValuesAreOneLineErrors() {
        let cases: [(DockerResourceFlags, String)] = [
            (.init(memory: "8000p"), #"invalid argument "8000p" for "--memory": too large"#),
            (.init(memory: "9999999p"), #"invalid argument "9999999p" for "--memory": too large"#),
            (.init(memory: "99999999999999999999999"), #"for "--memory": too large"#),
            (.init(memory: "-64m"), #"invalid argument "-64m" for "--memory": invalid size"#),
            (.init(memory: "1e30"), #"for "--memory": invalid size"#),
            (.init(memory: "inf"), #"for "--memory": invalid size"#),
            (.init(memory: "64m", memorySwap: "9999999p"), #"for "--memory-swap": too large"#),
            (.init(memory: "64m", memorySwap: "-2"), #"invalid argument "-2" for "--memory-swap""#),
            (.init(memory: "64m", memorySwap: "-1m"), #"for "--memory-swap""#),
            (.init(memoryReservation: "9999999p"), #"for "--memory-reservation": too large"#),
            (.init(memoryReservation: "-1"), #"for "--memory-reservation""#),
            (.init(cpus: "1e308"), #"for "--cpus""#),
            (.init(cpus: "-1"), #"invalid argument "-1" for "--cpus""#),
            (.init(cpus: "inf"), #"for "--cpus""#),
            (.init(cpus: "nan"), #"for "--cpus""#),
            (.init(cpus: "1e-300"), #"for "--cpus""#),
            (.init(cpuShares: "99999999999999999999"), #"for "--cpu-shares""#),
            (.init(cpuShares: "-1"), #"for "--cpu-shares""#),
            (.init(cpuShares: "262145"), #"for "--cpu-shares""#),
            (.init(cpusetCpus: "99999999999999999999"), #"for "--cpuset-cpus""#),
            (.init(cpusetCpus: "-1"), #"for "--cpuset-cpus""#),
            (.init(cpusetCpus: "3-1"), #"for "--cpuset-cpus""#),
            (.init(cpusetMems: "99999999999999999999"), #"for "--cpuset-mems""#),
            (.init(cpusetMems: "0--1"), #"for "--cpuset-mems""#),
            (.init(pidsLimit: "99999999999999999999"), #"invalid argument "99999999999999999999" for "--pids-limit": out of range"#),
            (.init(pidsLimit: "-99999999999999999999"), #"for "--pids-limit": out of range"#),
            (.init(pidsLimit: "1.5"), #"for "--pids-limit": not a whole number"#),
        ]
        for (flags, expected) in cases {
            XCTAssertThrowsError(try flags.resources(onlineCPUs: 2), expected) { error in
                guard let error = error as? RuntimeError else { return XCTFail("\(error)") }
                XCTAssertTrue(error.message.contains(expected), "\(error.message) does not contain \(expected)")
                XCTAssertFalse(error.message.contains("\n"), error.message)
                XCTAssertEqual(error.exitCode, 125)
            }
        }
        // The largest memory whose default swap still fits, and -1 for pids (unlimited), are fine.
        XCTAssertEqual(try DockerResourceFlags(memory: "4095p").resources(onlineCPUs: 2)?.memory?.swap, 4095 << 51)
        XCTAssertEqual(try DockerResourceFlags(pidsLimit: "-1").resources(onlineCPUs: 2)?.pids, Spec.Pids(limit: -1))
    }

    /// A value the kernel refuses is named by the flag the user typed.
    func testNamingSaysWhichFlag() {
        let flags = DockerResourceFlags(memory: "64m", cpus: "0.5", cpusetCpus: "99", pidsLimit: "20")
        XCTAssertEqual(flags.naming(.cpus), #"--cpuset-cpus "99""#)
        XCTAssertEqual(flags.naming(.cpuQuota), #"--cpus "0.5""#)
        XCTAssertEqual(flags.naming(.memoryLimit), #"--memory "64m""#)
        XCTAssertEqual(flags.naming(.memorySwap), #"--memory "64m" (and the default --memory-swap, twice as much)"#)
        XCTAssertEqual(flags.naming(.pidsLimit), #"--pids-limit "20""#)
        XCTAssertNil(flags.naming(.mems), "not given: the spec's own name is used")
    }
}
