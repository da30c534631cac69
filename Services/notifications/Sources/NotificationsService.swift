import EcoBus
import EcoModel
import EcoRuntime
import EcoStore
import Foundation
import ServiceLifecycle

/// The notifications service: people's in-app inboxes and emails (reservations, reminders,
/// cancellations, no-shows, pickups, materials proposals) and the community feed subscriptions. Email and signed webhooks come with later capabilities.
public enum NotificationsService {
    /// Named migrations of this service's own tables, in order. Never edit one that has shipped.
    public static let migrations: [Migration] = Inbox.migrations + EmailOutbox.migrations + FeedSubscriptions.migrations

    /// The handlers, request handlers and services this process adds to the common runtime.
    /// - Parameter smtp: where to send emails; nil keeps notifications in-app only.
    public static func parts(runtime: ServiceRuntime, smtp: SMTPSettings?) -> ServiceParts {
        let inbox = Inbox(database: runtime.database)
        let reminders = ReminderScheduler(database: runtime.database, email: smtp != nil)
        var services: [any Service] = [
            PeriodicService(name: "reminders", interval: .seconds(15), logger: runtime.logger) { try await reminders.sendDue() },
        ]
        if let smtp {
            let sender = EmailSender(database: runtime.database, client: SMTPClient(settings: smtp), logger: runtime.logger)
            services.append(PeriodicService(name: "email sending", interval: .seconds(2), logger: runtime.logger) { try await sender.sendDue() })
            runtime.logger.info("email notifications on", metadata: ["smtp.host": "\(smtp.host)", "smtp.port": "\(smtp.port)"])
        }
        return ServiceParts(
            handlers: [NotificationRules(email: smtp != nil), MaterialNotificationRules(email: smtp != nil)],
            requestHandlers: FeedSubscriptions(database: runtime.database).handlers.merging([
                NotificationRequests.list: { body in
                    guard let first = body.first, let request = try? EventCodec.decoder.decode(NotificationRequests.List.self, from: first),
                          (1...200).contains(request.limit)
                    else { throw RemoteError.badRequest("body must be {accountId, limit (1-200), cursor?}") }
                    return [try EventCodec.encoder.encode(try await inbox.page(request))]
                },
                NotificationRequests.markRead: { body in
                    guard let first = body.first, let request = try? EventCodec.decoder.decode(NotificationRequests.MarkRead.self, from: first) else {
                        throw RemoteError.badRequest("body must be {accountId, notificationId}")
                    }
                    try await inbox.markRead(request)
                    return [Data("{}".utf8)]
                },
            ]) { first, _ in first },
            services: services)
    }
}
