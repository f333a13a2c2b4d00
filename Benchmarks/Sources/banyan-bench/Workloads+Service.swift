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
        server.stop()
        if let failure = failures.withLock({ $0.first }) { throw BanyanError(.io, failure) }
        let writes = perClient * 4

        // What is on disk now: the packs Banyan reads, and those replaced
        // packs still kept for git readers (deleted 30 s after their repack).
        let packDirectory = path + "/objects/pack"
        let replacedList = (try? String(contentsOfFile: path + "/objects/info/banyan-replaced-packs", encoding: .utf8)) ?? ""
        let replaced = Set(replacedList.split(separator: "\n").compactMap { $0.split(separator: " ").last.map(String.init) })
        let indexes = try FileManager.default.contentsOfDirectory(atPath: packDirectory).filter { $0.hasSuffix(".idx") }
        let livePacks = indexes.count { !replaced.contains(String($0.dropLast(4))) }
        let disk = try diskUsage(path)
        var replacedBytes = 0
        for name in replaced {
            for suffix in [".pack", ".idx"] {
                let size = (try? FileManager.default.attributesOfItem(atPath: packDirectory + "/" + name + suffix))?[.size] as? Int
                replacedBytes += size ?? 0
            }
        }
        // Reads on the store as the service left it.
        let reads = try serviceReads(path, writes: writes, count: scale.reads)
        // What one more geometric repack leaves (the server's last one may
        // have been cut short by its stop, or still been settling).
        try Repository.open(at: path, maintenance: .off).runMaintenance([.geometricRepack])
        let packsAfterRun = try GeometricRepackCount.live(path)
        let gcCopy = path + "-gc"
        defer { try? FileManager.default.removeItem(atPath: gcCopy) }
        try FileManager.default.copyItem(atPath: path, toPath: gcCopy)
        try Processes.git(["gc", "--quiet", "--prune=now"], in: gcCopy)
        let gcDisk = try diskUsage(gcCopy)
        let gcReads = try serviceReads(gcCopy, writes: writes, count: scale.reads)
        return [
            Figure(name: "writes/s", value: Double(writes) / seconds, unit: "writes/s"),
            Figure(name: "wall", value: seconds, unit: "s"),
            Figure(name: "packs at the end", value: Double(livePacks), unit: "packs"),
            Figure(name: "replaced packs awaiting deletion", value: Double(indexes.count - livePacks), unit: "packs"),
            Figure(name: "packs after one more geometric repack", value: Double(packsAfterRun), unit: "packs"),
            Figure(name: "disk", value: Double(disk), unit: "bytes"),
            Figure(name: "disk without replaced packs", value: Double(disk - replacedBytes), unit: "bytes"),
            Figure(name: "disk without replaced packs / git gc'd", value: Double(disk - replacedBytes) / Double(gcDisk), unit: "x"),
            Figure(name: "disk after git gc", value: Double(gcDisk), unit: "bytes"),
            Figure(name: "disk / git gc'd", value: Double(disk) / Double(gcDisk), unit: "x"),
            Figure(name: "reads/s", value: reads, unit: "reads/s"),
            Figure(name: "reads/s on the git gc'd store", value: gcReads, unit: "reads/s"),
            Figure(name: "reads / gc'd reads", value: reads / gcReads, unit: "x"),
        ]
    }

    /// W3's reads at `main` of a store opened afresh, each value checked; reads per second.
    private static func serviceReads(_ path: String, writes: Int, count: Int) throws -> Double {
        let snapshot = try Repository.open(at: path, maintenance: .off).branch("main").snapshot()
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

/// The packs Banyan reads in a store: every `.idx` but those of replaced packs awaiting deletion.
enum GeometricRepackCount {
    static func live(_ path: String) throws -> Int {
        let list = (try? String(contentsOfFile: path + "/objects/info/banyan-replaced-packs", encoding: .utf8)) ?? ""
        let replaced = Set(list.split(separator: "\n").compactMap { $0.split(separator: " ").last.map(String.init) })
        return try FileManager.default.contentsOfDirectory(atPath: path + "/objects/pack")
            .filter { $0.hasSuffix(".idx") && !replaced.contains(String($0.dropLast(4))) }.count
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
        var request = Array("PUT \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: \(body.count)\r\n\r\n".utf8)
        request += body
        var sent = 0
        while sent < request.count {
            let n = request[sent...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }
            guard n > 0 else { throw BanyanError(.io, "send: errno \(errno)") }
            sent += n
        }
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
        buffer.removeFirst(length)
        return status
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
