import EcoBus
import Foundation
import GRDB
import Logging

/// Sends the "30 minutes before your pickup" reminders when they fall due.
public struct ReminderScheduler: Sendable {
    let database: any DatabaseWriter
    let email: Bool

    public init(database: any DatabaseWriter, email: Bool) {
        self.database = database
        self.email = email
    }

    @discardableResult
    public func sendDue(now: Date = Date()) async throws -> Int {
        let email = self.email
        return try await database.write { db in
            let due = try Row.fetchAll(
                db.cachedStatement(sql: "SELECT * FROM reminders WHERE sent = 0 AND remind_at <= ?"), arguments: [EventTime.format(now)])
            for row in due {
                let start = EventTime.parse(row["pickup_start"]) ?? now
                try Inbox.deliver(.init(
                    accountId: row["taker_id"], dedupeKey: "\(row["reservation_id"] as String):reminder:taker", kind: "reservation.reminder",
                    title: "Pickup soon", body: "Your pickup window opens at \(NotificationRules.time(start)).",
                    links: ["reservationId": row["reservation_id"], "lotId": row["lot_id"]], byEmail: true), at: now, email: email, in: db)
                try db.cachedStatement(sql: "UPDATE reminders SET sent = 1 WHERE reservation_id = ?").execute(arguments: [row["reservation_id"] as String])
            }
            return due.count
        }
    }
}
