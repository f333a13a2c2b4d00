#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `git pack-refs --all --prune`: every direct ref goes into `packed-refs`
/// (annotated tags with the `^<id>` line of what they peel to), then each
/// loose file that still holds the packed value is removed.
extension FileSystemBackend {
    /// What packing refs did.
    struct PackRefsResult {
        /// Refs in the new `packed-refs`.
        var packed = 0
        /// Loose files removed because `packed-refs` now holds their value.
        var prunedLoose = 0
        /// Loose refs left in place because they moved after being packed
        /// (their loose file overrides the packed value, so nothing is lost).
        var movedMeanwhile: [String] = []
    }

    /// Packs every direct ref under `refs/` into `packed-refs` and removes
    /// the loose files that are unchanged.
    ///
    /// The new file is written while `packed-refs.lock` is held, through
    /// `packed-refs.new` and a rename, as Git does. Loose files are then
    /// removed one by one, each under its own `<ref>.lock` and only when it
    /// still holds the value just packed: a ref a writer moved meanwhile
    /// stays loose with its new value. Symbolic refs, malformed ref files
    /// and refs whose object is missing are left loose. A removal lost in a
    /// crash leaves a loose file equal to its packed entry, which is harmless,
    /// so removals are not flushed. Throws `refLocked`
    /// when `packed-refs.lock` stays taken, `io` on a write failure.
    func packRefs() throws -> PackRefsResult {
        var result = PackRefsResult()
        let packedLoose: [(name: String, id: ObjectID)] = try LockFile.withLock(on: path + "/packed-refs", timeout: packedRefsTimeout) { _ in
            var values: [String: ObjectID] = [:]
            for entry in try packedRefs().entries { values[entry.name] = entry.id }
            var loose: [(name: String, id: ObjectID)] = []
            for name in try looseRefNames(under: "refs") {
                guard case .direct(let id)? = try? readLooseRef(name), try contains(id) else { continue }
                values[name] = id
                loose.append((name, id))
            }
            let sorted = values.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
            var text = "# pack-refs with: peeled fully-peeled sorted \n"
            for (name, id) in sorted {
                text += "\(id.hex) \(name)\n"
                if let peeled = try peeledTarget(of: id) { text += "^\(peeled.hex)\n" }
            }
            // Always flushed: the loose files it replaces are removed next.
            try PackedRefs.replace(repository: path, with: Array(text.utf8), durable: true)
            result.packed = sorted.count
            return loose
        }
        for (name, id) in packedLoose {
            let file = refPath(name)
            let removed = try LockFile.withLock(on: file) { _ -> Bool in
                guard case .direct(id)? = try? readLooseRef(name) else { return false }
                try Posix.removeFile(file)
                return true
            }
            if removed {
                result.prunedLoose += 1
                Posix.removeEmptyDirectories(from: Posix.parent(of: file), upTo: categoryDirectory(of: file))
            } else {
                result.movedMeanwhile.append(name)
            }
        }
        return result
    }

    /// What the annotated tag `id` finally points at; nil when `id` is no tag
    /// (or a tag in the chain is missing, which leaves the ref unpeeled as Git does).
    private func peeledTarget(of id: ObjectID) throws -> ObjectID? {
        var current = id
        var isTag = false
        for _ in 0..<16 {
            guard let object = try find(current), object.kind == .tag else { return isTag ? current : nil }
            isTag = true
            current = try Tag(decoding: object.body, algorithm: hashAlgorithm).object
        }
        return nil
    }
}
