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
}
