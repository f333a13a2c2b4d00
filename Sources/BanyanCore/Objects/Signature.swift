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

    /// Creates a signature.
    public init(name: String, email: String, time: Int64, timeZoneMinutes: Int = 0) {
        self.name = name
        self.email = email
        self.time = time
        self.timeZoneMinutes = timeZoneMinutes
    }
}
