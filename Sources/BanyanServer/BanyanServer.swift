import Banyan
import BanyanSync
import Hummingbird
import Logging

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

        /// A configuration; defaults serve on 127.0.0.1:8080 without a token.
        public init(host: String = "127.0.0.1", port: Int = 8080, token: String? = nil, git: GitService.Options = .init(),
                    logLevel: Logger.Level = .warning) {
            self.host = host
            self.port = port
            self.token = token
            self.git = git
            self.logLevel = logLevel
        }
    }

    /// The router the Git endpoints were added to; add more routes before building.
    public let router: Router<BasicRequestContext>
    /// The Git service behind the endpoints.
    public let service: GitService
    /// The configuration.
    public let configuration: Configuration

    /// A router with authentication (when a token is set) and the Git endpoints for `repository`.
    public init(repository: Repository, configuration: Configuration) {
        self.configuration = configuration
        self.service = GitService(repository: repository, options: configuration.git)
        let router = Router()
        if let token = configuration.token {
            router.add(middleware: TokenAuthMiddleware(token: token))
        }
        GitHTTPRoutes.add(to: router, service: service)
        self.router = router
    }

    /// The application; `onRunning` receives the bound port once listening.
    public func application(onRunning: @escaping @Sendable (Int) async -> Void = { _ in }) -> some ApplicationProtocol {
        var logger = Logger(label: "banyan.serve")
        logger.logLevel = configuration.logLevel
        return Application(
            router: router,
            configuration: ApplicationConfiguration(address: .hostname(configuration.host, port: configuration.port),
                                                    serverName: "banyan"),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? 0) },
            logger: logger
        )
    }
}
