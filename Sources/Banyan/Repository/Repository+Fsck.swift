/// One problem `fsck` found.
public struct FsckProblem: Hashable, Sendable, CustomStringConvertible {
    /// The object the problem is about, if it is about one.
    public var id: ObjectID?
    /// What is wrong, in a sentence.
    public var message: String

    public var description: String {
        id.map { "\($0): \(message)" } ?? message
    }
}

extension Repository {
    /// Checks the whole repository: every stored object hashes to its id and
    /// passes Git's fsck rules (`FsckRules`), and everything reachable from every ref is present
    /// and of the right kind. Returns the problems found (empty when clean).
    ///
    /// Objects are listed first and the refs read afterwards, so a ref that
    /// moved meanwhile (another process writing) names objects the listing
    /// missed: those are looked up again and checked then, so fsck never
    /// calls missing an object that `get` reads.
    ///
    /// Cost: reads every object once; memory proportional to the object count.
    public func fsck() throws -> [FsckProblem] {
        var problems: [FsckProblem] = []
        var kinds: [ObjectID: ObjectKind] = [:]
        for id in try objects.allObjectIDs() {
            do {
                let raw = try objects.get(id)
                _ = try FsckRules.check(raw, id: id, algorithm: hashAlgorithm)
                kinds[id] = raw.kind
            } catch {
                problems.append(FsckProblem(id: id, message: "\(error)"))
            }
        }
        var refNames = try refs.list(prefix: "refs/")
        if let head = try refs.resolve("HEAD") { refNames.append(("HEAD", head)) }
        var visited: Set<ObjectID> = []
        for (name, id) in refNames {
            try checkReachable(id, expected: nil, from: "ref \(name)", kinds: &kinds, visited: &visited, problems: &problems)
        }
        return problems
    }

    /// The kind of `id` when it was stored after the listing, checked as
    /// the listed objects were; nil when it is absent.
    private func lateKind(_ id: ObjectID, problems: inout [FsckProblem]) -> ObjectKind? {
        do {
            guard let raw = try objects.find(id) else { return nil }
            _ = try FsckRules.check(raw, id: id, algorithm: hashAlgorithm)
            return raw.kind
        } catch {
            problems.append(FsckProblem(id: id, message: "\(error)"))
            return nil
        }
    }

    /// Walks from `start` without recursion (histories can be deep).
    private func checkReachable(
        _ start: ObjectID, expected: ObjectKind?, from origin: String,
        kinds: inout [ObjectID: ObjectKind], visited: inout Set<ObjectID>, problems: inout [FsckProblem]
    ) throws {
        var stack: [(id: ObjectID, expected: ObjectKind?, origin: String)] = [(start, expected, origin)]
        while let (id, expected, origin) = stack.popLast() {
            guard visited.insert(id).inserted else { continue }
            guard let kind = kinds[id] ?? lateKind(id, problems: &problems) else {
                let what = expected.map { "\($0)" } ?? "object"
                problems.append(FsckProblem(id: id, message: "missing \(what), referenced by \(origin)"))
                continue
            }
            kinds[id] = kind
            if let expected, expected != kind {
                problems.append(FsckProblem(id: id, message: "is a \(kind) but \(origin) expects a \(expected)"))
                continue
            }
            let here = "\(kind) \(id.hex)"
            switch kind {
            case .blob:
                break
            case .commit:
                guard let commit = try? self.commit(id) else { continue }
                stack.append((commit.tree, .tree, here))
                for parent in commit.parents { stack.append((parent, .commit, here)) }
            case .tree:
                guard let tree = try? self.tree(id) else { continue }
                for entry in tree.entries where entry.mode != .gitlink {
                    stack.append((entry.id, entry.mode.objectKind, here))
                }
            case .tag:
                guard let tag = try? self.tag(id) else { continue }
                stack.append((tag.object, tag.objectKind, here))
            }
        }
    }
}
