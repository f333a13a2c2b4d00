#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reflog files, `logs/<ref>`: one line per update,
/// `<old hex> <new hex> <name> <<email>> <seconds> <±hhmm>\t<message>\n`,
/// oldest first, as `git reflog` reads them.
enum Reflog {
    /// Appends `entry` to the reflog file `file`, creating it and its
    /// directories; returns the file's size before, for `truncate`.
    ///
    /// One `write` with `O_APPEND`, so lines from concurrent writers do not
    /// interleave. A failed write is cut off again, so a full disk never
    /// leaves a torn line. Not flushed to stable storage even with
    /// durability on: a reflog line lost in a crash loses history, never data.
    static func append(_ entry: ReflogEntry, to file: String) throws -> off_t {
        var fd = FileIO.open(file, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0o666)
        if fd < 0 && errno == ENOENT {
            // The first entry under this directory: make it, then open again.
            try Posix.makeDirectories(Posix.parent(of: file))
            fd = FileIO.open(file, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0o666)
        }
        guard fd >= 0 else { throw Posix.ioError("open reflog", file) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw Posix.ioError("stat", file) }
        var bytes = Array(line(for: entry).utf8)
        // A torn line (a power cut mid-append) would swallow this entry too.
        var last: UInt8 = 0
        if info.st_size > 0, pread(fd, &last, 1, info.st_size - 1) == 1, last != UInt8(ascii: "\n") {
            bytes.insert(UInt8(ascii: "\n"), at: 0)
        }
        do {
            try Posix.writeAll(fd, bytes, path: file)
        } catch {
            _ = FileIO.truncate(fd, to: info.st_size, path: file)
            throw error
        }
        return info.st_size
    }

    /// Cuts the reflog file `file` back to `size` bytes, dropping lines
    /// appended for an update that then failed. Best effort: a line left
    /// behind only claims history that did not happen.
    static func truncate(_ file: String, to size: off_t) {
        let fd = FileIO.open(file, O_WRONLY | O_CLOEXEC, 0)
        guard fd >= 0 else { return }
        _ = FileIO.truncate(fd, to: size, path: file)
        close(fd)
    }

    /// The entries of the reflog file `file`, oldest first; empty when it does not exist.
    ///
    /// A line that does not parse is skipped, as git's reflog reader skips
    /// it: the torn last line a power cut can leave (appends are not
    /// flushed) loses that one entry, not the reflog.
    static func read(_ file: String, algorithm: HashAlgorithm) throws -> [ReflogEntry] {
        guard let bytes = try Posix.readFile(file) else { return [] }
        return entries(in: bytes, algorithm: algorithm)
    }

    /// The entries of a reflog file's bytes, skipping lines that do not parse.
    static func entries(in bytes: [UInt8], algorithm: HashAlgorithm) -> [ReflogEntry] {
        bytes.split(separator: UInt8(ascii: "\n")).compactMap { parse($0, algorithm: algorithm) }
    }

    /// The text of one reflog line, newline included.
    static func line(for entry: ReflogEntry) -> String {
        "\(entry.old.hex) \(entry.new.hex) \(identity(entry.committer))\t\(entry.message)\n"
    }

    /// A signature as Git writes it after `author`, `committer` and in reflogs:
    /// `Name <email> 1700000000 +0530`.
    static func identity(_ signature: Signature) -> String {
        let offset = abs(signature.timeZoneMinutes)
        let sign = signature.timeZoneMinutes < 0 ? "-" : "+"
        let hours = offset / 60 < 10 ? "0\(offset / 60)" : "\(offset / 60)"
        let minutes = offset % 60 < 10 ? "0\(offset % 60)" : "\(offset % 60)"
        return "\(signature.name) <\(signature.email)> \(signature.time) \(sign)\(hours)\(minutes)"
    }

    private static func parse(_ line: ArraySlice<UInt8>, algorithm: HashAlgorithm) -> ReflogEntry? {
        let hexLength = algorithm.hexLength
        let text = String(decoding: line, as: UTF8.self)
        let utf8 = text.utf8
        guard utf8.count > 2 * hexLength + 2,
              let old = ObjectID(hex: text.prefix(hexLength)),
              let new = ObjectID(hex: text.dropFirst(hexLength + 1).prefix(hexLength)),
              old.algorithm == algorithm, new.algorithm == algorithm
        else { return nil }
        let rest = text.dropFirst(2 * hexLength + 2)
        let identityText = rest.prefix { $0 != "\t" }
        let message = rest.dropFirst(identityText.count + 1)
        guard let signature = parseIdentity(identityText) else { return nil }
        return ReflogEntry(old: old, new: new, committer: signature, message: String(message))
    }

    private static func parseIdentity(_ text: Substring) -> Signature? {
        guard let close = text.lastIndex(of: ">"), let open = text[..<close].lastIndex(of: "<") else { return nil }
        let name = String(text[..<open]).trimmingSpaces()
        let email = String(text[text.index(after: open)..<close])
        let fields = text[text.index(after: close)...].split(separator: " ")
        guard fields.count == 2, let time = Int64(fields[0]),
              let zone = fields[1].first, zone == "+" || zone == "-", fields[1].count == 5,
              let digits = Int(fields[1].dropFirst())
        else { return nil }
        let minutes = digits / 100 * 60 + digits % 100
        return Signature(name: name, email: email, time: time, timeZoneMinutes: zone == "-" ? -minutes : minutes)
    }
}
