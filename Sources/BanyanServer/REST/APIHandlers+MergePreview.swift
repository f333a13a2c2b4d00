import Banyan
import Foundation
import Hummingbird

extension APIHandlers {
    /// `GET /api/v1/merge/preview?source=REV&target=BRANCH&onConflict=P`:
    /// what `POST /api/v1/merge` would do, key by key, storing and moving nothing.
    ///
    /// The outcome is the library's dry run (`Repository.merge(…, dryRun: true)`),
    /// so it is exactly what the merge would do now. Each key either side
    /// changed since the merge base says who wins: `ours` or `theirs` (one side
    /// changed it, or the policy settled its conflict), `same` (an identical
    /// change), `merged` (the key's strategy combined both changes; its result
    /// is shown when it is text) or `conflict`. With several merge bases the
    /// keys are listed against the newest one.
    func mergePreview(_ request: Request) throws -> Response {
        let query = request.uri.queryParameters
        guard let source = query["source"].map(String.init), let targetName = query["target"].map(String.init) else {
            throw APIError(.badRequest, "invalidArgument", "a merge preview needs ?source=REV&target=BRANCH")
        }
        let policyName = query["onConflict"].map(String.init) ?? "fail"
        guard policyName != "record" else {
            throw APIError(.badRequest, "invalidArgument", "a merge preview takes onConflict fail, ours or theirs; record keeps the newer side's version")
        }
        let policy = try conflictPolicy(policyName)
        let target = try repository.branch(targetName)
        guard let ours = try target.head() else { throw APIError(.notFound, "refNotFound", "branch \(targetName) does not exist") }
        let theirs = try repository.peelToCommit(try repository.resolve(source))
        let outcome = try repository.merge(from: source, into: target, onConflict: policy, dryRun: true)
        let body: (outcome: String, base: ObjectID?, keys: [MergePreviewKeyBody])
        switch outcome {
        case .upToDate:
            body = ("upToDate", theirs, [])
        case .fastForward:
            let keys = try repository.diff(from: ours, to: theirs).map {
                MergePreviewKeyBody(key: $0.key.path, base: $0.old?.hex, ours: $0.old?.hex, theirs: $0.new?.hex, result: "theirs")
            }
            body = ("fastForward", ours, keys)
        case .merged, .recorded, .conflicts:
            // The conflicts the policy settled are listed too, with the side it chose.
            var conflicts: [MergeConflict] = []
            if case .conflicts(let found) = policyName == "fail" ? outcome : try repository.merge(from: source, into: target, dryRun: true) {
                conflicts = found
            }
            let base = try repository.mergeBases(ours, theirs).first
            let keys = try previewKeys(base: base, ours: ours, theirs: theirs, labels: (targetName, source),
                                       conflicts: conflicts, policy: policyName)
            if case .conflicts = outcome { body = ("conflicts", base, keys) } else { body = ("merged", base, keys) }
        }
        return JSONResponse.make(.ok, MergePreviewBody(source: theirs.hex, target: ours.hex, base: body.base?.hex,
                                                       outcome: body.outcome, keys: body.keys))
    }

    private func previewKeys(base: ObjectID?, ours: ObjectID, theirs: ObjectID, labels: (ours: String, theirs: String),
                             conflicts: [MergeConflict], policy: String) throws -> [MergePreviewKeyBody] {
        guard let base else { return [] }
        let ourChanges = Dictionary(try repository.diff(from: base, to: ours).map { ($0.key, $0) }) { first, _ in first }
        let theirChanges = Dictionary(try repository.diff(from: base, to: theirs).map { ($0.key, $0) }) { first, _ in first }
        let conflicted = Dictionary(conflicts.map { ($0.key, $0) }) { first, _ in first }
        let attributes = try repository.snapshot(commit: ours).find(try Key(".gitattributes"))
            .map { GitAttributes(bytes: Array($0)) } ?? .empty
        let keys = Set(ourChanges.keys).union(theirChanges.keys).union(conflicted.keys).sorted()
        return try keys.map { key in
            let o = ourChanges[key], t = theirChanges[key]
            let baseID = o?.old ?? t?.old ?? conflicted[key]?.base
            var entry = MergePreviewKeyBody(key: key.path, base: baseID?.hex, ours: (o != nil ? o?.new : baseID)?.hex,
                                            theirs: (t != nil ? t?.new : baseID)?.hex, result: "")
            if let conflict = conflicted[key] {
                entry.ours = conflict.ours?.hex
                entry.theirs = conflict.theirs?.hex
                entry.strategy = conflict.strategy
                entry.detail = conflict.detail ?? conflict.kind.rawValue
                entry.result = policy == "fail" ? "conflict" : policy
            } else if o == nil || t == nil {
                entry.result = o == nil ? "theirs" : "ours"
            } else if let oursID = o?.new, let theirsID = t?.new {
                let versions = [try baseID.map(repository.blob) ?? [], try repository.blob(oursID), try repository.blob(theirsID)]
                let name = MergeStrategies.strategyName(for: attributes.mergeState(for: key), versions: versions)
                entry.strategy = name
                if oursID == theirsID, MergeStrategies.builtIn[name]?.combinesIdenticalChanges != true {
                    entry.result = "same"
                } else {
                    entry.result = "merged"
                    let context = MergeContext(key: key, ours: MergeSide(label: labels.ours, commit: ours),
                                               theirs: MergeSide(label: labels.theirs, commit: theirs))
                    if case .merged(let bytes) = try MergeStrategies.builtIn[name]?.merge(
                        base: baseID == nil ? nil : versions[0], ours: versions[1], theirs: versions[2], context: context) {
                        entry.merged = String(validating: bytes, as: UTF8.self)
                    }
                }
            } else {
                entry.result = "same"
            }
            return entry
        }
    }
}
