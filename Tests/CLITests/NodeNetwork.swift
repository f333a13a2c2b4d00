import BanyanTestSupport
import Foundation
import Testing

/// Where the nodes of a multi-node test run, and how a node's link is cut.
protocol NodeNetwork: Sendable {
    /// One line saying what this network is, for the test log.
    var label: String { get }
    /// True when a cut link really stops traffic (not only by the test's agreement).
    var isolates: Bool { get }
    /// The address node `node`'s server listens on.
    func host(_ node: Int) -> String
    /// The command prefix that runs a program as node `node` (inside its namespace).
    func launcher(_ node: Int) -> [String]
    /// Takes node `node`'s link down or up.
    func setLink(_ node: Int, up: Bool) throws
    /// Removes whatever was set up; safe to call more than once.
    func tearDown()
}

extension NamespaceNetwork {
    /// `count` nodes in network namespaces; when they cannot be made, nil
    /// after recording an issue naming why, unless `BANYAN_MULTINODE_LOOPBACK=1`
    /// asks for loopback instead (then a ``LoopbackNetwork``). `suite` names
    /// the test in the log.
    static func makeOrLoopback(count: Int, for suite: String) -> (any NodeNetwork)? {
        let made = make(count: count)
        guard let reason = made.reason else { return made.network }
        guard ProcessInfo.processInfo.environment["BANYAN_MULTINODE_LOOPBACK"] == "1" else {
            Issue.record("network namespaces unavailable (\(reason)); set BANYAN_MULTINODE_LOOPBACK=1 to run on loopback")
            return nil
        }
        print("\(suite): network namespaces unavailable (\(reason)); running on loopback as asked")
        return LoopbackNetwork()
    }
}

/// Every node on loopback, in the test's own network namespace. A partition
/// exists only because the test does not sync across it.
struct LoopbackNetwork: NodeNetwork {
    let label = "loopback (no network namespaces)"
    let isolates = false
    func host(_ node: Int) -> String { "127.0.0.1" }
    func launcher(_ node: Int) -> [String] { [] }
    func setLink(_ node: Int, up: Bool) throws {}
    func tearDown() {}
}

/// One network namespace per node, each with a veth pair whose other end is
/// a port of a bridge in a hub namespace: node `i` is `10.77.0.(i+1)/24` on
/// its `eth0`. Cutting a link sets the node's `eth0` down, so the node can
/// reach no one and no one reaches it.
///
/// Namespace names carry the process id and a random tag, so parallel or
/// crashed runs never collide; deleting the namespaces removes the veths and
/// the bridge with them.
struct NamespaceNetwork: NodeNetwork {
    let hub: String
    let nodes: [String]
    let isolates = true
    var label: String { "network namespaces \(nodes.joined(separator: ", ")) bridged in \(hub)" }

    static let ip = ["/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip"].first {
        FileManager.default.isExecutableFile(atPath: $0)
    }

    /// Sets up `count` nodes, or returns nil (having removed anything half made)
    /// with the reason when this machine does not allow it (not root, no `ip`,
    /// no netns support).
    static func make(count: Int) -> (network: NamespaceNetwork?, reason: String?) {
        guard getuid() == 0 else { return (nil, "not running as root") }
        guard ip != nil else { return (nil, "the `ip` command is not installed") }
        let tag = "banyan-\(getpid())-\(String(UInt32.random(in: 0..<(1 << 24)), radix: 16))"
        let network = NamespaceNetwork(hub: tag + "-hub", nodes: (0..<count).map { "\(tag)-\($0)" })
        do {
            try network.build()
            return (network, nil)
        } catch {
            network.tearDown()
            return (nil, "\(error)")
        }
    }

    private func build() throws {
        try Self.run(["netns", "add", hub])
        try Self.run(["-n", hub, "link", "add", "br0", "type", "bridge"])
        try Self.run(["-n", hub, "link", "set", "br0", "up"])
        for (index, node) in nodes.enumerated() {
            try Self.run(["netns", "add", node])
            try Self.run(["-n", node, "link", "set", "lo", "up"])
            try Self.run(["-n", node, "link", "add", "eth0", "type", "veth", "peer", "name", "port\(index)", "netns", hub])
            try Self.run(["-n", node, "addr", "add", "\(host(index))/24", "dev", "eth0"])
            try Self.run(["-n", node, "link", "set", "eth0", "up"])
            try Self.run(["-n", hub, "link", "set", "port\(index)", "master", "br0"])
            try Self.run(["-n", hub, "link", "set", "port\(index)", "up"])
        }
    }

    func host(_ node: Int) -> String { "10.77.0.\(node + 1)" }

    func launcher(_ node: Int) -> [String] { [Self.ip!, "netns", "exec", nodes[node]] }

    func setLink(_ node: Int, up: Bool) throws {
        try Self.run(["-n", nodes[node], "link", "set", "eth0", up ? "up" : "down"])
    }

    func tearDown() {
        for name in nodes + [hub] { _ = try? Self.run(["netns", "delete", name], check: false) }
    }

    @discardableResult
    private static func run(_ args: [String], check: Bool = true) throws -> GitRunner.Result {
        try ProcessRunner.run(ip!, args, check: check)
    }
}
