import Foundation

/// Where a fast-import stream comes from: bytes in memory or a file descriptor.
public struct FastImportSource: Sendable {
    enum Storage: Sendable {
        case data(Data)
        case descriptor(Int32)
    }

    let storage: Storage

    /// A stream held in memory.
    public static func data(_ data: Data) -> FastImportSource { FastImportSource(storage: .data(data)) }
    /// A stream read from an open file descriptor (standard input is 0) until
    /// its end or a `done` command; the descriptor is not closed.
    public static func fileDescriptor(_ descriptor: Int32) -> FastImportSource {
        FastImportSource(storage: .descriptor(descriptor))
    }
}

/// How `Repository.fastImport` treats refs and marks; the fields mirror
/// `git fast-import`'s options. The stream's `feature` commands may set the
/// same things; a value given here wins.
public struct FastImportOptions: Sendable {
    /// Update refs even when the new value does not contain the old one (`--force`).
    public var force = false
    /// Load marks from this file before the first command (`--import-marks`).
    public var importMarks: String?
    /// Like `importMarks`, but a missing file is no error (`--import-marks-if-exists`).
    public var importMarksIfExists: String?
    /// Write every mark to this file at each checkpoint and at the end (`--export-marks`).
    public var exportMarks: String?
    /// Let the stream's `feature import-marks`, `import-marks-if-exists`
    /// and `export-marks` name files (`--allow-unsafe-features`): off, as
    /// in git, because they let a stream read and write any file.
    public var allowUnsafeFeatures = false
    /// Accept time zones beyond ±1400 in identities (`--date-format=raw-permissive`).
    public var permissiveDates = false
    /// Called with the text of each `progress` command, without the `progress ` prefix.
    public var progress: (@Sendable (String) -> Void)?

    /// The defaults: refuse non-fast-forward updates, no mark files.
    public init() {}
}

/// What `Repository.fastImport` did.
public struct FastImportResult: Sendable {
    /// One ref the import left alone, and why.
    public struct Skipped: Sendable, Hashable {
        /// The ref.
        public var name: String
        /// Why, in a sentence (as git's warning says it).
        public var reason: String
    }

    /// Objects written, per kind (blobs, trees, commits, tags), duplicates included.
    public var objectCounts: [ObjectKind: Int] = [:]
    /// Refs set or deleted, in the order they moved (a ref moved at two
    /// checkpoints appears twice), with their new values (nil for a deletion).
    public var updated: [(name: String, id: ObjectID?)] = []
    /// Refs that did not move at the last checkpoint because the new value
    /// would not contain the old one (no `force`); a caller should report
    /// failure, as git exits 1.
    public var skipped: [Skipped] = []
}
