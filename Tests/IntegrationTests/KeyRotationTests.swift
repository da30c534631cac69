import Foundation
import Testing

/// `ecoresupply keys rotate` on a running deployment: new access tokens and pickup codes use the
/// new keys at once, and what the old keys signed keeps working (until they retire: unit tests).
@Suite("Key rotation on a running deployment", .serialized)
struct KeyRotationTests {
    @Test("after keys rotate, tokens and pickup codes from before still work, and new ones carry the new key")
    func rotateRunning() async throws {
        let deployment = try await TestDeployment.make()
        try deployment.startAll()
        try await deployment.awaitHTTP("/readyz")
        let base = "http://127.0.0.1:\(deployment.httpPort)"
        let merchant = try await HTTPSession.signUp(base, "rotation-shop@example.org", roles: ["merchant"])
        let customer = try await HTTPSession.signUp(base, "rotation-customer@example.org")
        let lot = try await HTTP.send("POST", "\(base)/v1/lots", json: LotsTests.lot(title: "Rotation lot", baskets: 2, startIn: -600), token: merchant.accessToken)
        let lotID = try #require(try lot.json()["id"] as? String, "\(lot.text)")
        let reserved = try await HTTP.send("POST", "\(base)/v1/lots/\(lotID)/reservations", json: ["baskets": 1], token: customer.accessToken)
        let reservationID = try #require((try reserved.json()["reservation"] as? [String: Any])?["id"] as? String, "\(reserved.text)")
        let before = try #require(try reserved.json()["pickupCode"] as? [String: Any])

        let rotate = try ServiceProcess(
            name: "keys", executable: deployment.binaries.appendingPathComponent("ecoresupply"),
            arguments: ["keys", "rotate", "--bus-port", "\(deployment.topology.busPort)"], logURL: deployment.root.appendingPathComponent("keys.log"))
        _ = try await eventually("keys rotate to finish", timeout: .seconds(30)) { rotate.isRunning ? nil : true }
        #expect(rotate.process.terminationStatus == 0, "\(rotate.logTail())")
        let printed = try String(contentsOf: deployment.root.appendingPathComponent("keys.log"), encoding: .utf8)
        #expect(printed.contains("gateway: access tokens now signed with key") && printed.contains("pickup-validator: pickup codes now signed with key k2"), "\(printed)")

        // Tokens from before still open the API; a new sign-in gets a token of the new key.
        #expect(try await HTTP.get("\(base)/v1/me", token: customer.accessToken).status == 200)
        let fresh = try await HTTPSession.logIn(base, "rotation-customer@example.org")
        #expect(Self.keyID(fresh.accessToken) != Self.keyID(customer.accessToken))
        #expect(try await HTTP.get("\(base)/v1/me", token: fresh.accessToken).status == 200)

        // The pickup code asked for now names the new key; the one from before still passes the counter.
        let now = try await HTTP.get("\(base)/v1/reservations/\(reservationID)/pickup-code", token: fresh.accessToken).json()
        let newToken = try #require(now["token"] as? String)
        #expect(newToken.split(separator: ".").count == 3 && newToken.contains(".k2."), "\(newToken)")
        let validated = try await HTTP.send("POST", "\(base)/v1/pickups/validate", json: ["token": before["token"] ?? "", "pin": before["pin"] ?? ""],
                                            token: merchant.accessToken)
        #expect(validated.status == 200, "\(validated.text)")

        // A deployment that is not there is named in the error.
        let missing = try ServiceProcess(
            name: "keys-missing", executable: deployment.binaries.appendingPathComponent("ecoresupply"),
            arguments: ["keys", "rotate", "--bus-port", "1"], logURL: deployment.root.appendingPathComponent("keys-missing.log"))
        _ = try await eventually("keys rotate to give up", timeout: .seconds(30)) { missing.isRunning ? nil : true }
        #expect(missing.process.terminationStatus != 0)
        _ = deployment.stopAll()
    }

    static func keyID(_ token: String) -> String? {
        guard let header = token.split(separator: ".").first else { return nil }
        var base64 = header.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        return (Data(base64Encoded: base64).flatMap { try? JSONSerialization.jsonObject(with: $0) } as? [String: Any])?["kid"] as? String
    }
}
