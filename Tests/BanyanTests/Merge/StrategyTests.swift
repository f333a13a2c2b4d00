@testable import Banyan
import Foundation
import Testing

/// Runs `strategy` on text values.
func merge(_ strategy: any MergeStrategy, base: String?, _ ours: String, _ theirs: String,
           context: MergeContext = MergeContext(key: Key.root, ours: MergeSide(label: "ours"), theirs: MergeSide(label: "theirs"))
) throws -> ValueMergeResult {
    try strategy.merge(base: base.map { Array($0.utf8) }, ours: Array(ours.utf8), theirs: Array(theirs.utf8), context: context)
}

extension ValueMergeResult {
    /// The merged text, or nil for a conflict.
    var text: String? {
        if case .merged(let bytes) = self { return String(decoding: bytes, as: UTF8.self) }
        return nil
    }

    /// The conflict, or nil when merged.
    var conflict: ValueConflict? {
        if case .conflict(let conflict) = self { return conflict }
        return nil
    }
}

@Suite("merge strategies")
struct StrategyTests {
    @Test func textMergesSeparateChangesAndMarksOverlappingOnes() throws {
        let text = TextMergeStrategy()
        #expect(try merge(text, base: "a\nb\nc\nd\ne\n", "A\nb\nc\nd\ne\n", "a\nb\nc\nd\nE\n").text == "A\nb\nc\nd\nE\n")
        // Both made the same change: clean.
        #expect(try merge(text, base: "a\nb\nc\nd\ne\n", "a\nB\nc\nd\ne\n", "a\nB\nc\nd\nE\n").text == "a\nB\nc\nd\nE\n")
        // A side that made that change and more overlaps it: a conflict.
        #expect(try merge(text, base: "a\nb\n", "a\nB\n", "a\nB\nc\n").conflict != nil)
        let conflict = try #require(try merge(text, base: "a\nb\nc\n", "a\nX\nc\n", "a\nY\nc\n").conflict)
        #expect(String(decoding: conflict.tentative ?? [], as: UTF8.self)
                == "a\n<<<<<<< ours\nX\n=======\nY\n>>>>>>> theirs\nc\n")
        // Changes to adjacent lines conflict, as in Git.
        #expect(try merge(text, base: "a\nb\nc\n", "a\nB\nc\n", "a\nb\nC\n").conflict != nil)
        // Add/add with no base: only identical additions merge (decided before the strategy runs).
        #expect(try merge(text, base: nil, "x\n", "y\n").conflict != nil)
        // A missing final newline counts as a change of that line.
        #expect(try merge(text, base: "a\nb\n", "a\nb", "a\nb\nc\n").conflict != nil)
    }

    @Test func textTreatsValuesWithNULAsBinary() throws {
        let result = try TextMergeStrategy().merge(base: [0x61, 0, 0x0a], ours: [0x62, 0, 0x0a], theirs: [0x63, 0, 0x0a],
                                                   context: MergeContext(key: .root, ours: MergeSide(label: "o"), theirs: MergeSide(label: "t")))
        #expect(result.conflict?.tentative == nil)
    }

    @Test func textMarkersFollowCRLFAndMarkerSize() throws {
        let context = MergeContext(key: .root, ours: MergeSide(label: "A"), theirs: MergeSide(label: "B"), markerSize: 9)
        let conflict = try #require(try merge(TextMergeStrategy(), base: "a\r\nb\r\n", "a\r\nx\r\n", "a\r\ny\r\n", context: context).conflict)
        #expect(String(decoding: conflict.tentative ?? [], as: UTF8.self)
                == "a\r\n<<<<<<<<< A\r\nx\r\n=========\r\ny\r\n>>>>>>>>> B\r\n")
    }

    @Test func unionKeepsBothSidesLines() throws {
        let union = UnionMergeStrategy()
        #expect(try merge(union, base: "a\nb\nc\n", "a\nX\nc\n", "a\nY\nc\n").text == "a\nX\nY\nc\n")
        #expect(try merge(union, base: "a\n", "a\nx", "a\ny\n").text == "a\nx\ny\n")
        #expect(try merge(union, base: nil, "same\nx\n", "same\ny\n").text == "same\nx\ny\n")
        #expect(try UnionMergeStrategy().merge(base: nil, ours: [0], theirs: [1, 0], context: MergeContext(
            key: .root, ours: MergeSide(label: "o"), theirs: MergeSide(label: "t"))).conflict != nil)
    }

    @Test func binaryOursAndTheirs() throws {
        #expect(try merge(BinaryMergeStrategy(), base: "a", "b", "c").conflict?.reason == "both sides changed the value")
        #expect(try merge(BinaryMergeStrategy(), base: nil, "b", "c").conflict?.reason == "both sides added different values")
        #expect(try merge(OursMergeStrategy(), base: "a", "b", "c").text == "b")
        #expect(try merge(TheirsMergeStrategy(), base: "a", "b", "c").text == "c")
    }

    @Test func counterAddsBothSidesIncrements() throws {
        let counter = CounterMergeStrategy()
        #expect(try merge(counter, base: "10", "15", "12").text == "17")
        #expect(try merge(counter, base: "10\n", "15\n", "7\n").text == "12\n")
        #expect(try merge(counter, base: " 0 ", "-5", "+3").text == "-2")
        #expect(try merge(counter, base: nil, "2", "3").text == "5")
        #expect(try merge(counter, base: "", "2", "3").text == "5")
        #expect(try merge(counter, base: "1", "two", "3").conflict?.reason == "the ours value is not a decimal integer")
        #expect(try merge(counter, base: "1.5", "2", "3").conflict != nil)
        #expect(try merge(counter, base: "0", "9223372036854775807", "1").conflict?.reason.contains("64 bits") == true)
        #expect(try merge(counter, base: "9223372036854775807", "-9223372036854775808", "0").conflict != nil)
        // Intermediate sums that overflow 64 bits do not matter when the result fits, whichever side is ours.
        #expect(try merge(counter, base: "-9223372036854775808", "9223372036854775807", "-9223372036854775808").text
                == "9223372036854775807")
        #expect(try merge(counter, base: "-9223372036854775808", "-9223372036854775808", "9223372036854775807").text
                == "9223372036854775807")
    }

    @Test func jsonMergesMembersRecursivelyAndNamesConflictPaths() throws {
        let json = JSONMergeStrategy()
        #expect(try merge(json, base: #"{"a":1,"b":{"c":1,"d":1}}"#, #"{"a":2,"b":{"c":1,"d":1}}"#,
                          #"{"a":1,"b":{"c":1,"d":5},"z":null}"#).text == #"{"a":2,"b":{"c":1,"d":5},"z":null}"#)
        // Output is compact with sorted names, whatever the input's layout.
        #expect(try merge(json, base: "{}", "{\n  \"b\": true,\n  \"a\": [1, 2]\n}", #"{"c":"x/y"}"#).text
                == #"{"a":[1,2],"b":true,"c":"x/y"}"#)
        let nested = try #require(try merge(json, base: #"{"a":{"b":[1,2,3]}}"#, #"{"a":{"b":[1,2,4]}}"#, #"{"a":{"b":[1,2,5]}}"#).conflict)
        #expect(nested.locations == ["$.a.b[2]"])
        // Same-length arrays merge element by element.
        #expect(try merge(json, base: "[1,2,3]", "[9,2,3]", "[1,2,8]").text == "[9,2,8]")
        // Arrays whose length changed follow the three-way rule as a whole.
        #expect(try merge(json, base: "[1]", "[1,2]", "[1,3]").conflict?.locations == ["$"])
        #expect(try merge(json, base: "[1]", "[1,2]", "[0]").conflict?.locations == ["$"])
        let removed = try #require(try merge(json, base: #"{"k":1,"odd key":1}"#, #"{"odd key":2}"#, #"{"k":2,"odd key":3}"#).conflict)
        #expect(removed.locations == ["$.k", #"$["odd key"]"#])
        #expect(removed.reason == "both sides changed 2 JSON values differently")
        // Numbers compare by value; strings keep escapes decoded and re-escaped minimally.
        #expect(try merge(json, base: #"{"n":1,"s":"a"}"#, #"{"n":1.0,"s":"a"}"#, #"{"n":1,"s":"\u00e9\n"}"#).text
                == "{\"n\":1,\"s\":\"é\\n\"}")
        #expect(try merge(json, base: nil, #"{"a":1}"#, #"{"b":2}"#).text == #"{"a":1,"b":2}"#)
        #expect(try merge(json, base: "", #"{"a":1}"#, #"{"a":2}"#).conflict?.locations == ["$.a"])
        #expect(try merge(json, base: "{}", "{", "{}").conflict?.reason.hasPrefix("the ours value is not valid JSON") == true)
        #expect(try merge(json, base: "1", "01", "2").conflict != nil)
    }

    @Test func jsonRejectsMalformedAndDeepInputWithoutCrashing() throws {
        let json = JSONMergeStrategy()
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(try merge(json, base: "[]", deep, "[1]").conflict?.reason.contains("nesting") == true)
        for bad in [#"{"a" 1}"#, "[1,]", #""\ud800""#, #""\x""#, "tru", "1.", "-", #"{"a":1}x"#, "\"a\u{01}\""] {
            #expect(try merge(json, base: "null", bad, "[]").conflict != nil, "\(bad)")
        }
        #expect(try merge(json, base: "null", #""\ud83d\ude00""#, "null").text == "\"😀\"")
    }

    @Test func setAppliesAdditionsAndRemovalsFromBothSides() throws {
        let set = SetMergeStrategy()
        #expect(try merge(set, base: "a\nb\nc\n", "a\nc\nd\n", "b\nc\ne\na\n").text == "a\nc\nd\ne\n")
        #expect(try merge(set, base: nil, "x\nx\n\ny", "y\nw\n").text == "w\nx\ny\n")
        #expect(try merge(set, base: "a\n", "", "a\nb\n").text == "b\n")
    }

    @Test func lastWriterWinsByCommitTimeThenId() throws {
        let lww = LastWriterWinsMergeStrategy()
        let early = ObjectID(hex: String(repeating: "1", count: 40))!, late = ObjectID(hex: String(repeating: "2", count: 40))!
        func context(_ oursTime: Int64, _ oursID: ObjectID, _ theirsTime: Int64, _ theirsID: ObjectID) -> MergeContext {
            MergeContext(key: .root, ours: MergeSide(label: "o", commit: oursID, time: oursTime),
                         theirs: MergeSide(label: "t", commit: theirsID, time: theirsTime))
        }
        #expect(try merge(lww, base: "a", "ours", "theirs", context: context(200, early, 100, late)).text == "ours")
        #expect(try merge(lww, base: "a", "ours", "theirs", context: context(100, early, 200, late)).text == "theirs")
        #expect(try merge(lww, base: "a", "ours", "theirs", context: context(100, late, 100, early)).text == "ours")
        #expect(try merge(lww, base: "a", "ours", "theirs", context: context(100, early, 100, late)).text == "theirs")
        #expect(try merge(lww, base: nil, "b", "c").text == "c")
    }

    @Test func registryHasTheBuiltInsAndTakesNewOnes() throws {
        #expect(MergeStrategies.builtIn.names == ["binary", "counter", "json", "lww", "ours", "set", "text", "theirs", "union"])
        var strategies = MergeStrategies()
        strategies.register(OursMergeStrategy())
        strategies.register(Tally.self, as: "tally")
        #expect(strategies["tally"]?.name == "tally")
        #expect(strategies["nope"] == nil)
        #expect(MergeStrategies.strategyName(for: .unspecified, versions: [Array("ok".utf8)]) == "text")
        #expect(MergeStrategies.strategyName(for: .unspecified, versions: [[0xff, 0xfe]]) == "binary")
        #expect(MergeStrategies.strategyName(for: .unspecified, versions: [[0x61, 0]]) == "binary")
        #expect(MergeStrategies.strategyName(for: .set, versions: [[0]]) == "text")
        #expect(MergeStrategies.strategyName(for: .unset, versions: []) == "binary")
        #expect(MergeStrategies.strategyName(for: .value("json"), versions: []) == "json")
    }

    @Test func mergeableTypesMergeThroughTheirOwnFunction() throws {
        let strategy = MergeableStrategy(Tally.self, name: "tally")
        #expect(try merge(strategy, base: #"{"counts":{"a":1}}"#, #"{"counts":{"a":3}}"#, #"{"counts":{"a":2,"b":1}}"#).text
                == #"{"counts":{"a":4,"b":1}}"#)
        #expect(try merge(strategy, base: nil, #"{"counts":{"a":1}}"#, #"{"counts":{"b":1}}"#).text == #"{"counts":{"a":1,"b":1}}"#)
        #expect(try merge(strategy, base: "{}", #"{"counts":{}}"#, #"{"counts":{}}"#).conflict?.reason.contains("does not decode") == true)
        #expect(try merge(strategy, base: #"{"counts":{}}"#, #"{"counts":{"x":-1}}"#, #"{"counts":{}}"#).conflict?.reason
                == "negative count for x")
    }
}

/// A typed value with its own merge: per-name counters that add increments.
struct Tally: Mergeable, Equatable {
    var counts: [String: Int]

    static func merge(base: Tally?, ours: Tally, theirs: Tally) throws -> Tally {
        var result = ours
        for (name, value) in theirs.counts {
            result.counts[name, default: 0] += value - (base?.counts[name] ?? 0)
        }
        if let negative = result.counts.first(where: { $0.value < 0 }) {
            throw BanyanError(.mergeConflict, "negative count for \(negative.key)")
        }
        return result
    }
}
