import EcoBus
import EcoRuntime
import EcoModel
import EcoStore
import Foundation
import GRDB

/// People's in-app inboxes. Each notification has a key made from the event that caused it and
/// the person it is for, so an event delivered again (the bus delivers at least once to handlers
/// that replay) never shows anyone the same notification twice.
public struct Inbox: Sendable {
    public static let migrations: [Migration] = [
        Migration("notifications.v1.inbox") { db in
            try db.execute(sql: """
                CREATE TABLE contacts (
                    account_id TEXT PRIMARY KEY NOT NULL,
                    email TEXT NOT NULL,
                    display_name TEXT NOT NULL
                );
                CREATE TABLE notifications (
                    id TEXT PRIMARY KEY NOT NULL,
                    account_id TEXT NOT NULL,
                    dedupe_key TEXT NOT NULL UNIQUE,
                    kind TEXT NOT NULL,
                    title TEXT NOT NULL,
                    body TEXT NOT NULL,
                    links TEXT NOT NULL,
                    created_at TEXT NOT NULL,
                    read_at TEXT
                );
                CREATE INDEX notifications_account ON notifications(account_id, created_at);
                CREATE TABLE reminders (
                    reservation_id TEXT PRIMARY KEY NOT NULL,
                    taker_id TEXT NOT NULL,
                    lot_id TEXT NOT NULL,
                    remind_at TEXT NOT NULL,
                    pickup_start TEXT NOT NULL,
                    sent INTEGER NOT NULL DEFAULT 0
                );
                CREATE INDEX reminders_due ON reminders(sent, remind_at);
                """)
        },
    ]

    public struct Message: Sendable, Equatable {
        public var accountId: String
        public var dedupeKey: String
        public var kind: String
        public var title: String
        public var body: String
        public var links: [String: String]
        /// Also sent by email when SMTP is configured (the taker's messages).
        public var byEmail: Bool = false
    }

    let database: any DatabaseWriter

    public init(database: any DatabaseWriter) { self.database = database }

    /// Adds a notification unless one with the same key exists, and queues its email when `email`
    /// is on and the message goes by email. Returns whether it was new.
    @discardableResult
    static func deliver(_ message: Message, at date: Date, email: Bool, in db: Database) throws -> Bool {
        // An event of another producer can arrive after the person was erased: nothing is kept for them.
        guard try !ErasedAccounts.contains(message.accountId, in: db) else { return false }
        let links = String(decoding: try JSONEncoder().encode(message.links), as: UTF8.self)
        try db.cachedStatement(sql: """
                INSERT OR IGNORE INTO notifications (id, account_id, dedupe_key, kind, title, body, links, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """).execute(
            arguments: [UUID().uuidString.lowercased(), message.accountId, message.dedupeKey, message.kind, message.title, message.body, links, EventTime.format(date)])
        let isNew = db.changesCount > 0
        if isNew, email, message.byEmail {
            try EmailOutbox.enqueue(
                accountId: message.accountId, dedupeKey: message.dedupeKey, subject: "EcoResupply: \(message.title)",
                body: message.body + "\n\n— EcoResupply", needsConsent: true, at: date, in: db)
        }
        return isNew
    }

    public func page(_ request: NotificationRequests.List) async throws -> NotificationRequests.Page {
        try await database.read { db in
            var sql = "SELECT * FROM notifications WHERE account_id = ?"
            var arguments: StatementArguments = [request.accountId]
            if let cursor = request.cursor {
                let parts = cursor.split(separator: "|", maxSplits: 1).map(String.init)
                guard parts.count == 2 else { throw RemoteError.invalid("cursor", "cursor is not one this API gave") }
                sql += " AND (created_at, id) < (?, ?)"
                arguments += [parts[0], parts[1]]
            }
            sql += " ORDER BY created_at DESC, id DESC LIMIT ?"
            arguments += [request.limit + 1]
            let rows = try Row.fetchAll(db, sql: sql, arguments: arguments)
            let items = rows.prefix(request.limit).map { row in
                InboxNotification(
                    id: row["id"], kind: row["kind"], title: row["title"], body: row["body"],
                    links: (try? JSONDecoder().decode([String: String].self, from: Data((row["links"] as String).utf8))) ?? [:],
                    createdAt: EventTime.parse(row["created_at"]) ?? Date(timeIntervalSince1970: 0),
                    readAt: (row["read_at"] as String?).flatMap(EventTime.parse))
            }
            let next = rows.count > request.limit ? rows[request.limit - 1] : nil
            let unread = try Int.fetchOne(db.cachedStatement(sql: "SELECT COUNT(*) FROM notifications WHERE account_id = ? AND read_at IS NULL"), arguments: [request.accountId]) ?? 0
            return NotificationRequests.Page(
                items: Array(items), nextCursor: next.map { "\($0["created_at"] as String)|\($0["id"] as String)" }, unread: unread)
        }
    }

    public func markRead(_ request: NotificationRequests.MarkRead) async throws {
        try await database.write { db in
            try db.cachedStatement(sql: "UPDATE notifications SET read_at = COALESCE(read_at, ?) WHERE id = ? AND account_id = ?").execute(
                arguments: [EventTime.format(Date()), request.notificationId, request.accountId])
            guard db.changesCount > 0 else { throw RemoteError.notFound("no notification \(request.notificationId)") }
        }
    }
}
