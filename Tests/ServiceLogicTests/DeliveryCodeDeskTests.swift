import Crypto
import EcoBus
import EcoModel
import Foundation
import GRDB
import PickupValidatorService
import Testing

@Suite("DeliveryCodeDesk: collector missions' delivery codes, derived and locked after five wrong ones")
struct DeliveryCodeDeskTests {
    func desk() throws -> (DeliveryCodeDesk, PickupCodes, TemporaryStore) {
        let store = try TemporaryStore(BeneficiaryRegistry.migrations + PickupDesk.migrations + DeliveryCodeDesk.migrations, producer: "pickup-validator")
        let codes = try PickupCodes.load(store.pool)
        return (DeliveryCodeDesk(database: store.pool, codes: codes), codes, store)
    }

    static func wrong(_ left: Int) -> RemoteError {
        RemoteError(code: PickupRequests.wrongDeliveryCode, message: "the delivery code is not the association's; \(left) attempts left", field: "deliveryCode")
    }

    @Test("the code has six digits, is the same each time it is asked, and is neither the PIN nor another mission's code")
    func derived() throws {
        let (desk, codes, _) = try desk()
        let code = desk.code(for: "res-1")
        #expect(code.reservationId == "res-1" && code.code.count == 6 && code.code.allSatisfy(\.isNumber))
        #expect(desk.code(for: "res-1") == code)
        #expect(code.code != codes.pin(for: "res-1"), "another MAC than the PIN's")
        let others = Set((2..<50).map { desk.code(for: "res-\($0)").code })
        #expect(others.count > 40, "codes of other reservations differ")
        #expect(!codes.isDeliveryCode(desk.code(for: "res-2").code, for: "res-1") || desk.code(for: "res-2").code == code.code)
    }

    @Test("the right code passes; wrong ones are counted, the fifth locks the code, and then the right one is refused too")
    func lockout() async throws {
        let (desk, _, store) = try desk()
        let right = desk.code(for: "res-1").code
        let wrongCode = right == "000000" ? "111111" : "000000"
        try await desk.check(PickupRequests.DeliveryCheck(reservationId: "res-1", code: right))
        for left in (1...4).reversed() {
            await #expect(throws: Self.wrong(left)) { try await desk.check(PickupRequests.DeliveryCheck(reservationId: "res-1", code: wrongCode)) }
        }
        // Another mission's count is its own.
        try await desk.check(PickupRequests.DeliveryCheck(reservationId: "res-2", code: desk.code(for: "res-2").code))
        await #expect(throws: RemoteError(code: PickupDesk.Refusal.locked.rawValue, message: "wrong delivery code; the code is now locked")) {
            try await desk.check(PickupRequests.DeliveryCheck(reservationId: "res-1", code: wrongCode))
        }
        await #expect(throws: RemoteError(code: PickupDesk.Refusal.locked.rawValue, message: "too many wrong delivery codes; the code is locked")) {
            try await desk.check(PickupRequests.DeliveryCheck(reservationId: "res-1", code: right))
        }
        // The count survives a restart: it is in the store.
        let reloaded = DeliveryCodeDesk(database: store.pool, codes: try PickupCodes.load(store.pool))
        await #expect(throws: RemoteError(code: PickupDesk.Refusal.locked.rawValue, message: "too many wrong delivery codes; the code is locked")) {
            try await reloaded.check(PickupRequests.DeliveryCheck(reservationId: "res-1", code: right))
        }
    }

    @Test("an operator's unlock clears the wrong codes: the right code passes again, the unlock says what it cleared, and needs a reason")
    func unlock() async throws {
        let (desk, _, store) = try desk()
        let unlocks = CodeUnlockDesk(database: store.pool, logger: .init(label: "test"))
        let right = desk.code(for: "res-1").code
        let wrongCode = right == "000000" ? "111111" : "000000"
        for _ in 0..<5 { _ = try? await desk.check(PickupRequests.DeliveryCheck(reservationId: "res-1", code: wrongCode)) }
        await #expect(throws: RemoteError(code: PickupDesk.Refusal.locked.rawValue, message: "too many wrong delivery codes; the code is locked")) {
            try await desk.check(PickupRequests.DeliveryCheck(reservationId: "res-1", code: right))
        }
        await #expect(throws: RemoteError.invalid("reason", "reason must say why, in at most 500 characters")) {
            _ = try await unlocks.unlock(PickupRequests.UnlockCodes(reservationId: "res-1", reason: "  "))
        }
        let unlocked = try await unlocks.unlock(PickupRequests.UnlockCodes(reservationId: "res-1", reason: "collector checked by phone"))
        #expect(unlocked == PickupRequests.CodesUnlocked(
            reservationId: "res-1", pickupAttemptsCleared: 0, pickupWasLocked: false, deliveryAttemptsCleared: 5, deliveryWasLocked: true))
        try await desk.check(PickupRequests.DeliveryCheck(reservationId: "res-1", code: right))
        await #expect(throws: Self.wrong(4), "the count starts again from zero") {
            try await desk.check(PickupRequests.DeliveryCheck(reservationId: "res-1", code: wrongCode))
        }
        await #expect(throws: RemoteError.notFound("no pickup code or delivery code is known for reservation nobody")) {
            _ = try await unlocks.unlock(PickupRequests.UnlockCodes(reservationId: "nobody", reason: "typo"))
        }
    }

    @Test("a mission from before derived codes is checked against the hash of the code it was shown, with the same lockout")
    func legacyHash() async throws {
        let (desk, _, _) = try desk()
        let hash = SHA256.hash(data: Data("424242".utf8)).map { String(format: "%02x", $0) }.joined()
        try await desk.check(PickupRequests.DeliveryCheck(reservationId: "old", code: "424242", legacyHash: hash))
        let derived = desk.code(for: "old").code
        await #expect(throws: Self.wrong(4), "the derived code is not that mission's") {
            try await desk.check(PickupRequests.DeliveryCheck(reservationId: "old", code: derived, legacyHash: hash))
        }
        for _ in 0..<4 { _ = try? await desk.check(PickupRequests.DeliveryCheck(reservationId: "old", code: "000001", legacyHash: hash)) }
        await #expect(throws: RemoteError(code: PickupDesk.Refusal.locked.rawValue, message: "too many wrong delivery codes; the code is locked")) {
            try await desk.check(PickupRequests.DeliveryCheck(reservationId: "old", code: "424242", legacyHash: hash))
        }
    }

    @Test("a code given before a key rotation stays good until that key retires; the code given after it is good too")
    func rotation() async throws {
        let (desk, codes, store) = try desk()
        let before = desk.code(for: "res-1").code
        let now = Date()
        _ = try codes.rotate(store.pool, now: now)
        let after = desk.code(for: "res-1").code
        try await desk.check(PickupRequests.DeliveryCheck(reservationId: "res-1", code: before), now: now)
        try await desk.check(PickupRequests.DeliveryCheck(reservationId: "res-1", code: after), now: now)
        let retired = now.addingTimeInterval(PickupCodes.retirement + 1)
        #expect(codes.isDeliveryCode(after, for: "res-1", at: retired))
        #expect(before == after || !codes.isDeliveryCode(before, for: "res-1", at: retired), "until its key retires")
    }
}
