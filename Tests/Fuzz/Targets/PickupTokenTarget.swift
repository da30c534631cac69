import Foundation
import PickupValidatorService

/// The pickup token, the text a counter's scanner reads from the taker's QR code (or the taker types).
/// No text but a token this key issued is taken for a reservation, and a genuine token reads back as
/// its reservation. (Decoding the QR image is the scanner's; encoding it is covered by QRCodeTests.)
enum PickupTokenTarget {
    /// The target, as `FuzzTargets.all` lists it.
    static let target = FuzzTarget(name: "pickup-token", about: "scanned pickup tokens (PickupCodes.reservationId)") { data in
        let text = String(decoding: data, as: UTF8.self)
        if let reservation = codes.reservationId(from: text) {
            let issued = codes.token(for: reservation)
            FuzzCheck.require(text.hasPrefix(reservation + ".") && text.split(separator: ".").last == issued.split(separator: ".").last, "only a token this key issued is accepted")
        }
        // Reservation ids are minted by the matcher (ASCII); any such id must round-trip.
        let reservation = String(String(decoding: data.prefix(64).filter { (0x21...0x7E).contains($0) && $0 != UInt8(ascii: ".") }, as: UTF8.self))
        guard !reservation.isEmpty else { return }
        let token = codes.token(for: reservation)
        FuzzCheck.require(codes.reservationId(from: token) == reservation, "a genuine token reads back as its reservation")
        FuzzCheck.require(codes.pin(forToken: token) == codes.pin(for: reservation), "a genuine token goes with its reservation's PIN")
    }

    private static let codes = PickupCodes(secret: Data(repeating: 7, count: 32))
}
