/// The one error type Banyan throws: a code to switch on, a message a person
/// can act on, and the underlying cause when there is one.
///
/// `Code` wraps a private enum so that new codes can be added without
/// breaking clients that switch over the existing ones.
public struct BanyanError: Error, Sendable, CustomStringConvertible, Equatable {
    /// What kind of failure this is.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Value: String, Sendable {
            case invalidKey, invalidRefName, invalidObjectID, invalidArgument
            case corruptObject, objectNotFound, refNotFound, keyNotFound
            case staleRef, refLocked, alreadyExists, notADirectory
            case io, decompression, limitExceeded, unsupported, invalidRevision, ambiguousRevision
            case invalidRepository, mergeConflict
        }
        private let value: Value
        private init(_ value: Value) { self.value = value }

        /// A key (path) is malformed: empty, `.`/`..`/`.git` segments, NUL, too long.
        public static let invalidKey = Code(.invalidKey)
        /// A ref or branch name breaks Git's `check-ref-format` rules.
        public static let invalidRefName = Code(.invalidRefName)
        /// A string is not a valid (possibly abbreviated) object id.
        public static let invalidObjectID = Code(.invalidObjectID)
        /// An argument is out of range or inconsistent.
        public static let invalidArgument = Code(.invalidArgument)
        /// Stored or received bytes do not decode as a valid Git object.
        public static let corruptObject = Code(.corruptObject)
        /// An object id names nothing in the store.
        public static let objectNotFound = Code(.objectNotFound)
        /// A ref or branch does not exist.
        public static let refNotFound = Code(.refNotFound)
        /// A key has no value at the given revision.
        public static let keyNotFound = Code(.keyNotFound)
        /// A compare-and-swap found a different value than expected.
        public static let staleRef = Code(.staleRef)
        /// Another writer holds the ref's lock file.
        public static let refLocked = Code(.refLocked)
        /// Something to be created exists already.
        public static let alreadyExists = Code(.alreadyExists)
        /// A key names a value where a directory was expected, or the reverse.
        public static let notADirectory = Code(.notADirectory)
        /// The operating system reported an I/O failure.
        public static let io = Code(.io)
        /// zlib data is malformed.
        public static let decompression = Code(.decompression)
        /// Input is larger than a configured limit.
        public static let limitExceeded = Code(.limitExceeded)
        /// A format or feature Banyan does not handle.
        public static let unsupported = Code(.unsupported)
        /// A revision expression cannot be resolved.
        public static let invalidRevision = Code(.invalidRevision)
        /// A short object id matches more than one object.
        public static let ambiguousRevision = Code(.ambiguousRevision)
        /// A directory is not a usable repository.
        public static let invalidRepository = Code(.invalidRepository)
        /// A merge stopped on conflicts.
        public static let mergeConflict = Code(.mergeConflict)

        public var description: String { value.rawValue }
    }

    /// What kind of failure this is.
    public var code: Code
    /// A sentence naming the problem and the input that caused it.
    public var message: String
    /// The lower-level error, if any (an `errno`, a decoding failure).
    public var cause: String?

    /// Creates an error.
    public init(_ code: Code, _ message: String, cause: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.cause = cause.map { String(describing: $0) }
    }

    public var description: String {
        if let cause { return "\(message) (\(cause))" }
        return message
    }

    public static func == (lhs: BanyanError, rhs: BanyanError) -> Bool {
        lhs.code == rhs.code && lhs.message == rhs.message && lhs.cause == rhs.cause
    }
}
