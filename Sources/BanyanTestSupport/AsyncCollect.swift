import Foundation

/// Collects up to `count` elements of `sequence`, giving up (and cancelling
/// the watch) after `timeout`, so a missing event fails instead of hanging.
public func collect<S: AsyncSequence & Sendable>(_ sequence: S, count: Int, timeout: Duration = .seconds(60)) async throws -> [S.Element]
where S.Element: Sendable {
    let collector = Task {
        var items: [S.Element] = []
        for try await item in sequence {
            items.append(item)
            if items.count >= count { break }
        }
        return items
    }
    let timer = Task {
        try? await Task.sleep(for: timeout)
        collector.cancel()
    }
    defer { timer.cancel() }
    return try await collector.value
}
