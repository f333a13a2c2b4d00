import Synchronization

/// Where the objects of a repository's small packs are, in one hash map:
/// a store written one commit at a time seals a small pack per commit, and
/// between two repacks hundreds of them may wait; a lookup then costs one
/// probe instead of one binary search per pack.
///
/// Packs are added as they are sealed or listed; nothing is removed (a
/// refresh builds a new lookup). Thread-safe: the map is read and grown
/// under a mutex.
final class SmallPackLookup: Sendable {
    /// Packs with at most this many objects go in the map; bigger ones are
    /// searched through their own index (there are only logarithmically many).
    static let maximumObjects = 4096

    private struct Location {
        var pack: Int32
        var offset: UInt64
    }

    private struct State {
        var readers: [PackReader] = []
        var locations = ObjectIDMap<Location>(capacity: 256)
    }

    private let state = Mutex(State())

    /// Adds every object of `reader`; an id already present keeps its first pack.
    func add(_ reader: PackReader) {
        let index = reader.index
        state.withLock { state in
            let pack = Int32(state.readers.count)
            state.readers.append(reader)
            for position in 0..<index.count {
                state.locations.insert(index.id(at: position), Location(pack: pack, offset: index.offset(at: position)))
            }
        }
    }

    /// The pack holding `id` and where its entry starts, or nil.
    func locate(_ id: ObjectID) -> (reader: PackReader, offset: UInt64)? {
        state.withLock { state in
            state.locations[id].map { (state.readers[Int($0.pack)], $0.offset) }
        }
    }
}
