/// A text split into lines the way Git's xdiff does it: each line keeps its
/// `\n`, and a last line without one is a line of its own (so `"a"` and
/// `"a\n"` differ). Every line carries a class id: equal lines, in any of
/// the files split with the same ``LineClassifier``, share one id, so diffs
/// compare integers instead of bytes.
struct TextLines {
    /// The whole text.
    let bytes: [UInt8]
    /// The byte range of each line, newline included.
    let ranges: [Range<Int>]
    /// The class id of each line.
    let classes: [Int]

    /// The number of lines.
    var count: Int { ranges.count }

    /// The bytes of line `index`.
    func line(_ index: Int) -> ArraySlice<UInt8> { bytes[ranges[index]] }

    /// True when line `index` ends in `\r\n`.
    func endsInCRLF(_ index: Int) -> Bool {
        let range = ranges[index]
        return range.count > 1 && bytes[range.upperBound - 1] == 0x0a && bytes[range.upperBound - 2] == 0x0d
    }

    /// True when line `index` ends in `\n`.
    func endsInNewline(_ index: Int) -> Bool {
        let range = ranges[index]
        return !range.isEmpty && bytes[range.upperBound - 1] == 0x0a
    }
}

/// Assigns class ids to lines; one classifier serves all files of a merge so
/// their ids are comparable.
struct LineClassifier {
    private var ids: [ArraySlice<UInt8>: Int] = [:]

    /// The number of distinct lines seen so far (ids are `0..<classCount`).
    var classCount: Int { ids.count }

    /// Splits `bytes` into lines and classifies them.
    mutating func split(_ bytes: [UInt8]) -> TextLines {
        var ranges: [Range<Int>] = []
        var classes: [Int] = []
        var start = 0
        while start < bytes.count {
            var end = start
            while end < bytes.count && bytes[end] != 0x0a { end += 1 }
            if end < bytes.count { end += 1 }
            ranges.append(start..<end)
            classes.append(classify(bytes[start..<end]))
            start = end
        }
        return TextLines(bytes: bytes, ranges: ranges, classes: classes)
    }

    private mutating func classify(_ line: ArraySlice<UInt8>) -> Int {
        if let id = ids[line] { return id }
        let id = ids.count
        ids[line] = id
        return id
    }
}
