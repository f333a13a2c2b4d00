import Banyan
import Foundation
import Testing

/// Every error the server answers with is `{"error": {"code", "message"}}`,
/// including authentication failures and paths no route serves.
@Suite("HTTP error format")
struct ErrorFormatTests {
    static func concrete(_ template: String) -> String {
        template.replacingOccurrences(of: "{branch}", with: "main").replacingOccurrences(of: "{key}", with: "notes/a")
            .replacingOccurrences(of: "{prefix}", with: "notes")
    }

    @Test func everyDocumentedOperationAnswersAMissingOrWrongTokenWithAJSON401() async throws {
        let server = try await APIServer.start(token: "s3cret")
        defer { Task { await server.stop() } }
        #expect(OpenAPICheck.operations.count >= 13)
        for (method, template) in OpenAPICheck.operations {
            for headers in [[:], ["Authorization": "Bearer wrong"], ["Authorization": "Basic " + Data("git:wrong".utf8).base64EncodedString()]] {
                let reply = try await server.request(method, Self.concrete(template), body: Data("{}".utf8), headers: headers)
                OpenAPICheck.check(method, template, reply)
                #expect(reply.status == 401 && reply.errorCode == "unauthorized", "\(method) \(template)")
                #expect(reply.headers["www-authenticate"]?.contains("Basic realm=") == true)
            }
        }
        let basic = ["Authorization": "Basic " + Data("anyone:s3cret".utf8).base64EncodedString()]
        let reply = try await server.request("GET", "/api/v1/branches", headers: basic)
        OpenAPICheck.check("GET", "/api/v1/branches", reply)
        #expect(reply.status == 200)
    }

    @Test func gitEndpointsAnswerA401WithTheChallengeGitNeeds() async throws {
        let server = try await APIServer.start(token: "s3cret")
        defer { Task { await server.stop() } }
        let reply = try await server.request("GET", "/info/refs?service=git-upload-pack")
        #expect(reply.status == 401 && reply.errorCode == "unauthorized")
        #expect(reply.headers["www-authenticate"] == "Basic realm=\"banyan\", Bearer realm=\"banyan\"")
        OpenAPICheck.checkError(reply)
        let allowed = try await server.request("GET", "/info/refs?service=git-upload-pack", headers: ["Authorization": "Bearer s3cret"])
        #expect(allowed.status == 200 && allowed.headers["content-type"] == "application/x-git-upload-pack-advertisement")
    }

    @Test func unknownPathsAndRefusedGitRequestsAnswerJSON() async throws {
        let server = try await APIServer.start(options: .init(readOnly: true))
        defer { Task { await server.stop() } }
        for path in ["/api/v1/nope", "/api/v2/branches", "/nope"] {
            let reply = try await server.request("GET", path)
            #expect(reply.status == 404 && reply.errorCode == "notFound", "\(path)")
            OpenAPICheck.checkError(reply)
        }
        var reply = try await server.request("POST", "/git-receive-pack", body: Data("0000".utf8))
        #expect(reply.status == 403 && reply.errorCode == "readOnly")
        OpenAPICheck.checkError(reply)
        reply = try await server.request("GET", "/info/refs")
        #expect(reply.status == 403 && reply.errorCode == "unsupported")
        OpenAPICheck.checkError(reply)
    }
}
