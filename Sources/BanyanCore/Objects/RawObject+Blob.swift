extension RawObject {
    /// A blob holding `bytes` as they are; blobs have no encoding of their own.
    public static func blob(_ bytes: [UInt8]) -> RawObject {
        RawObject(kind: .blob, body: bytes)
    }
}
