import Foundation
import Testing

/// Beneficiary records are scoped in the store's query: each association reads the people it
/// verified, an admin reads all, and anyone else reads none.
@Suite("Beneficiary records, scoped by who asks", .serialized)
struct BeneficiaryScopingTests {
    @Test("an association lists and reads only those it verified; another's are 404; admins see all; others 403")
    func scoped() async throws {
        let deployment = try await TestDeployment.make()
        try deployment.startAll()
        try await deployment.awaitHTTP("/readyz")
        let base = "http://127.0.0.1:\(deployment.httpPort)"
        let admin = try await HTTPSession.logIn(base, TestDeployment.adminEmail, TestDeployment.adminPassword)
        var associations: [HTTPSession] = []
        var people: [HTTPSession] = []
        for index in 0..<2 {
            let signedUp = try await HTTPSession.signUp(base, "scoping-association-\(index)@example.org")
            #expect(try await HTTP.send("POST", "\(base)/v1/admin/accounts/\(signedUp.accountID)/roles", json: ["role": "association"], token: admin.accessToken).status == 200)
            associations.append(try await HTTPSession.logIn(base, "scoping-association-\(index)@example.org"))
            let person = try await HTTPSession.signUp(base, "scoping-person-\(index)@example.org")
            let until = ISO8601DateFormatter().string(from: Date().addingTimeInterval(30 * 86_400))
            #expect(try await HTTP.send("POST", "\(base)/v1/beneficiaries/verifications", json: ["accountId": person.accountID, "validUntil": until],
                                        token: associations[index].accessToken).status == 201)
            people.append(person)
        }
        func listed(_ session: HTTPSession) async throws -> [String] {
            let reply = try await HTTP.get("\(base)/v1/beneficiaries", token: session.accessToken)
            #expect(reply.status == 200, "\(reply.text)")
            return (try reply.json()["items"] as? [[String: Any]] ?? []).compactMap { $0["accountId"] as? String }
        }
        #expect(try await listed(associations[0]) == [people[0].accountID])
        #expect(try await listed(associations[1]) == [people[1].accountID])
        #expect(Set(try await listed(admin)) == Set(people.map(\.accountID)))
        #expect(try await HTTP.get("\(base)/v1/beneficiaries/\(people[0].accountID)", token: associations[0].accessToken).status == 200)
        #expect(try await HTTP.get("\(base)/v1/beneficiaries/\(people[1].accountID)", token: associations[0].accessToken).status == 404,
                "another association's beneficiary is not even said to exist")
        #expect(try await HTTP.get("\(base)/v1/beneficiaries/\(people[1].accountID)", token: admin.accessToken).status == 200)
        #expect(try await HTTP.get("\(base)/v1/beneficiaries", token: people[0].accessToken).status == 403)
        #expect(try await HTTP.get("\(base)/v1/beneficiaries").status == 401)
        let paged = try await HTTP.get("\(base)/v1/beneficiaries?limit=1", token: admin.accessToken).json()
        #expect((paged["items"] as? [Any])?.count == 1 && paged["nextCursor"] as? String == "1")
    }
}
