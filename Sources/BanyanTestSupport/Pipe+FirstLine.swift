import Foundation

extension Pipe {
    /// Reads one line from the pipe, byte by byte so nothing after the
    /// newline is consumed; the line without its newline (all that came
    /// before end of file, when no newline came).
    public func readLine() throws -> String {
        var line = Data()
        while let byte = try fileHandleForReading.read(upToCount: 1), !byte.isEmpty, byte != Data("\n".utf8) {
            line.append(byte)
        }
        return String(decoding: line, as: UTF8.self)
    }
}
