import EcoBus
import EcoModel
import Foundation
import GRDB

/// Who hears about the materials exchange: both sides of each proposal as it moves, and feed
/// subscribers when a listing is shared. Runs inside the consumer's transaction.
public struct MaterialNotificationRules: EventHandler {
    let email: Bool

    public init(email: Bool) { self.email = email }

    public var topicPrefixes: [String] { ["proposal.", ListingShared.topic, OperationCompleted.topic] }

    public func apply(_ event: ReceivedEvent, in db: Database) throws {
        let now = Date()
        switch event.type {
        case ProposalChanged.createdTopic, ProposalChanged.confirmedTopic, ProposalChanged.declinedTopic, ProposalChanged.expiredTopic:
            let proposal = try event.decodeData(ProposalChanged.self).proposal
            let step = String(event.type.dropFirst("proposal.".count))
            let (title, body) = Self.text(step, proposal)
            for account in Set([proposal.giverId, proposal.takerId]) {
                try Inbox.deliver(.init(
                    accountId: account, dedupeKey: "\(proposal.id):\(step):\(account)", kind: event.type, title: title, body: body,
                    links: ["proposalId": proposal.id, "listingId": proposal.listingId, "demandId": proposal.demandId], byEmail: true),
                    at: now, email: email, in: db)
            }
        case ListingShared.topic:
            let shared = try event.decodeData(ListingShared.self)
            for subscription in try FeedSubscriptions.matching(shared.listing, in: db) where subscription.accountId != shared.listing.companyId {
                try Inbox.deliver(.init(
                    accountId: subscription.accountId, dedupeKey: Self.sharedKey(shared.listing.id, subscription.accountId), kind: ListingShared.topic,
                    title: Self.sharedTitle(shared.listing),
                    body: "\(NotificationRules.number(shared.remainingKg)) kg (\(shared.listing.lerCode)) shared with the community.",
                    links: ["listingId": shared.listing.id]), at: now, email: email, in: db)
            }
        case OperationCompleted.topic:
            let operation = try event.decodeData(OperationCompleted.self)
            for account in Set([operation.giverId, operation.takerId]) {
                try Inbox.deliver(.init(
                    accountId: account, dedupeKey: "\(operation.operationId):completed:\(account)", kind: OperationCompleted.topic,
                    title: "Handover validated",
                    body: "\(NotificationRules.number(operation.quantityKg)) kg reused; about \(NotificationRules.number(operation.co2eAvoidedKg)) kg CO2e avoided.",
                    links: ["proposalId": operation.operationId, "listingId": operation.listingId]), at: now, email: email, in: db)
            }
        default:
            break
        }
    }

    /// The inbox key of a shared listing's notice to one subscriber.
    static func sharedKey(_ listingId: String, _ accountId: String) -> String { "\(listingId):shared:\(accountId)" }

    /// The title of a shared listing's notice: it shows the listing's title.
    static func sharedTitle(_ listing: Listing) -> String { "Available near you: \(listing.draft.title)" }

    static func text(_ step: String, _ proposal: MaterialProposal) -> (String, String) {
        let quantity = "\(NotificationRules.number(proposal.quantityKg)) kg of \(proposal.lerCode)"
        switch step {
        case "created":
            return ("Match proposed", "\(quantity), \(NotificationRules.number(proposal.distanceKm)) km apart, pickup between \(NotificationRules.time(proposal.pickupFrom)) and \(NotificationRules.time(proposal.pickupUntil)). Accept or decline before \(NotificationRules.time(proposal.expiresAt)).")
        case "confirmed":
            return ("Match confirmed", "\(quantity): both sides accepted. The taker shows the QR code and PIN at the handover.")
        case "declined":
            return ("Match declined", "\(quantity): the proposal was declined.")
        default:
            if proposal.listingAccepted, proposal.demandAccepted {
                return ("Handover missed", "\(quantity): the pickup window ended without a handover; the quantity is offered again.")
            }
            return ("Match expired", "\(quantity): the proposal was not answered in time.")
        }
    }
}
