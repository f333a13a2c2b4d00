import Foundation

extension FsckRules {
    /// Checks a blob that a tree names `.gitmodules`, as Git's `fsck_blob`
    /// does: parsed as config (`gitmodulesParse` when it is not), then every
    /// `submodule.<name>.*` entry, which a later `git clone
    /// --recurse-submodules` of the history would act on:
    ///
    /// - `gitmodulesName`: an empty name or one with a `..` path component;
    /// - `gitmodulesUrl`: a URL that looks like an option (`-…`), a relative
    ///   or `git://` URL with a newline once URL-decoded or leading `../`
    ///   that escape to `:` or `/`, an `http(s)`/`ftp(s)` URL without a host;
    /// - `gitmodulesPath`: a path that looks like an option;
    /// - `gitmodulesUpdate`: `update = !command`.
    ///
    /// Findings go to `report`; the first error is thrown as `corruptObject`.
    public static func checkGitmodules(
        _ blob: RawObject, id: ObjectID, policy: FsckPolicy = FsckPolicy(), report: (FsckFinding) -> Void = { _ in }
    ) throws {
        var findings: [FsckFinding] = []
        func found(_ message: FsckMessageID, _ detail: String) {
            guard !policy.skipList.contains(id) else { return }
            let severity = policy.severity(of: message)
            guard severity != .ignore else { return }
            findings.append(FsckFinding(message: message, isError: severity == .error || severity == .fatal,
                                        kind: blob.kind, id: id, detail: detail))
        }
        if blob.kind != .blob {
            found(.gitmodulesBlob, "non-blob found at .gitmodules")
        } else if let config = try? GitConfig(parsing: String(decoding: blob.body, as: UTF8.self)) {
            for section in config.sections where section.name.lowercased() == "submodule" {
                guard let name = section.subsection else { continue }
                // Git checks the name with each entry, so it reports a bad one once per entry.
                for entry in section.entries {
                    if !isValidSubmoduleName(name) { found(.gitmodulesName, "disallowed submodule name: \(name)") }
                    guard let value = entry.value else { continue }
                    switch entry.key.lowercased() {
                    case "url" where !isValidSubmoduleURL(value): found(.gitmodulesUrl, "disallowed submodule url: \(value)")
                    case "path" where value.hasPrefix("-"): found(.gitmodulesPath, "disallowed submodule path: \(value)")
                    case "update" where value.hasPrefix("!"):
                        found(.gitmodulesUpdate, "disallowed submodule update setting: \(value)")
                    default: break
                    }
                }
            }
        } else {
            found(.gitmodulesParse, "could not parse gitmodules blob")
        }
        findings.forEach(report)
        if let error = findings.first(where: \.isError) { throw BanyanError(.corruptObject, error.description) }
    }

    /// Git's `check_submodule_name`: not empty, no `..` component (`/` and `\` both separate).
    static func isValidSubmoduleName(_ name: String) -> Bool {
        guard !name.isEmpty else { return false }
        return !name.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "/" || $0 == "\\" }).contains("..")
    }

    /// Git's `check_submodule_url`.
    static func isValidSubmoduleURL(_ url: String) -> Bool {
        if url.hasPrefix("-") { return false }
        let decoded = url.removingPercentEncoding ?? url
        if url.hasPrefix("./") || url.hasPrefix("../") || url.hasPrefix("git://") {
            if decoded.contains("\n") { return false }
            var rest = Substring(url)
            var dotdots = 0
            while true {
                if rest.hasPrefix("../") {
                    dotdots += 1
                    rest = rest.dropFirst(3)
                } else if rest.hasPrefix("./") {
                    rest = rest.dropFirst(2)
                } else {
                    break
                }
            }
            return !(dotdots > 0 && (rest.hasPrefix(":") || rest.hasPrefix("/")))
        }
        for scheme in ["http://", "https://", "ftp://", "ftps://"] where url.lowercased().hasPrefix(scheme) {
            let authority = url.dropFirst(scheme.count).prefix { $0 != "/" && $0 != "?" && $0 != "#" }
            let host = authority.split(separator: "@", omittingEmptySubsequences: false).last ?? ""
            return !host.isEmpty && !decoded.contains("\n")
        }
        return true
    }
}
