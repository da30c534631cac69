import EcoBus
import EcoStore
import Foundation
import GatewayService
import GRDB
import Testing

@Suite("Access token keys rotate")
struct TokenRotationTests {
    @Test("new tokens carry the newest key's id; older tokens verify until their key retires; unknown keys never")
    func rotation() async throws {
        let database = try DatabaseQueue()
        try DatabaseMigrator.named(BusSchema.migrations + GatewayService.migrations).migrate(database)
        let tokens = await TokenService(keys: try SigningSecret.loadOrCreate(database))
        let before = try await tokens.accessToken(accountID: "a", sessionID: "s")
        let first = try #require(try SigningSecret.loadOrCreate(database).first)
        #expect(TokenServiceProbe.keyID(of: before) == first.id)
        #expect(await tokens.verify(before)?.sub.value == "a")

        let now = Date()
        let (key, retiring) = try await tokens.rotate(database, now: now)
        #expect(key.id != first.id && retiring == now.addingTimeInterval(TokenService.retirement))
        let after = try await tokens.accessToken(accountID: "b", sessionID: "s2")
        #expect(TokenServiceProbe.keyID(of: after) == key.id)
        #expect(await tokens.verify(after)?.sub.value == "b")
        #expect(await tokens.verify(before, now: now.addingTimeInterval(60))?.sub.value == "a", "the old key still verifies")
        #expect(await tokens.verify(before, now: retiring.addingTimeInterval(1)) == nil, "until it retires")
        #expect(await tokens.verify(after, now: retiring.addingTimeInterval(1))?.sub.value == "b")

        // A restart reads both keys and the retirement back.
        let restarted = await TokenService(keys: try SigningSecret.loadOrCreate(database))
        #expect(await restarted.verify(after)?.sub.value == "b")
        #expect(await restarted.verify(before, now: retiring.addingTimeInterval(1)) == nil)
        // Another deployment's key is nobody's here.
        let stranger = await TokenService(keys: try SigningSecret.loadOrCreate(try DatabaseQueue.migrated()))
        #expect(await tokens.verify(try await stranger.accessToken(accountID: "x", sessionID: "y")) == nil)
    }
}

/// Reads a token's `kid` as a client would (base64url JSON header).
enum TokenServiceProbe {
    static func keyID(of token: String) -> String? {
        guard let header = token.split(separator: ".").first else { return nil }
        var base64 = header.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        return (Data(base64Encoded: base64).flatMap { try? JSONSerialization.jsonObject(with: $0) } as? [String: Any])?["kid"] as? String
    }
}

extension DatabaseQueue {
    static func migrated() throws -> DatabaseQueue {
        let database = try DatabaseQueue()
        try DatabaseMigrator.named(BusSchema.migrations + GatewayService.migrations).migrate(database)
        return database
    }
}
