import Banyan
import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Simulates power cuts on a store, as SQLite's crash tests do: it watches
/// every change the filesystem backend makes under `root` (through the
/// `FileIO` seam), keeps a model of what a disk has made durable (file
/// contents as of their last `fsync`, directory entries as of their
/// directory's last `fsync`), and before chosen calls writes *images*:
/// copies of the store as it could be found after the power failed at that
/// instant.
///
/// Each cut gives several images:
/// - `lost`: only what was made durable survives. A file created since its
///   directory was last synced is gone; one never synced is empty.
/// - `kept`: everything survives, as after `kill -9` (the page cache is
///   written back later).
/// - `mixed-N`: what a kernel may do. In each directory some of the changes
///   made since its last sync survive, in order (a prefix: a journal keeps
///   order within a directory, not across directories); each file keeps its
///   synced contents, or its current ones, or a prefix in between.
///
/// The model is POSIX's, not one filesystem's: a file's `fsync` says
/// nothing about its name, a directory's `fsync` nothing about the files'
/// bytes. What it cannot see, it treats as lost: a change made outside
/// `FileIO` shows as an empty or missing file, which is a finding too.
package final class PowerLossSimulator: FileIOObserver, @unchecked Sendable {
    /// One image of the store after a cut.
    package struct Image: Sendable, CustomStringConvertible {
        /// How many observed calls had completed when the power failed.
        package var completed: Int
        /// The call that did not run.
        package var before: String
        /// `lost`, `kept` or `mixed-N`.
        package var variant: String
        /// The directory holding the image (a copy of the store).
        package var path: String

        package var description: String { "cut \(completed) (\(variant)) before \(before)" }
    }

    /// A name in a directory: a file (by the simulation's own id, as inode
    /// numbers are reused) or a directory.
    private enum Node: Hashable {
        case file(Int)
        case directory
    }

    /// One change to a directory's entries, not yet synced.
    private enum Change {
        case set(String, Node)
        case remove(String)
        case rename(String, String)
    }

    private struct Directory {
        var durable: [String: Node] = [:]
        var pending: [Change] = []

        var current: [String: Node] { Self.apply(pending[...], to: durable) }

        static func apply(_ changes: ArraySlice<Change>, to entries: [String: Node]) -> [String: Node] {
            var entries = entries
            for change in changes {
                switch change {
                case .set(let name, let node): entries[name] = node
                case .remove(let name): entries[name] = nil
                case .rename(let from, let to):
                    entries[to] = entries[from]
                    entries[from] = nil
                }
            }
            return entries
        }
    }

    private struct State {
        var directories: [String: Directory] = [:]
        /// Each file's contents as of its last fsync.
        var durable: [Int: [UInt8]] = [:]
        /// The file id each live inode number stands for now.
        var fileOfInode: [UInt64: Int] = [:]
        var nextFile = 0
        var completed = 0
        var existedBeforeOpen: [String: Bool] = [:]
        var images: [Image] = []
        var random: SeededRandom
    }

    /// The store's directory.
    package let root: String
    private let imagesDirectory: String
    private let mixedVariants: Int
    private let cutBefore: @Sendable (FileIOEvent) -> Bool
    private let state: Mutex<State>

    /// Watches `root`, taking everything on disk now as durable. Images go
    /// under `imagesDirectory`; `cutBefore` chooses the calls before which the
    /// power fails (each cut writes `lost`, `kept` and `mixedVariants` mixed images).
    package init(
        root: String, imagesDirectory: String, mixedVariants: Int = 2, seed: UInt64 = 1,
        cutBefore: @escaping @Sendable (FileIOEvent) -> Bool = { _ in true }
    ) throws {
        self.root = URL(fileURLWithPath: root).standardizedFileURL.path
        self.imagesDirectory = imagesDirectory
        self.mixedVariants = mixedVariants
        self.cutBefore = cutBefore
        var initial = State(random: SeededRandom(seed: seed))
        try Self.scan(self.root, into: &initial)
        state = Mutex(initial)
        try FileManager.default.createDirectory(atPath: imagesDirectory, withIntermediateDirectories: true)
    }

    /// Runs `body` with the simulation watching, and returns the images made.
    package func record(_ body: () throws -> Void) rethrows -> [Image] {
        try FileIOObservation.run(self, body)
        return images
    }

    /// The images made so far, in the order of their cuts.
    package var images: [Image] { state.withLock { $0.images } }

    /// How many observed calls have completed: a write acknowledged now
    /// must be in every image of a later cut.
    package var completed: Int { state.withLock { $0.completed } }

    // MARK: - Observing

    package func willRun(_ event: FileIOEvent) {
        guard let path = Self.path(of: event), isInside(path) else { return }
        state.withLock { state in
            if case .open(let path, let flags) = event, flags & O_CREAT != 0 {
                state.existedBeforeOpen[path] = Self.inode(path) != nil
            }
            if cutBefore(event) { cut(before: event, &state) }
        }
    }

    package func didRun(_ event: FileIOEvent, result: Int) {
        guard let path = Self.path(of: event), isInside(path) else { return }
        state.withLock { state in
            defer { state.completed += 1 }
            guard result >= 0 else { return }
            switch event {
            case .open(let path, let flags):
                let existed = state.existedBeforeOpen.removeValue(forKey: path) ?? true
                if flags & O_CREAT != 0, !existed, let inode = Self.inode(Int32(result)) {
                    created(path, inode: inode, &state)
                }
            case .makeTemporaryFile:
                let fd = Int32(result)
                if let inode = Self.inode(fd), let path = Self.pathOf(fd) { created(path, inode: inode, &state) }
            case .write, .truncate:
                break
            case .fsync(let fd, let path):
                var info = stat()
                guard fstat(fd, &info) == 0 else { return }
                if info.st_mode & S_IFMT == S_IFDIR {
                    let directory = Self.standardized(path)
                    if var entry = state.directories[directory] {
                        entry.durable = entry.current
                        entry.pending = []
                        state.directories[directory] = entry
                    }
                } else if let file = state.fileOfInode[UInt64(info.st_ino)] {
                    state.durable[file] = Self.contents(fd) ?? []
                }
            case .rename(let from, let to):
                let (fromDirectory, fromName) = Self.split(from)
                let (toDirectory, toName) = Self.split(to)
                if fromDirectory == toDirectory {
                    state.directories[fromDirectory, default: Directory()].pending.append(.rename(fromName, toName))
                } else {
                    let node = state.directories[fromDirectory]?.current[fromName] ?? adopt(to, &state)
                    state.directories[fromDirectory, default: Directory()].pending.append(.remove(fromName))
                    state.directories[toDirectory, default: Directory()].pending.append(.set(toName, node))
                }
            case .link(let from, let to):
                let (fromDirectory, fromName) = Self.split(from)
                let (toDirectory, toName) = Self.split(to)
                let node = state.directories[fromDirectory]?.current[fromName] ?? adopt(to, &state)
                state.directories[toDirectory, default: Directory()].pending.append(.set(toName, node))
            case .unlink(let path):
                let (directory, name) = Self.split(path)
                state.directories[directory, default: Directory()].pending.append(.remove(name))
            case .makeDirectory(let path):
                let (parent, name) = Self.split(path)
                state.directories[parent, default: Directory()].pending.append(.set(name, .directory))
                state.directories[Self.standardized(path)] = Directory()
            }
        }
    }

    private func isInside(_ path: String) -> Bool {
        let path = Self.standardized(path)
        return path == root || path.hasPrefix(root + "/")
    }

    private func created(_ path: String, inode: UInt64, _ state: inout State) {
        let file = state.nextFile
        state.nextFile += 1
        state.fileOfInode[inode] = file
        let (directory, name) = Self.split(path)
        state.directories[directory, default: Directory()].pending.append(.set(name, .file(file)))
    }

    /// A file the simulation did not see created (made outside `FileIO`):
    /// nothing of it is known to be durable.
    private func adopt(_ path: String, _ state: inout State) -> Node {
        guard let inode = Self.inode(path) else { return .file(-1) }
        if let file = state.fileOfInode[inode] { return .file(file) }
        let file = state.nextFile
        state.nextFile += 1
        state.fileOfInode[inode] = file
        return .file(file)
    }

    // MARK: - Cutting

    private func cut(before event: FileIOEvent, _ state: inout State) {
        // What is on disk now, by file id, for the images that keep unsynced bytes.
        var current: [Int: [UInt8]] = [:]
        for (directory, entry) in state.directories {
            for (name, node) in entry.current {
                guard case .file(let file) = node, let bytes = FileManager.default.contents(atPath: directory + "/" + name)
                else { continue }
                if let inode = Self.inode(directory + "/" + name), state.fileOfInode[inode] == file {
                    current[file] = [UInt8](bytes)
                }
            }
        }
        let cut = state.completed
        var variants: [(String, [String: [String: Node]], [Int: [UInt8]])] = []
        variants.append(("lost", state.directories.mapValues(\.durable), state.durable))
        var kept = state.durable
        kept.merge(current) { $1 }
        variants.append(("kept", state.directories.mapValues(\.current), kept))
        for index in 0..<mixedVariants {
            var entries: [String: [String: Node]] = [:]
            for (directory, entry) in state.directories {
                let survived = state.random.below(entry.pending.count + 1)
                entries[directory] = Directory.apply(entry.pending.prefix(survived), to: entry.durable)
            }
            var contents = state.durable
            for (file, bytes) in current {
                let synced = state.durable[file] ?? []
                switch state.random.below(3) {
                case 0: continue
                case 1: contents[file] = bytes
                default:
                    guard bytes.starts(with: synced), bytes.count > synced.count else { continue }
                    contents[file] = Array(bytes.prefix(synced.count + state.random.below(bytes.count - synced.count + 1)))
                }
            }
            variants.append(("mixed-\(index)", entries, contents))
        }
        for (variant, entries, contents) in variants {
            let path = "\(imagesDirectory)/cut-\(cut)-\(variant)"
            try? FileManager.default.removeItem(atPath: path)
            write(root, to: path, entries: entries, contents: contents)
            state.images.append(Image(completed: cut, before: event.description, variant: variant, path: path))
        }
    }

    private func write(_ directory: String, to target: String, entries: [String: [String: Node]], contents: [Int: [UInt8]]) {
        mkdir(target, 0o755)
        for (name, node) in entries[directory] ?? [:] {
            switch node {
            case .directory:
                write(directory + "/" + name, to: target + "/" + name, entries: entries, contents: contents)
            case .file(let file):
                _ = FileManager.default.createFile(atPath: target + "/" + name, contents: Data(contents[file] ?? []))
            }
        }
    }

    // MARK: - The disk

    /// Takes every file and directory under `directory` as durable.
    private static func scan(_ directory: String, into state: inout State) throws {
        var entry = Directory()
        for name in try FileManager.default.contentsOfDirectory(atPath: directory) {
            let path = directory + "/" + name
            var info = stat()
            guard lstat(path, &info) == 0 else { continue }
            if info.st_mode & S_IFMT == S_IFDIR {
                entry.durable[name] = .directory
                try scan(path, into: &state)
            } else {
                let file = state.nextFile
                state.nextFile += 1
                state.fileOfInode[UInt64(info.st_ino)] = file
                state.durable[file] = [UInt8](FileManager.default.contents(atPath: path) ?? Data())
                entry.durable[name] = .file(file)
            }
        }
        state.directories[directory] = entry
    }

    private static func path(of event: FileIOEvent) -> String? {
        switch event {
        case .open(let path, _), .write(_, let path), .truncate(_, let path), .fsync(_, let path),
             .unlink(let path), .makeDirectory(let path):
            path
        case .makeTemporaryFile(let directory): directory
        case .rename(let from, _), .link(let from, _): from
        }
    }

    private static func standardized(_ path: String) -> String {
        URL(fileURLWithPath: path).standardizedFileURL.path
    }

    private static func split(_ path: String) -> (directory: String, name: String) {
        let url = URL(fileURLWithPath: standardized(path))
        return (url.deletingLastPathComponent().path, url.lastPathComponent)
    }

    private static func inode(_ path: String) -> UInt64? {
        var info = stat()
        return lstat(path, &info) == 0 ? UInt64(info.st_ino) : nil
    }

    private static func inode(_ fd: Int32) -> UInt64? {
        var info = stat()
        return fstat(fd, &info) == 0 ? UInt64(info.st_ino) : nil
    }

    private static func pathOf(_ fd: Int32) -> String? {
        try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/\(fd)")
    }

    /// The whole contents of the open file `fd`, read through a descriptor
    /// of its own (`fd` may be write-only).
    private static func contents(_ fd: Int32) -> [UInt8]? {
        FileManager.default.contents(atPath: "/proc/self/fd/\(fd)").map { [UInt8]($0) }
    }
}
