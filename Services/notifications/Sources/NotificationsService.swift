import EcoBus
import EcoConfig
import EcoModel
import EcoRuntime
import EcoStore
import EcoTerritory
import Foundation
import ServiceLifecycle

/// The notifications service: people's in-app inboxes and emails (reservations, reminders,
/// cancellations, no-shows, pickups, materials proposals), the community feed subscriptions, and
/// authorities' signed webhooks for their jurisdiction's reports.
public enum NotificationsService {
    /// Named migrations of this service's own tables, in order. Never edit one that has shipped.
    public static let migrations: [Migration] = Inbox.migrations + EmailOutbox.migrations + FeedSubscriptions.migrations + WebhookSchema.migrations
        + EmailConsents.migrations + ReportFollowUps.migrations

    /// The handlers, request handlers and services this process adds to the common runtime.
    /// - Parameters:
    ///   - smtp: where to send emails; nil keeps notifications in-app only.
    ///   - webhooks: the webhooks' retry pace and timeout.
    ///   - territory: its jurisdictions are the only ones webhooks may be registered for, and those with
    ///     an email address get their reports by email when SMTP is configured.
    ///   - secrets: the key webhook secrets are sealed with in the store.
    public static func parts(
        runtime: ServiceRuntime, smtp: SMTPSettings?, webhooks: WebhookSettings = WebhookSettings(), territory: Territory, secrets: WebhookSecrets
    ) throws -> ServiceParts {
        let sealed = try secrets.sealStored(in: runtime.database)
        if sealed > 0 { runtime.logger.notice("webhook secrets encrypted at rest", metadata: ["webhook.count": "\(sealed)"]) }
        let jurisdictions = Set(territory.jurisdictions.map(\.id))
        let inbox = Inbox(database: runtime.database)
        let reminders = ReminderScheduler(database: runtime.database, email: smtp != nil)
        let webhookWake = WakeSignal()
        let followUps = ReportFollowUps(
            database: runtime.database,
            followers: BusReportFollowerSource(loop: runtime.loop, ingest: runtime.config.topology.routerEndpoint(of: ServiceInstance(.ingest))),
            email: smtp != nil, logger: runtime.logger)
        var services: [any Service] = [
            PeriodicService(name: "reminders", interval: .seconds(15), logger: runtime.logger) { try await reminders.sendDue() },
            PeriodicService(name: "report follow-ups", interval: .seconds(1), logger: runtime.logger) { try await followUps.deliverDue() },
            WebhookDispatcher(
                database: runtime.database, sender: { WebhookSender(timeout: webhooks.timeout) }, settings: webhooks, wake: webhookWake, secrets: secrets,
                logger: runtime.logger),
        ]
        if let smtp {
            let sender = EmailSender(database: runtime.database, client: SMTPClient(settings: smtp), logger: runtime.logger)
            services.append(PeriodicService(name: "email sending", interval: .seconds(2), logger: runtime.logger) { try await sender.sendDue() })
            runtime.logger.info("email notifications on", metadata: ["smtp.host": "\(smtp.host)", "smtp.port": "\(smtp.port)"])
        }
        var handlers: [any EventHandler] = [EmailConsents(), ReportRedactions(database: runtime.database, logger: runtime.logger), OfferRedactions(database: runtime.database, logger: runtime.logger), NotificationRules(email: smtp != nil), MaterialNotificationRules(email: smtp != nil), WebhookFanOut(wake: webhookWake), ReportFollowUpRules()]
        if smtp != nil {
            let recipients = territory.jurisdictions.reduce(into: [String: AuthorityEmailRules.Recipient]()) { recipients, jurisdiction in
                if let email = jurisdiction.email { recipients[jurisdiction.id] = .init(name: jurisdiction.name, email: email) }
            }
            handlers.append(AuthorityEmailRules(recipients: recipients))
        }
        var parts = ServiceParts(
            handlers: handlers,
            requestHandlers: FeedSubscriptions(database: runtime.database).handlers.merging([
                NotificationRequests.list: { body in
                    guard let first = body.first, let request = try? EventCodec.decoder.decode(NotificationRequests.List.self, from: first),
                          (1...200).contains(request.limit)
                    else { throw RemoteError.badRequest("body must be {accountId, limit (1-200), cursor?}") }
                    return [try EventCodec.encoder.encode(try await inbox.page(request))]
                },
                EmailRequests.send: { body in
                    guard let first = body.first, let request = try? EventCodec.decoder.decode(EmailRequests.Send.self, from: first),
                          !request.dedupeKey.isEmpty, request.subject.count <= 200, request.body.count <= 20_000
                    else { throw RemoteError.badRequest("body must be {accountId, recipient?, dedupeKey, subject (≤ 200), body (≤ 20000)}") }
                    try await runtime.database.write { db in try EmailConsents.queue(request, in: db) }
                    return [try EventCodec.encoder.encode(EmailRequests.Queued(queued: true))]
                },
                NotificationRequests.markRead: { body in
                    guard let first = body.first, let request = try? EventCodec.decoder.decode(NotificationRequests.MarkRead.self, from: first) else {
                        throw RemoteError.badRequest("body must be {accountId, notificationId}")
                    }
                    try await inbox.markRead(request)
                    return [Data("{}".utf8)]
                },
            ]) { first, _ in first }
                .merging(WebhookRegistry(database: runtime.database, jurisdictions: jurisdictions, secrets: secrets).handlers) { first, _ in first },
            services: services,
            personalData: [RecipientData()],
            retention: [WebhookDeliveryRetention(), EmailBodyRetention()])
        // It keeps copies of ingest's reports: an erasure is done here once ingest's redactions are applied.
        parts.erasureAwaits = [ServiceInstance(.ingest)]
        return parts
    }
}
