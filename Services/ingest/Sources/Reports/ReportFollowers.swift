import EcoBus
import EcoModel
import Foundation
import GRDB

/// Answers who follows a report (`report.followers`): each filing's account, or else its contact
/// email, once per account or address. Erased filers have neither any more.
struct ReportFollowers: Sendable {
    let database: DatabasePool

    func followers(of reportId: String) async throws -> ReportRequests.Followers {
        let rows = try await database.read { db in
            try Row.fetchAll(db, sql: "SELECT id, reporter_account_id, contact FROM report_filings WHERE report_id = ? ORDER BY filed_at, id", arguments: [reportId])
                .map { (id: $0["id"] as String, account: $0["reporter_account_id"] as String?, contact: $0["contact"] as Data?) }
        }
        var seen = Set<String>()
        var items: [ReportRequests.Follower] = []
        for row in rows {
            let email = try row.contact.flatMap { try EventCodec.decoder.decode(ReportContact.self, from: $0).email }
            let follower = row.account.map { ReportRequests.Follower(filingId: row.id, accountId: $0, email: nil) }
                ?? email.map { ReportRequests.Follower(filingId: row.id, accountId: nil, email: $0) }
            guard let follower, seen.insert(follower.accountId ?? "email:" + (follower.email ?? "").lowercased()).inserted else { continue }
            items.append(follower)
        }
        return ReportRequests.Followers(items: items)
    }

    var handlers: [String: RequestHandler] {
        [
            ReportRequests.followers: { body in
                let request = try RemoteError.decodeRequest(ReportRequests.FollowersQuery.self, body)
                return [try EventCodec.encoder.encode(try await followers(of: request.reportId))]
            },
        ]
    }
}
