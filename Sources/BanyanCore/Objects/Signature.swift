/// An author, committer or tagger line: name, email, time and time zone.
public struct Signature: Hashable, Sendable {
    /// The person's name (no `<`, `>` or newline).
    public var name: String
    /// The email address (no `<`, `>` or newline).
    public var email: String
    /// Seconds since the Unix epoch.
    public var time: Int64
    /// The zone offset in minutes east of UTC (e.g. +0530 is 330).
    public var timeZoneMinutes: Int
    /// The line as an object stored it, when the fields above would not
    /// encode to the same bytes; see `storedLine`.
    var preserved: Preserved?

    /// A decoded line kept byte for byte, with the fields it decoded to.
    struct Preserved: Hashable, Sendable {
        var line: [UInt8]
        var name: String
        var email: String
        var time: Int64
        var timeZoneMinutes: Int
    }

    /// The bytes an object stored this signature as, when Git accepts them
    /// but they are not Banyan's canonical form: a `-0000` zone (unknown to
    /// some tools), a zone with 60 or more minutes, a name or email in
    /// another encoding than UTF-8 (then `name` and `email` hold it decoded
    /// with replacement characters). `encoded()` writes these bytes back, so
    /// the object's id never changes; nil once a field is changed, and for
    /// every signature Banyan makes.
    public var storedLine: [UInt8]? {
        guard let preserved, preserved.name == name, preserved.email == email, preserved.time == time,
              preserved.timeZoneMinutes == timeZoneMinutes
        else { return nil }
        return preserved.line
    }

    /// Creates a signature.
    public init(name: String, email: String, time: Int64, timeZoneMinutes: Int = 0) {
        self.name = name
        self.email = email
        self.time = time
        self.timeZoneMinutes = timeZoneMinutes
    }
}
