import Crypto
import EcoBus
import EcoModel
import Foundation
import GRDB
import MatcherService
import Testing

/// A collector mission's delivery code is the pickup validator's to derive and check
/// (docs/decisions/0006): no hash of it is kept by the worker holding the lot, so none travels in
/// `lot.handed-over` when the lot moves (0017), and the worker that holds the lot next asks the validator.
@Suite("Collector missions' delivery codes, across a lot's handover")
struct MissionDeliveryCodeTests {
    /// A lot with a mission at its holder among workers 0 and 1, then moved to worker 2.
    static func movedMission() async throws -> (LotStream, Mission, holder: Int) {
        let stream = try LotStream(workers: 3)
        try stream.tick([0, 1])
        let lotId = try #require((0..<40).map { "lot-\($0)" }.first {
            LotHolders.holder(of: $0, members: [0, 1]) != 2 && LotHolders.holder(of: $0, members: [0, 1, 2]) == 2
        })
        try stream.publish(lotId)
        try stream.settle([0, 1, 2])
        let giver = try #require(LotHolders.holder(of: lotId, members: [0, 1]))
        let created = try await MissionBook(book: stream.workers[giver].book).create(
            MissionRequests.Create(lotId: lotId, associationId: "association", baskets: 2), now: stream.now)
        #expect(created.deliveryCode == nil, "the worker has no code to give: the validator derives it")
        try stream.tick([0, 1, 2])
        try stream.settle([0, 1, 2])
        #expect(try stream.holders(of: lotId) == [2])
        return (stream, created.mission, giver)
    }

    @Test("the handover carries the mission without any hash of its code, and the new holder checks the code with the validator")
    func handedWithoutHash() async throws {
        let (stream, mission, giver) = try await Self.movedMission()
        let payloads = try await stream.workers[giver].store.pool.read { db in
            try Data.fetchAll(db, sql: "SELECT payload FROM bus_outbox WHERE topic = ?", arguments: [LotHandedOver.topic])
        }
        let handovers = try payloads.map { try EventCodec.decoder.decode(CloudEvent<LotHandedOver>.self, from: $0).data }
        let handed = try #require(handovers.flatMap(\.missions).first { $0.mission.id == mission.id })
        #expect(handed.deliveryCodeHash.isEmpty, "no hash of the code leaves the worker: \(handed.deliveryCodeHash)")

        // The merchant validates the collector's pickup; the new holder records it.
        let reservation = try #require(try await stream.workers[2].book.reservation(id: mission.reservationId))
        try stream.pickedUp(reservation)
        try stream.settle([0, 1, 2])
        let missions = MissionBook(book: stream.workers[2].book)
        let asked = Asked()
        let refusal = RemoteError(code: PickupRequests.wrongDeliveryCode, message: "wrong", field: "deliveryCode")
        await #expect(throws: refusal) {
            try await missions.deliver(MissionRequests.Deliver(missionId: mission.id, actorId: "association", deliveryCode: "123456")) { _, _ in
                throw refusal
            }
        }
        let delivered = try await missions.deliver(MissionRequests.Deliver(missionId: mission.id, actorId: "association", deliveryCode: "654321")) { mission, legacyHash in
            await asked.record(mission.reservationId, legacyHash)
        }
        #expect(delivered.status == .delivered)
        #expect(await asked.checks == [Asked.Check(reservationId: mission.reservationId, legacyHash: nil)],
                "the validator was asked once more, for the mission's reservation and its derived code")
    }

    @Test("a mission not yet collected, or asked by someone else, is refused before the validator counts a code")
    func refusedBeforeTheCheck() async throws {
        let (stream, mission, _) = try await Self.movedMission()
        let missions = MissionBook(book: stream.workers[2].book)
        let asked = Asked()
        await #expect(throws: RemoteError.conflict("the mission is requested; it is delivered once collected")) {
            try await missions.deliver(MissionRequests.Deliver(missionId: mission.id, actorId: "association", deliveryCode: "000000")) { mission, legacyHash in
                await asked.record(mission.reservationId, legacyHash)
            }
        }
        await #expect(throws: RemoteError.notFound("no mission \(mission.id)")) {
            try await missions.deliver(MissionRequests.Deliver(missionId: mission.id, actorId: "stranger", deliveryCode: "000000")) { mission, legacyHash in
                await asked.record(mission.reservationId, legacyHash)
            }
        }
        #expect(await asked.checks.isEmpty)
        #expect(try await missions.forDeliveryCode(MissionRequests.DeliveryCodeOf(missionId: mission.id, associationId: "association")).id == mission.id)
        await #expect(throws: RemoteError.notFound("no mission \(mission.id)")) {
            try await missions.forDeliveryCode(MissionRequests.DeliveryCodeOf(missionId: mission.id, associationId: "another association"))
        }
    }

    @Test("a mission from before derived codes keeps the code it was shown: the validator checks it against the stored hash, and it is never re-issued")
    func missionFromBefore() async throws {
        let (stream, mission, _) = try await Self.movedMission()
        let store = stream.workers[2].store
        let hash = SHA256Hex.of("424242")
        try await store.pool.write { db in
            try db.execute(sql: "UPDATE missions SET delivery_code_hash = ? WHERE id = ?", arguments: [hash, mission.id])
        }
        let reservation = try #require(try await stream.workers[2].book.reservation(id: mission.reservationId))
        try stream.pickedUp(reservation)
        try stream.settle([0, 1, 2])
        let missions = MissionBook(book: stream.workers[2].book)
        await #expect(throws: RemoteError.conflict("this mission's delivery code was shown once, when it was created")) {
            try await missions.forDeliveryCode(MissionRequests.DeliveryCodeOf(missionId: mission.id, associationId: "association"))
        }
        let asked = Asked()
        let delivered = try await missions.deliver(MissionRequests.Deliver(missionId: mission.id, actorId: "association", deliveryCode: "424242")) {
            mission, legacyHash in await asked.record(mission.reservationId, legacyHash)
        }
        #expect(delivered.status == .delivered)
        #expect(await asked.checks == [Asked.Check(reservationId: mission.reservationId, legacyHash: hash)],
                "the validator checks the old code against its hash, counting wrong ones as for any code")
    }
}

/// The delivery-code checks the validator was asked for.
private actor Asked {
    struct Check: Equatable { let reservationId: String; let legacyHash: String? }
    var checks: [Check] = []
    func record(_ reservationId: String, _ legacyHash: String?) { checks.append(Check(reservationId: reservationId, legacyHash: legacyHash)) }
}

/// SHA-256 in hex, as missions from before derived codes stored their code.
private enum SHA256Hex {
    static func of(_ text: String) -> String {
        SHA256.hash(data: Data(text.utf8)).map { String(format: "%02x", $0) }.joined()
    }
}
