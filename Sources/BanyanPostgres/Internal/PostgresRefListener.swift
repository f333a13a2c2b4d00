import Banyan
import PostgresNIO
import Dispatch
import Synchronization

/// Hears the ref changes every process makes to one store, through
/// PostgreSQL's `LISTEN` on ``PostgresBackend/refChannel``, and posts them
/// to the store's notifier: how a `banyan serve` node's watchers see a
/// write made through another node.
///
/// It keeps one connection of its own. When that connection drops (the
/// server restarts), it posts a change, so watchers re-read what they may
/// have missed, and connects again after a second, until stopped.
final class PostgresRefListener: Sendable {
    private let pool: PostgresConnectionPool
    private let storeID: Int64
    private let notifier: RefChangeNotifier
    private let connection = Mutex<PostgresConnection?>(nil)
    private let stopped = Atomic(false)

    init(pool: PostgresConnectionPool, storeID: Int64, notifier: RefChangeNotifier) {
        self.pool = pool
        self.storeID = storeID
        self.notifier = notifier
    }

    /// Connects and listens; false when the server cannot be reached now
    /// (watchers then poll, and it keeps trying in the background).
    @discardableResult
    func start() -> Bool {
        guard !stopped.load(ordering: .relaxed) else { return false }
        let connection: PostgresConnection
        do {
            connection = try pool.connect()
        } catch {
            retryLater()
            return false
        }
        do {
            let prefix = "\(storeID) "
            let notifier = notifier
            connection.addListener(channel: PostgresBackend.refChannel) { _, notification in
                if notification.payload.hasPrefix(prefix) { notifier.post(String(notification.payload.dropFirst(prefix.count))) }
            }
            _ = try connection.query("LISTEN \(unescaped: PostgresBackend.refChannel)", logger: pool.queryLogger).wait()
            self.connection.withLock { $0 = connection }
            connection.closeFuture.whenComplete { [weak self] _ in self?.connectionClosed() }
            return true
        } catch {
            PostgresConnectionPool.close(connection)
            retryLater()
            return false
        }
    }

    /// Closes the connection; nothing is posted from then on.
    func stop() {
        stopped.store(true, ordering: .relaxed)
        if let connection = connection.withLock({ $0 }) { PostgresConnectionPool.close(connection) }
    }

    private func connectionClosed() {
        guard !stopped.load(ordering: .relaxed) else { return }
        notifier.post("HEAD")
        retryLater()
    }

    private func retryLater() {
        guard !stopped.load(ordering: .relaxed) else { return }
        DispatchQueue.global().asyncAfter(deadline: .now() + 1) { [weak self] in
            guard let self, self.start() else { return }
            // Changes made while nobody listened: watchers re-read.
            self.notifier.post("HEAD")
        }
    }
}
