import EcoModel
import GatewayService
import HTTPTypes
import Testing

@Suite("Idempotency-Key: the header read, and the ids it gives")
struct IdempotencyKeyTests {
    static func fields(_ values: String...) -> HTTPFields {
        var fields = HTTPFields()
        for value in values { fields.append(HTTPField(name: IdempotencyKey.field, value: value)) }
        return fields
    }

    @Test("absent is nil; bare and quoted keys are the same key")
    func reading() throws {
        #expect(try IdempotencyKey.from(HTTPFields()) == nil)
        #expect(try IdempotencyKey.from(Self.fields("order-42"))?.value == "order-42")
        #expect(try IdempotencyKey.from(Self.fields("\"order-42\""))?.value == "order-42")
        let longest = String(repeating: "k", count: IdempotencyKey.maximumLength)
        #expect(try IdempotencyKey.from(Self.fields(longest))?.value == longest)
    }

    @Test("an empty, long, spaced, non-ASCII or repeated key is a 400 that names the header", arguments: [
        ["\"\""], [String(repeating: "k", count: IdempotencyKey.maximumLength + 1)], ["two words"], ["clé"], ["a", "b"],
    ])
    func refusals(_ values: [String]) throws {
        var fields = HTTPFields()
        for value in values { fields.append(HTTPField(name: IdempotencyKey.field, value: value)) }
        do {
            _ = try IdempotencyKey.from(fields)
            Issue.record("\(values) was accepted")
        } catch {
            #expect(error.status == .badRequest && error.body.field == "Idempotency-Key", "\(error.body)")
        }
    }

    @Test("the id is stable for one account and key, different for another account, scope or key, and a valid reservation id")
    func ids() throws {
        let key = IdempotencyKey(value: "order-42")
        let id = key.id(for: "reservation", account: "account-1")
        #expect(id == key.id(for: "reservation", account: "account-1"))
        #expect(id != key.id(for: "reservation", account: "account-2"))
        #expect(id != key.id(for: "mission", account: "account-1"))
        #expect(id != IdempotencyKey(value: "order-43").id(for: "reservation", account: "account-1"))
        // The parts are separated, so shifting a character from one to the next changes the id.
        #expect(IdempotencyKey(value: "b").id(for: "a", account: "xy") != IdempotencyKey(value: "yb").id(for: "a", account: "x"))
        #expect(ReservationRequests.isValidReservationId(id))
        let characters = Array(id)
        #expect(characters.count == 36 && characters[14] == "8", "a version 8 UUID: \(id)")
        #expect("89ab".contains(characters[19]), "the RFC 9562 variant: \(id)")
    }

    @Test("without a key each command gets a fresh id")
    func freshWithoutKey() throws {
        let first = try IdempotencyKey.mintID(HTTPFields(), scope: "reservation", account: "a")
        let second = try IdempotencyKey.mintID(HTTPFields(), scope: "reservation", account: "a")
        #expect(first != second && ReservationRequests.isValidReservationId(first))
        #expect(try IdempotencyKey.mintID(Self.fields("k"), scope: "reservation", account: "a") == IdempotencyKey(value: "k").id(for: "reservation", account: "a"))
    }
}
