import Banyan
import BanyanSync
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Logging
import NIOCore
import ServiceLifecycle
import UnixSignals

/// Builds the HTTP server for one repository: Git smart HTTP at the root,
/// token authentication when configured. Later features (the REST API) add
/// routes to `router` before `application` is made.
public struct BanyanServerBuilder {
    /// Where and how to serve.
    public struct Configuration: Sendable {
        /// The address to bind (default loopback).
        public var host: String
        /// The port; 0 picks a free one.
        public var port: Int
        /// The token every request must carry, or nil for none.
        public var token: String?
        /// Options for the Git service (read-only, limits).
        public var git: GitService.Options
        /// How much the server logs (warnings by default).
        public var logLevel: Logger.Level
        /// How long a connection may send nothing, while a request is being read
        /// or between requests, before it is closed; nil for no limit. A stalled
        /// upload (slow client) ends here; a streamed response (the SSE watch) does not.
        public var idleTimeout: Duration?
        /// How long the group of ``BanyanServerBuilder/serviceGroup(stoppingOn:onRunning:)`` lets
        /// requests in flight finish after the stop signal before it closes the connections still open.
        public var shutdownGracePeriod: Duration
        /// The certificate and key to serve HTTPS with; nil serves plain HTTP.
        public var tls: TLSFiles?
        /// Whether to serve the web console (``ConsoleRoutes``) at `/`; its files load without the token.
        public var console: Bool
        /// Origins besides the server's own whose browser writes are accepted
        /// (see `BanyanServerBuilder.origin(_:)` for the form): the public
        /// origin of a reverse proxy that rewrites `Host`, such as
        /// `https://notes.example.com`. ``BanyanServerBuilder/application(onRunning:)``
        /// refuses one that is not an origin.
        public var trustedOrigins: [String] = []

        /// A configuration; defaults serve on 127.0.0.1:8080 without a token or console, closing
        /// connections idle for 60 s, and allow 3 s for requests in flight when stopped.
        public init(host: String = "127.0.0.1", port: Int = 8080, token: String? = nil, git: GitService.Options = .init(),
                    logLevel: Logger.Level = .warning, idleTimeout: Duration? = .seconds(60),
                    shutdownGracePeriod: Duration = .seconds(3), tls: TLSFiles? = nil, console: Bool = false) {
            self.host = host
            self.port = port
            self.token = token
            self.git = git
            self.logLevel = logLevel
            self.idleTimeout = idleTimeout
            self.shutdownGracePeriod = shutdownGracePeriod
            self.tls = tls
            self.console = console
        }
    }

    /// The router the Git endpoints were added to; add more routes before building.
    public let router: Router<BasicRequestContext>
    /// The Git service behind the endpoints.
    public let service: GitService
    /// The configuration.
    public let configuration: Configuration

    /// A router with JSON errors, the refusal of cross-site browser writes
    /// (`CrossOriginMiddleware`), authentication (when a token is set), the
    /// Git endpoints for `repository` and, when configured, the web console.
    public init(repository: Repository, configuration: Configuration) {
        self.configuration = configuration
        self.service = GitService(repository: repository, options: configuration.git)
        let router = Router()
        router.add(middleware: JSONErrorMiddleware())
        router.add(middleware: CrossOriginMiddleware(trustedOrigins: configuration.trustedOrigins))
        if let token = configuration.token {
            let console = configuration.console
            router.add(middleware: TokenAuthMiddleware(token: token, isPublic: { console && ConsoleRoutes.isPublic($0) }))
        }
        GitHTTPRoutes.add(to: router, service: service)
        if configuration.console { ConsoleRoutes.add(to: router) }
        self.router = router
    }

    /// The application; `onRunning` receives the bound port once listening.
    ///
    /// Run it through ``serviceGroup(stoppingOn:onRunning:)`` to get the shutdown deadline, or as
    /// a ServiceLifecycle service of your own. Throws `invalidArgument` when
    /// the configuration's TLS files do not make a server certificate, or a
    /// trusted origin is not an origin.
    public func application(onRunning: @escaping @Sendable (Int) async -> Void = { _ in }) throws -> some ApplicationProtocol {
        for origin in configuration.trustedOrigins { _ = try Self.origin(origin) }
        let logger = self.logger
        let idleTimeout = configuration.idleTimeout.map { TimeAmount.nanoseconds(Int64($0 / .nanoseconds(1))) }
        let http1 = HTTPServerBuilder.http1(configuration: .init(additionalChannelHandlers: [ParseErrorBodyHandler()], idleTimeout: idleTimeout))
        let server = try configuration.tls.map { try HTTPServerBuilder.tls(http1, tlsConfiguration: try $0.serverConfiguration()) } ?? http1
        return Application(
            router: router,
            server: server,
            configuration: ApplicationConfiguration(address: .hostname(configuration.host, port: configuration.port),
                                                    serverName: "banyan"),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? 0) },
            logger: logger
        )
    }

    /// The application in a ServiceGroup that serves until one of `signals`
    /// arrives, then shuts down gracefully; its `run()` returns after that.
    ///
    /// On the signal the server stops accepting connections and closes idle
    /// keep-alive ones; requests in flight run to their end (a write that
    /// started lands and is answered) and SSE watches end. Connections still
    /// open after ``Configuration/shutdownGracePeriod`` (a slow upload) are
    /// cancelled and closed, so `run()` returns that long after the signal at
    /// most, plus the time a handler needs to notice its cancellation. The
    /// caller then flushes its repository and exits.
    ///
    /// `run()` throws when the server cannot start (the port is taken) or
    /// fails while serving; this throws as ``application(onRunning:)`` does.
    public func serviceGroup(stoppingOn signals: [UnixSignal] = [.sigterm, .sigint],
                             onRunning: @escaping @Sendable (Int) async -> Void = { _ in }) throws -> ServiceGroup {
        var group = ServiceGroupConfiguration(services: [try application(onRunning: onRunning)],
                                              gracefulShutdownSignals: signals, logger: logger)
        group.maximumGracefulShutdownDuration = configuration.shutdownGracePeriod
        return ServiceGroup(configuration: group)
    }

    private var logger: Logger {
        var logger = Logger(label: "banyan.serve")
        logger.logLevel = configuration.logLevel
        return logger
    }
}
