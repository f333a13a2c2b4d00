/// Splits a `text/event-stream` body into events, as it arrives in pieces:
/// the fields Banyan's change stream uses (`event`, `id`, `data`), comment
/// lines (`:` first, the server's keep-alives) skipped, LF or CRLF line ends.
struct ServerSentEvents {
    /// One dispatched event.
    struct Event: Hashable {
        /// The `event:` field; `message` when there is none.
        var type = "message"
        /// The `id:` field; empty when there is none.
        var id = ""
        /// The `data:` lines, joined by newlines.
        var data = ""
    }

    private var line: [UInt8] = []
    private var current = Event()
    private var hasFields = false

    /// The events `bytes` completes.
    mutating func feed<Bytes: Sequence<UInt8>>(_ bytes: Bytes) -> [Event] {
        var events: [Event] = []
        for byte in bytes {
            guard byte == UInt8(ascii: "\n") else {
                line.append(byte)
                continue
            }
            if line.last == UInt8(ascii: "\r") { line.removeLast() }
            if line.isEmpty {
                if hasFields { events.append(current) }
                current = Event()
                hasFields = false
            } else if line.first != UInt8(ascii: ":") {
                field(String(decoding: line, as: UTF8.self))
            }
            line.removeAll(keepingCapacity: true)
        }
        return events
    }

    private mutating func field(_ text: String) {
        let name = text.prefix { $0 != ":" }
        var value = text.dropFirst(name.count).dropFirst()
        if value.first == " " { value = value.dropFirst() }
        switch name {
        case "event": current.type = String(value)
        case "id": current.id = String(value)
        case "data": current.data += (current.data.isEmpty ? "" : "\n") + value
        default: return
        }
        hasFields = true
    }
}
