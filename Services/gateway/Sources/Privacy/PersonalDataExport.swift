import EcoBus
import EcoConfig
import EcoModel
import EcoRuntime
import Foundation
import GRDB

/// `GET /v1/me/export` (GDPR Articles 15 and 20): asks every service instance what it holds about
/// the caller (`privacy.export`) and puts the answers in one JSON document. A service that does
/// not answer makes the whole export fail with 503: an export is never silently partial.
public struct PersonalDataExport: Sendable {
    let database: any DatabaseWriter
    let services: ServiceCaller
    let instances: [ServiceInstance]

    public init(database: any DatabaseWriter, services: ServiceCaller, matcherCount: Int) {
        self.database = database
        self.services = services
        self.instances = BusTopology.instances(matchers: matcherCount).filter { $0.kind != .gateway }
    }

    /// The export document, as JSON bytes.
    public func export(accountID: String, at date: Date = Date()) async throws -> Data {
        let request = PrivacyRequests.Export(accountId: accountID)
        let local = try await database.read { db in
            try GatewayService.personalData.map { ($0.section, try $0.export(accountID: accountID, in: db)) }
        }
        var sections: [String: Any] = [:]
        for (name, data) in local { sections[name] = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]) }
        var services: [String: Any] = [ServiceInstance(.gateway).name: sections]
        // Answers travel as bytes (Sendable) and are parsed once all are in.
        let answers = try await withThrowingTaskGroup(of: (String, Data).self) { group in
            for instance in instances {
                group.addTask {
                    let frames = try await self.services.frames(instance, PrivacyRequests.export, [try EventCodec.encoder.encode(request)])
                    return (instance.name, frames.first ?? Data())
                }
            }
            return try await group.reduce(into: [(String, Data)]()) { $0.append($1) }
        }
        for (name, data) in answers {
            guard let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
                throw APIError(.badGateway, code: "upstream_error", message: "\(name) sent an unreadable export")
            }
            services[name] = object["sections"] ?? [:]
        }
        let document: [String: Any] = [
            "format": "ecoresupply-personal-data/1",
            "accountId": accountID,
            "exportedAt": EventTime.format(date),
            "services": services,
        ]
        return try JSONSerialization.data(withJSONObject: document, options: [.sortedKeys, .withoutEscapingSlashes])
    }
}
