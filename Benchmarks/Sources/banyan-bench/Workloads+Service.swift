#if canImport(Glibc)
import Glibc
#endif
import Banyan
import Foundation
import Synchronization

extension Workloads {
    /// W7: `banyan serve` on a fresh store (maintenance in the background,
    /// as it runs for a user); 4 concurrent HTTP/1.1 keep-alive clients each
    /// send `serviceWrites / 4` single-key PUTs; then the server stops
    /// (SIGTERM), and the store is measured against a `git gc`'d copy:
    /// packs, disk, and W3's read pattern through the library on both
    /// (`key((i*7919) % serviceWrites)`, each value checked: W3's keys past
    /// the written ones would all miss).
    static func service(_ scale: Scale, at path: String) throws -> [Figure] {
        try Repository.create(at: path).flush()
        let server = try BanyanServeProcess(repository: path)
        guard let port = URL(string: server.url)?.port else { throw BanyanError(.io, "no port in \(server.url)") }
        let perClient = scale.serviceWrites / 4
        let failures = Mutex<[String]>([])
        let start = Date()
        let group = DispatchGroup()
        for client in 0..<4 {
            group.enter()
            Thread {
                defer { group.leave() }
                do {
                    let connection = try HTTPConnection(port: port)
                    for i in 0..<perClient {
                        let n = client * perClient + i
                        let status = try connection.put("/api/v1/kv/main/" + BenchData.key(n).description, BenchData.value("s", n))
                        if status != 200 { throw BanyanError(.io, "PUT \(n) answered \(status)") }
                    }
                } catch {
                    failures.withLock { $0.append("client \(client): \(error)") }
                }
            }.start()
        }
        group.wait()
        let seconds = Date().timeIntervalSince(start)
        // The packs when the writes stop, then how long the server's own
        // background maintenance takes to bring them within log2(objects) + 1.
        let packsAtStop = try PackCensus(path).live
        let settleStart = Date()
        var census = try PackCensus(path)
        while census.live > census.logarithmicBound, Date().timeIntervalSince(settleStart) < 120 {
            Thread.sleep(forTimeInterval: 0.1)
            census = try PackCensus(path)
        }
        let settleSeconds = Date().timeIntervalSince(settleStart)
        server.stop()
        if let failure = failures.withLock({ $0.first }) { throw BanyanError(.io, failure) }
        let writes = perClient * 4

        // What is on disk now: the packs Banyan reads, and the replaced
        // packs still kept for git readers (`banyan.replacedPackExpire`).
        census = try PackCensus(path)
        let disk = try diskUsage(path)
        let reads = try serviceReads(path, writes: writes, count: scale.reads)
        let gcCopy = path + "-gc"
        defer { try? FileManager.default.removeItem(atPath: gcCopy) }
        try FileManager.default.copyItem(atPath: path, toPath: gcCopy)
        // git gc, then its deltas searched afresh: a plain `git gc` would
        // reuse Banyan's deltas, and measure Banyan against itself.
        try Processes.git(["gc", "--quiet", "--prune=now"], in: gcCopy)
        try Processes.git(["repack", "-q", "-a", "-d", "-f", "--window=10", "--depth=50"], in: gcCopy)
        let gcDisk = try diskUsage(gcCopy)
        let gcObjects = try PackCensus(gcCopy).objects
        let gcReads = try serviceReads(gcCopy, writes: writes, count: scale.reads)
        return [
            Figure(name: "writes/s", value: Double(writes) / seconds, unit: "writes/s"),
            Figure(name: "wall", value: seconds, unit: "s"),
            Figure(name: "packs when the writes stop", value: Double(packsAtStop), unit: "packs"),
            Figure(name: "seconds until packs <= log2(objects)+1", value: settleSeconds, unit: "s"),
            Figure(name: "packs then", value: Double(census.live), unit: "packs"),
            Figure(name: "replaced packs awaiting deletion then", value: Double(census.replaced), unit: "packs"),
            // Unreachable objects (transactions that lost a race) stay until
            // gc prunes them past its grace; git gc --prune=now drops them.
            Figure(name: "objects in the live packs", value: Double(census.objects), unit: "objects"),
            Figure(name: "objects after git gc --prune=now", value: Double(gcObjects), unit: "objects"),
            Figure(name: "disk", value: Double(disk), unit: "bytes"),
            Figure(name: "disk without replaced packs", value: Double(disk - census.replacedBytes), unit: "bytes"),
            Figure(name: "disk after git gc", value: Double(gcDisk), unit: "bytes"),
            Figure(name: "disk / git gc'd", value: Double(disk) / Double(gcDisk), unit: "x"),
            Figure(name: "disk without replaced packs / git gc'd", value: Double(disk - census.replacedBytes) / Double(gcDisk), unit: "x"),
            Figure(name: "reads/s", value: reads, unit: "reads/s"),
            Figure(name: "reads/s on the git gc'd store", value: gcReads, unit: "reads/s"),
            Figure(name: "reads / gc'd reads", value: reads / gcReads, unit: "x"),
        ]
    }

    /// W3's reads at `main` of a store opened afresh, each value checked; reads per second.
    private static func serviceReads(_ path: String, writes: Int, count: Int) throws -> Double {
        let snapshot = try Repository.open(at: path, configuration: .init(maintenance: .off)).branch("main").snapshot()
        let start = Date()
        for i in 0..<count {
            let n = (i * 7919) % writes
            guard try snapshot.get(BenchData.key(n)) == BenchData.value("s", n) else {
                throw BanyanError(.corruptObject, "W7 read \(n) in \(path) does not match what was written")
            }
        }
        return Double(count) / Date().timeIntervalSince(start)
    }
}

/// The packs of a store: those Banyan reads (every `.idx` but those of
/// replaced packs awaiting deletion, listed in
/// `objects/info/banyan-replaced-packs`), their objects, and the replaced ones.
struct PackCensus {
    var live = 0
    var objects = 0
    var replaced = 0
    var replacedBytes = 0

    init(_ path: String) throws {
        let list = (try? String(contentsOfFile: path + "/objects/info/banyan-replaced-packs", encoding: .utf8)) ?? ""
        let replacedNames = Set(list.split(separator: "\n").compactMap { $0.split(separator: " ").last.map(String.init) })
        let directory = path + "/objects/pack/"
        for name in try FileManager.default.contentsOfDirectory(atPath: directory) where name.hasSuffix(".idx") {
            let base = String(name.dropLast(4))
            if replacedNames.contains(base) {
                replaced += 1
                for suffix in [".pack", ".idx"] {
                    replacedBytes += ((try? FileManager.default.attributesOfItem(atPath: directory + base + suffix))?[.size] as? Int) ?? 0
                }
                continue
            }
            // A version 2 index: the last fan-out entry is the object count.
            guard let handle = FileHandle(forReadingAtPath: directory + name) else { continue }
            defer { try? handle.close() }
            try handle.seek(toOffset: 8 + 255 * 4)
            guard let bytes = try handle.read(upToCount: 4), bytes.count == 4 else { continue }
            live += 1
            objects += bytes.reduce(0) { $0 << 8 | Int($1) }
        }
    }

    /// The bound issue 15 sets: log2(objects) + 1.
    var logarithmicBound: Int {
        Int(log2(Double(max(objects, 1))).rounded(.up)) + 1
    }
}

/// A minimal HTTP/1.1 keep-alive client over one loopback socket: enough to
/// send W7's PUTs without a client library's overhead in the figures.
final class HTTPConnection {
    private let fd: Int32
    private var buffer: [UInt8] = []

    init(port: Int) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw BanyanError(.io, "socket: errno \(errno)") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw BanyanError(.io, "connect to port \(port): errno \(errno)") }
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
    }

    deinit { close(fd) }

    /// Sends `PUT path` with `body`; returns the status code, the response read whole.
    func put(_ path: String, _ body: Data) throws -> Int {
        try send("PUT", path, body).status
    }

    /// Sends `POST path` with `body`; returns the status code and the response body.
    func post(_ path: String, _ body: Data) throws -> (status: Int, body: [UInt8]) {
        try send("POST", path, body)
    }

    /// Sends `GET path` for a stream (Server-Sent Events) and reads the
    /// response head; what follows is read by ``awaitEvent(containing:within:)``.
    func openStream(_ path: String) throws {
        try write(Array("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n".utf8))
        let head = String(decoding: try readUntilHeadEnd(), as: UTF8.self)
        guard head.hasPrefix("HTTP/1.1 200") else { throw BanyanError(.io, "the watch answered \(head.prefix(100))") }
    }

    /// Reads the stream until an event holding `text` has arrived, then
    /// drops what was read; throws after `seconds` without it.
    func awaitEvent(containing text: String, within seconds: Double) throws {
        let needle = Array(text.utf8)
        var timeout = timeval(tv_sec: Int(seconds), tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        defer {
            var none = timeval()
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &none, socklen_t(MemoryLayout<timeval>.size))
        }
        while true {
            if buffer.count >= needle.count,
               (0...(buffer.count - needle.count)).contains(where: { buffer[$0..<$0 + needle.count].elementsEqual(needle) }) {
                buffer.removeAll()
                return
            }
            do { try receive() } catch {
                throw BanyanError(.io, "no event with \(text) on the stream within \(seconds) s: \(error)")
            }
        }
    }

    /// Sends `GET path`; returns the status code and the body.
    func get(_ path: String) throws -> (status: Int, body: [UInt8]) {
        try send("GET", path, Data())
    }

    /// Sends one request on the kept-alive connection and reads its response whole.
    private func send(_ method: String, _ path: String, _ body: Data) throws -> (status: Int, body: [UInt8]) {
        var request = Array("\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: \(body.count)\r\n\r\n".utf8)
        request += body
        try write(request)
        let head = try readUntilHeadEnd()
        let lines = String(decoding: head, as: UTF8.self).split(separator: "\r\n")
        guard let statusLine = lines.first, let status = Int(statusLine.split(separator: " ").dropFirst().first ?? "") else {
            throw BanyanError(.io, "bad response: \(String(decoding: head, as: UTF8.self).prefix(200))")
        }
        let length = lines.lazy.compactMap { line -> Int? in
            let parts = line.split(separator: ":", maxSplits: 1)
            return parts.count == 2 && parts[0].lowercased() == "content-length"
                ? Int(parts[1].trimmingCharacters(in: .whitespaces)) : nil
        }.first ?? 0
        try fill(length)
        let answer = Array(buffer[..<length])
        buffer.removeFirst(length)
        return (status, answer)
    }

    private func write(_ bytes: [UInt8]) throws {
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, 0) }
            guard n > 0 else { throw BanyanError(.io, "send: errno \(errno)") }
            sent += n
        }
    }

    private func readUntilHeadEnd() throws -> [UInt8] {
        let marker: [UInt8] = [13, 10, 13, 10]
        while true {
            if buffer.count >= 4, let end = (0...(buffer.count - 4)).first(where: { Array(buffer[$0..<$0 + 4]) == marker }) {
                let head = Array(buffer[..<end])
                buffer.removeFirst(end + 4)
                return head
            }
            try receive()
        }
    }

    private func fill(_ count: Int) throws {
        while buffer.count < count { try receive() }
    }

    private func receive() throws {
        var chunk = [UInt8](repeating: 0, count: 16_384)
        let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        guard n > 0 else { throw BanyanError(.io, "the server closed the connection (errno \(errno))") }
        buffer += chunk[..<n]
    }
}
