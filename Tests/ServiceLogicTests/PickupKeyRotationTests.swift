import Foundation
import GRDB
import PickupValidatorService
import Testing

@Suite("Pickup-code keys rotate")
struct PickupKeyRotationTests {
    @Test("codes of the first key keep their form; after a rotation new codes name their key, old ones work until the old key retires")
    func rotation() throws {
        let store = try TemporaryStore(BeneficiaryRegistry.migrations + PickupDesk.migrations, producer: "pickup-validator")
        let codes = try PickupCodes.load(store.pool)
        let old = codes.token(for: "res-1")
        let oldPin = codes.pin(for: "res-1")
        #expect(old.split(separator: ".").count == 2, "k1 tokens are <id>.<mac>, as before rotation existed")
        #expect(try PickupCodes.load(store.pool).token(for: "res-1") == old, "the same code after a restart")

        let now = Date()
        let id = try codes.rotate(store.pool, now: now)
        #expect(id == "k2")
        let new = codes.token(for: "res-1")
        #expect(new.split(separator: ".").map(String.init)[1] == "k2" && new != old)
        #expect(codes.reservationId(from: new) == "res-1" && codes.pin(forToken: new) == codes.pin(for: "res-1"))
        #expect(codes.reservationId(from: old) == "res-1" && codes.pin(forToken: old) == oldPin, "the old code still works")
        let retired = now.addingTimeInterval(PickupCodes.retirement + 1)
        #expect(codes.reservationId(from: old, at: retired) == nil, "until its key retires")
        #expect(codes.reservationId(from: new, at: retired) == "res-1")

        // A forged key id, or a token moved to another key, is nobody's.
        let mac = String(new.split(separator: ".")[2])
        #expect(codes.reservationId(from: "res-1.k1.\(mac)") == nil)
        #expect(codes.reservationId(from: "res-1.k9.\(mac)") == nil)
        let reloaded = try PickupCodes.load(store.pool)
        #expect(reloaded.token(for: "res-1") == new && reloaded.reservationId(from: old, at: retired) == nil)
    }
}
