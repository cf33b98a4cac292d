import CCurl
import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif
import Runtime
import SystemPackage

/// One HTTP request.
public struct HTTPRequest: Sendable {
    public var method: String
    public var url: String
    public var headers: [(String, String)]
    public var body: [UInt8]?

    public init(method: String = "GET", url: String, headers: [(String, String)] = [], body: [UInt8]? = nil) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
    }
}

public struct HTTPResponse: Sendable {
    public var status: Int
    /// Header names in lower case; the last value wins (what registries need).
    public var headers: [String: String]
    public var body: [UInt8]

    public func header(_ name: String) -> String? { headers[name.lowercased()] }
}

/// A small HTTP client on libcurl. Synchronous for single requests; several downloads run in
/// parallel through curl's multi interface — from this one thread, so a command that pulls
/// stays single-threaded and may still start a container afterwards (see ChildProcess).
public final class HTTPClient {
    /// A CA bundle to trust for this registry (a test's own CA), or nil for the system's.
    let certificateAuthority: String?

    public init(certificateAuthority: String? = nil) {
        self.certificateAuthority = certificateAuthority
        curl_global_init(Int(CURL_GLOBAL_DEFAULT))
    }

    public func send(_ request: HTTPRequest) throws -> HTTPResponse {
        let sink = MemorySink()
        let curl = try makeHandle(request, sink: sink)
        defer { curl_easy_cleanup(curl) }
        let code = curl_easy_perform(curl)
        guard code == CURLE_OK else {
            Trace.emit("http \(request.method) \(request.url) = \(String(cString: curl_easy_strerror(code)))")
            throw transferError(code, request.url)
        }
        let status = ccurl_response_code(curl)
        // Not a system call, but the step Lesson09 is about: each request and its status.
        Trace.emit("http \(request.method) \(request.url) = \(status), \(sink.body.count) bytes")
        return HTTPResponse(status: status, headers: sink.headers, body: sink.body)
    }

    /// Where a download goes: streamed to `file` while it is hashed.
    public struct Download {
        public var request: HTTPRequest
        public var file: FilePath
        public init(request: HTTPRequest, file: FilePath) {
            self.request = request
            self.file = file
        }
    }

    public struct DownloadResult {
        public var status: Int
        public var headers: [String: String]
        public var digest: Digest
        public var size: Int64
    }

    /// Run the downloads in parallel; `progress` is called with (index, bytes so far) as data arrives.
    public func download(_ downloads: [Download], progress: (Int, Int64) -> Void = { _, _ in }) throws -> [DownloadResult] {
        guard let multi = curl_multi_init() else { throw RuntimeError("curl: cannot start a transfer") }
        defer { curl_multi_cleanup(multi) }
        var handles: [(curl: UnsafeMutableRawPointer, sink: FileSink)] = []
        defer {
            for handle in handles {
                curl_multi_remove_handle(multi, handle.curl)
                curl_easy_cleanup(handle.curl)
                handle.sink.close()
            }
        }
        for download in downloads {
            let sink = try FileSink(download.file)
            let curl = try makeHandle(download.request, sink: sink)
            handles.append((curl, sink))
            curl_multi_add_handle(multi, curl)
        }
        var running: Int32 = 1
        while running > 0 {
            let code = curl_multi_perform(multi, &running)
            guard code == CURLM_OK else { throw RuntimeError("curl: \(String(cString: curl_multi_strerror(code)))") }
            for (index, handle) in handles.enumerated() { progress(index, handle.sink.size) }
            if running > 0 { curl_multi_poll(multi, nil, 0, 200, nil) }
        }
        // Collect each transfer's own result.
        var failures: [UnsafeMutableRawPointer: CURLcode] = [:]
        var remaining: Int32 = 0
        while let message = curl_multi_info_read(multi, &remaining) {
            if message.pointee.msg == CURLMSG_DONE, let easy = message.pointee.easy_handle {
                failures[easy] = message.pointee.data.result
            }
        }
        return try zip(downloads, handles).map { download, handle in
            if let code = failures[handle.curl], code != CURLE_OK { throw transferError(code, download.request.url) }
            try handle.sink.finish()
            Trace.emit("http GET \(download.request.url) = \(ccurl_response_code(handle.curl)), \(handle.sink.size) bytes to \(quoted(download.file.string))")
            return DownloadResult(status: ccurl_response_code(handle.curl), headers: handle.sink.headers,
                                  digest: handle.sink.hasher.finish(), size: handle.sink.size)
        }
    }

    // MARK: curl handles

    private func makeHandle(_ request: HTTPRequest, sink: Sink) throws -> UnsafeMutableRawPointer {
        guard let curl = curl_easy_init() else { throw RuntimeError("curl: cannot start a transfer") }
        ccurl_set_string(curl, CURLOPT_URL, request.url)
        ccurl_set_long(curl, CURLOPT_NOSIGNAL, 1)
        ccurl_set_long(curl, CURLOPT_CONNECTTIMEOUT, 10)
        // A stalled transfer (under 1 byte/s for 30 s) fails instead of hanging forever.
        ccurl_set_long(curl, CURLOPT_LOW_SPEED_LIMIT, 1)
        ccurl_set_long(curl, CURLOPT_LOW_SPEED_TIME, 30)
        ccurl_set_long(curl, CURLOPT_FOLLOWLOCATION, 1)
        ccurl_set_long(curl, CURLOPT_MAXREDIRS, 5)
        ccurl_set_string(curl, CURLOPT_USERAGENT, "minidock/0.1")
        if let certificateAuthority { ccurl_set_string(curl, CURLOPT_CAINFO, certificateAuthority) }
        if request.method == "HEAD" {
            ccurl_set_long(curl, CURLOPT_NOBODY, 1)
        } else if request.method != "GET" {
            ccurl_set_string(curl, CURLOPT_CUSTOMREQUEST, request.method)
        }
        if let body = request.body {
            ccurl_set_size(curl, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body.count))
            body.withUnsafeBytes { _ = ccurl_set_pointer(curl, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: $0.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!)) }
        }
        var list: UnsafeMutablePointer<curl_slist>?
        for (name, value) in request.headers { list = curl_slist_append(list, "\(name): \(value)") }
        if request.body != nil && !request.headers.contains(where: { $0.0.lowercased() == "content-type" }) {
            list = curl_slist_append(list, "Content-Type: application/octet-stream")
        }
        // curl keeps the list until the handle is cleaned up; it is freed with the sink.
        sink.headerList = list
        ccurl_set_pointer(curl, CURLOPT_HTTPHEADER, list.map { UnsafeMutableRawPointer($0) })
        let context = Unmanaged.passUnretained(sink).toOpaque()
        ccurl_set_write(curl, { data, size, count, context in
            Unmanaged<Sink>.fromOpaque(context!).takeUnretainedValue()
                .receive(UnsafeRawBufferPointer(start: data, count: size * count))
        }, context)
        ccurl_set_header_callback(curl, { data, size, count, context in
            Unmanaged<Sink>.fromOpaque(context!).takeUnretainedValue()
                .receiveHeader(UnsafeRawBufferPointer(start: data, count: size * count))
        }, context)
        return curl
    }

    private func transferError(_ code: CURLcode, _ url: String) -> RuntimeError {
        RuntimeError("\(url): \(String(cString: curl_easy_strerror(code)).lowercasedFirst)")
    }
}

/// Receives a response's headers and body.
class Sink {
    var headers: [String: String] = [:]
    var headerList: UnsafeMutablePointer<curl_slist>?

    deinit { curl_slist_free_all(headerList) }

    /// Returns the count taken; anything else makes curl abort the transfer.
    func receive(_ data: UnsafeRawBufferPointer) -> Int { data.count }

    func receiveHeader(_ data: UnsafeRawBufferPointer) -> Int {
        let line = String(decoding: data, as: UTF8.self)
        if line.hasPrefix("HTTP/") { headers = [:] }  // a new response (after a redirect or 100)
        if let colon = line.firstIndex(of: ":") {
            let name = line[..<colon].lowercased()
            let value = String(line[line.index(after: colon)...]).trimmingWhitespace(newlines: true)
            headers[name] = value
        }
        return data.count
    }
}

final class MemorySink: Sink {
    var body: [UInt8] = []
    override func receive(_ data: UnsafeRawBufferPointer) -> Int {
        body.append(contentsOf: data)
        return data.count
    }
}

/// Streams a body to a file while hashing it, so a blob is verified without a second read.
final class FileSink: Sink {
    let fd: Int32
    let path: FilePath
    var hasher = SHA256Hasher()
    var size: Int64 = 0
    var failed: Errno?
    var isClosed = false

    init(_ path: FilePath) throws {
        self.path = path
        fd = try Syscall.call("open", [quoted(path.string), "O_WRONLY|O_CREAT|O_EXCL"], subject: quoted(path.string), traced: false) {
            open(path.string, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        }
    }

    override func receive(_ data: UnsafeRawBufferPointer) -> Int {
        var offset = 0
        while offset < data.count {
            let written = write(fd, data.baseAddress! + offset, data.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                failed = Errno(rawValue: errno)
                return 0
            }
            offset += written
        }
        hasher.update(data)
        size += Int64(data.count)
        return data.count
    }

    func finish() throws {
        if let failed { throw RuntimeError(call: "write", subject: quoted(path.string), errno: failed) }
    }

    func close() {
        if !isClosed { Glibc.close(fd); isClosed = true }
    }
}
