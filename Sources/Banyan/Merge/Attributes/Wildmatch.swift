/// Git's `wildmatch` (the glob matcher behind `.gitignore` and
/// `.gitattributes` patterns), ported from `wildmatch.c`, case-sensitive.
///
/// `*` and `?` do not match `/` in `pathname` mode; `**` between slashes
/// (or at the start or end) matches across directories; `[...]` takes
/// ranges, `!`/`^` negation and `[:class:]`; `\` quotes the next character.
/// Cost: backtracking, bounded by Git's abort rules (linear-ish in practice).
package enum Wildmatch {
    private enum Outcome { case match, noMatch, abortAll, abortToStarStar }

    /// True when `pattern` matches all of `text`.
    package static func matches(_ pattern: ArraySlice<UInt8>, _ text: ArraySlice<UInt8>, pathname: Bool) -> Bool {
        let p = Array(pattern), t = Array(text)
        return match(p, 0, t, 0, pathname) == .match
    }

    private static func at(_ bytes: [UInt8], _ index: Int) -> UInt8 {
        index < bytes.count ? bytes[index] : 0
    }

    /// True for `*`, `?`, `[` and `\`: the characters that make a pattern more than a literal.
    package static func isGlobSpecial(_ c: UInt8) -> Bool {
        c == UInt8(ascii: "*") || c == UInt8(ascii: "?") || c == UInt8(ascii: "[") || c == UInt8(ascii: "\\")
    }

    private static func match(_ pattern: [UInt8], _ start: Int, _ text: [UInt8], _ textStart: Int, _ pathname: Bool) -> Outcome {
        var p = start, t = textStart
        let slash = UInt8(ascii: "/")
        while p < pattern.count {
            var pc = pattern[p]
            var tc = at(text, t)
            if t >= text.count && pc != UInt8(ascii: "*") { return .abortAll }
            switch pc {
            case UInt8(ascii: "?"):
                if pathname && tc == slash { return .noMatch }
            case UInt8(ascii: "*"):
                p += 1
                let matchSlash: Bool
                if at(pattern, p) == UInt8(ascii: "*") {
                    let before = p - 2
                    while at(pattern, p) == UInt8(ascii: "*") { p += 1 }
                    let next = at(pattern, p)
                    if (before < 0 || pattern[before] == slash)
                        && (p >= pattern.count || next == slash || (next == UInt8(ascii: "\\") && at(pattern, p + 1) == slash)) {
                        if next == slash && match(pattern, p + 1, text, t, pathname) == .match { return .match }
                        matchSlash = true
                    } else {
                        matchSlash = !pathname
                    }
                } else {
                    matchSlash = !pathname
                }
                if p >= pattern.count {
                    // A trailing `*` stops at a slash; a trailing `**` matches everything.
                    if !matchSlash && text[t...].contains(slash) { return .noMatch }
                    return .match
                }
                if !matchSlash && pattern[p] == slash {
                    guard let next = text[t...].firstIndex(of: slash) else { return .noMatch }
                    t = next
                    break
                }
                while t < text.count {
                    if !isGlobSpecial(pattern[p]) {
                        let literal = pattern[p]
                        while t < text.count && (matchSlash || text[t] != slash) && text[t] != literal { t += 1 }
                        if at(text, t) != literal || t >= text.count { return .noMatch }
                    }
                    tc = text[t]
                    let outcome = match(pattern, p, text, t, pathname)
                    if outcome != .noMatch {
                        if !matchSlash || outcome != .abortToStarStar { return outcome }
                    } else if !matchSlash && tc == slash {
                        return .abortToStarStar
                    }
                    t += 1
                }
                return .abortAll
            case UInt8(ascii: "["):
                guard let (matched, end) = matchClass(pattern, p, tc) else { return .abortAll }
                if !matched || (pathname && tc == slash) { return .noMatch }
                p = end
            default:
                if pc == UInt8(ascii: "\\") {
                    p += 1
                    pc = at(pattern, p)
                }
                if tc != pc { return .noMatch }
            }
            p += 1
            t += 1
        }
        return t >= text.count ? .match : .noMatch
    }

    /// Matches `c` against the bracket expression opening at `open`; returns
    /// whether it matched and the index of the closing `]`, or nil when the
    /// expression is malformed (Git then aborts the whole match).
    private static func matchClass(_ pattern: [UInt8], _ open: Int, _ c: UInt8) -> (Bool, Int)? {
        var p = open + 1
        var pc = at(pattern, p)
        var negated = false
        if pc == UInt8(ascii: "!") || pc == UInt8(ascii: "^") {
            negated = true
            p += 1
            pc = at(pattern, p)
        }
        var previous: UInt8 = 0
        var matched = false
        repeat {
            if pc == 0 { return nil }
            if pc == UInt8(ascii: "\\") {
                p += 1
                pc = at(pattern, p)
                if pc == 0 { return nil }
                if c == pc { matched = true }
            } else if pc == UInt8(ascii: "-") && previous != 0 && at(pattern, p + 1) != 0 && at(pattern, p + 1) != UInt8(ascii: "]") {
                p += 1
                pc = at(pattern, p)
                if pc == UInt8(ascii: "\\") {
                    p += 1
                    pc = at(pattern, p)
                    if pc == 0 { return nil }
                }
                if c <= pc && c >= previous { matched = true }
                pc = 0
            } else if pc == UInt8(ascii: "[") && at(pattern, p + 1) == UInt8(ascii: ":") {
                let nameStart = p + 2
                var nameEnd = nameStart
                while at(pattern, nameEnd) != 0 && at(pattern, nameEnd) != UInt8(ascii: "]") { nameEnd += 1 }
                if at(pattern, nameEnd) == 0 { return nil }
                if nameEnd - nameStart == 0 || at(pattern, nameEnd - 1) != UInt8(ascii: ":") {
                    // Not a class after all: a literal `[`.
                    p = nameStart - 2
                    pc = UInt8(ascii: "[")
                    if c == pc { matched = true }
                } else {
                    let name = String(decoding: pattern[nameStart..<(nameEnd - 1)], as: UTF8.self)
                    guard let member = characterClass(name) else { return nil }
                    if member(c) { matched = true }
                    p = nameEnd
                    pc = 0
                }
            } else if c == pc {
                matched = true
            }
            previous = pc
            p += 1
            pc = at(pattern, p)
        } while pc != UInt8(ascii: "]")
        return (matched != negated, p)
    }

    private static func characterClass(_ name: String) -> ((UInt8) -> Bool)? {
        func isAlpha(_ c: UInt8) -> Bool { (0x41...0x5a).contains(c) || (0x61...0x7a).contains(c) }
        func isDigit(_ c: UInt8) -> Bool { (0x30...0x39).contains(c) }
        switch name {
        case "alnum": return { isAlpha($0) || isDigit($0) }
        case "alpha": return isAlpha
        case "blank": return { $0 == 0x20 || $0 == 0x09 }
        case "cntrl": return { $0 < 0x20 || $0 == 0x7f }
        case "digit": return isDigit
        case "graph": return { $0 > 0x20 && $0 < 0x7f }
        case "lower": return { (0x61...0x7a).contains($0) }
        case "print": return { $0 >= 0x20 && $0 < 0x7f }
        case "punct": return { $0 > 0x20 && $0 < 0x7f && !isAlpha($0) && !isDigit($0) }
        case "space": return { [0x20, 0x09, 0x0a, 0x0b, 0x0c, 0x0d].contains($0) }
        case "upper": return { (0x41...0x5a).contains($0) }
        case "xdigit": return { isDigit($0) || (0x41...0x46).contains($0) || (0x61...0x66).contains($0) }
        default: return nil
        }
    }
}
