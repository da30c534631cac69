import Foundation

/// Where a citizen's report stands; closing needs a reason, and an admin may reopen.
public enum ReportStatus: String, Codable, Sendable, CaseIterable {
    case open, acknowledged
    case inProgress = "in_progress"
    case closed
}

/// How to reach the citizen who filed: kept by ingest and never published.
public struct ReportContact: Codable, Sendable, Equatable {
    public var email: String?
    public var name: String?
    public var phone: String?
    public init(email: String?, name: String?, phone: String?) { self.email = email; self.name = name; self.phone = phone }
}

/// A report as a citizen files it. Photos travel as separate frames (bus) or base64 (HTTP).
public struct ReportDraft: Codable, Sendable, Equatable {
    public var category: String
    public var latitude: Double
    public var longitude: Double
    public var address: String?
    public var description: String
    public var contact: ReportContact?
    /// A picture the citizen's application hosts (Open311 `media_url`); public.
    public var mediaUrl: String?
    public init(category: String, latitude: Double, longitude: Double, address: String?, description: String, contact: ReportContact?,
                mediaUrl: String? = nil) {
        self.category = category; self.latitude = latitude; self.longitude = longitude; self.address = address
        self.description = description; self.contact = contact; self.mediaUrl = mediaUrl
    }
}

/// One change of a report's status, as the public history shows it (who: the authority or "admin", never a person).
public struct ReportStatusChange: Codable, Sendable, Equatable {
    public var status: ReportStatus
    public var reason: String?
    public var by: String
    public var at: Date
    public init(status: ReportStatus, reason: String?, by: String, at: Date) { self.status = status; self.reason = reason; self.by = by; self.at = at }
}

/// A report as anyone may see it: no reporter, no contact, nothing personal.
public struct PublicReport: Codable, Sendable, Equatable {
    public var id: String
    public var category: String
    public var latitude: Double
    public var longitude: Double
    public var address: String?
    public var description: String
    public var status: ReportStatus
    /// The authority it was routed to; nil while it waits in the admin queue.
    public var jurisdictionId: String?
    /// Filings linked to it as duplicates (the first filing not counted).
    public var supporters: Int
    /// Content hashes of its photos (`GET /v1/photos/{hash}`).
    public var photos: [String]
    /// A picture hosted elsewhere, given with an Open311 filing.
    public var mediaUrl: String?
    public var filedAt: Date
    public var updatedAt: Date
    public var history: [ReportStatusChange]

    public init(id: String, category: String, latitude: Double, longitude: Double, address: String?, description: String, status: ReportStatus,
                jurisdictionId: String?, supporters: Int, photos: [String], mediaUrl: String? = nil, filedAt: Date, updatedAt: Date,
                history: [ReportStatusChange]) {
        self.id = id; self.category = category; self.latitude = latitude; self.longitude = longitude; self.address = address
        self.description = description; self.status = status; self.jurisdictionId = jurisdictionId; self.supporters = supporters
        self.photos = photos; self.mediaUrl = mediaUrl; self.filedAt = filedAt; self.updatedAt = updatedAt; self.history = history
    }
}

/// `report.filed` (a new report, routed), `report.supported` (a duplicate filing linked to it): the
/// public report after the change. Never carries personal data.
public struct ReportChanged: Codable, Sendable, Equatable {
    public static let filedTopic = "report.filed"
    public static let supportedTopic = "report.supported"
    /// The report after a person who filed it was erased: what they wrote and their photos are
    /// gone; holders of copies (authorities' systems too) replace theirs with this one.
    public static let redactedTopic = "report.redacted"
    public var report: PublicReport
    /// On `report.routed`: the jurisdiction the report was taken from, so its authority's streams
    /// and webhooks hear that it left. Nil otherwise.
    public var previousJurisdictionId: String?
    public init(report: PublicReport, previousJurisdictionId: String? = nil) {
        self.report = report
        self.previousJurisdictionId = previousJurisdictionId
    }

    /// The jurisdictions this event concerns: the report's, and the one it left if it was routed away.
    public static func concerned(jurisdictionId: String?, previousJurisdictionId: String?) -> [String] {
        var ids = jurisdictionId.map { [$0] } ?? []
        if let previous = previousJurisdictionId, previous != jurisdictionId { ids.append(previous) }
        return ids
    }
}

/// Bus requests ingest answers about environmental reports.
public enum ReportRequests {
    /// Files a report: a JSON `File` frame, then up to three photo frames.
    public static let file = "report.file"
    public static let get = "report.get"
    public static let maximumPhotos = 3
    public static let maximumPhotoBytes = 2 << 20

    public struct File: Codable, Sendable {
        public var draft: ReportDraft
        /// The signed-in account that filed, if any: kept private.
        public var reporterAccountId: String?
        /// The declared type of each photo frame, in order.
        public var photoTypes: [String]
        public init(draft: ReportDraft, reporterAccountId: String?, photoTypes: [String]) {
            self.draft = draft; self.reporterAccountId = reporterAccountId; self.photoTypes = photoTypes
        }
    }

    /// What filing did: a new report, or a link to an open one nearby (the filing counts as a supporter).
    public struct Filed: Codable, Sendable, Equatable {
        public var report: PublicReport
        public var linkedToExisting: Bool
        public var message: String
        /// This filing's own id: Open311's `token`, which leads to the report it created or supports.
        public var filingId: String?
        public init(report: PublicReport, linkedToExisting: Bool, message: String, filingId: String? = nil) {
            self.report = report; self.linkedToExisting = linkedToExisting; self.message = message; self.filingId = filingId
        }
    }

    public struct Get: Codable, Sendable {
        public var reportId: String
        public init(reportId: String) { self.reportId = reportId }
    }
}

/// `report.status_changed`: an authority (or an admin) moved the report; the public report after the change.
extension ReportChanged {
    public static let statusChangedTopic = "report.status_changed"
}

/// Bus requests about who answers for a jurisdiction and how reports move.
public enum ReportStatusRequests {
    public static let bind = "jurisdiction.bind"
    public static let change = "report.status"

    /// An admin says which organisation acts for a jurisdiction; its members update that jurisdiction's reports.
    public struct Bind: Codable, Sendable {
        public var actor: Actor
        public var jurisdictionId: String
        public var organisationId: String
        public init(actor: Actor, jurisdictionId: String, organisationId: String) {
            self.actor = actor; self.jurisdictionId = jurisdictionId; self.organisationId = organisationId
        }
    }

    public struct Bound: Codable, Sendable, Equatable {
        public var jurisdictionId: String
        public var organisationId: String
        public init(jurisdictionId: String, organisationId: String) { self.jurisdictionId = jurisdictionId; self.organisationId = organisationId }
    }

    public struct Change: Codable, Sendable {
        public var actor: Actor
        public var reportId: String
        public var status: ReportStatus
        public var reason: String?
        public init(actor: Actor, reportId: String, status: ReportStatus, reason: String?) {
            self.actor = actor; self.reportId = reportId; self.status = status; self.reason = reason
        }
    }
}

/// `report.routed`: an admin sent a report to a jurisdiction by hand (from the admin queue, or elsewhere).
extension ReportChanged {
    public static let routedTopic = "report.routed"
}

/// Bus requests about the admin queue: reports no jurisdiction took.
public enum ReportQueueRequests {
    public static let list = "report.queue"
    public static let route = "report.route"

    public struct List: Codable, Sendable {
        public var actor: Actor
        public var limit: Int
        public var offset: Int
        public init(actor: Actor, limit: Int, offset: Int) { self.actor = actor; self.limit = limit; self.offset = offset }
    }

    public struct Page: Codable, Sendable {
        public var items: [PublicReport]
        public var total: Int
        public init(items: [PublicReport], total: Int) { self.items = items; self.total = total }
    }

    public struct Route: Codable, Sendable {
        public var actor: Actor
        public var reportId: String
        public var jurisdictionId: String
        public init(actor: Actor, reportId: String, jurisdictionId: String) { self.actor = actor; self.reportId = reportId; self.jurisdictionId = jurisdictionId }
    }
}

/// The report categories a deployment offers, as the gateway publishes them (Open311 `services`).
public struct ReportService: Codable, Sendable, Equatable {
    public var code: String
    public var name: String
    public var description: String
    public init(code: String, name: String, description: String) { self.code = code; self.name = name; self.description = description }
}

extension ReportRequests {
    /// The categories of the territory ingest was started with: a `[ReportService]` reply.
    public static let services = "report.services"
}

extension ReportRequests {
    /// The territory's jurisdictions, each with whether an organisation acts for it: a
    /// `[JurisdictionInfo]` reply, by id.
    public static let jurisdictions = "report.jurisdictions"
}

/// A jurisdiction as anyone may see it (`GET /v1/jurisdictions`).
public struct JurisdictionInfo: Codable, Sendable, Equatable {
    public var id: String
    public var name: String
    /// `municipality`, `metropolis`, `regional` or `national`.
    public var level: String
    /// The report categories it handles, by code.
    public var categories: [String]
    /// Whether an organisation is bound to it, whose members answer its reports.
    public var organisationBound: Bool
    public init(id: String, name: String, level: String, categories: [String], organisationBound: Bool) {
        self.id = id; self.name = name; self.level = level; self.categories = categories; self.organisationBound = organisationBound
    }
}

extension ReportStatusRequests {
    /// Which jurisdictions the given organisations act for (every binding when `organisationIds` is
    /// nil): a `[Bound]` reply. The gateway and notifications use it to tell whether an account
    /// speaks for an authority.
    public static let bindings = "jurisdiction.bindings"

    public struct Bindings: Codable, Sendable {
        public var organisationIds: [String]?
        public init(organisationIds: [String]?) { self.organisationIds = organisationIds }
    }
}

extension ReportChanged {
    /// Every topic whose payload is a `ReportChanged`.
    public static let topics = [filedTopic, supportedTopic, statusChangedTopic, routedTopic, redactedTopic]
}

extension PublicReport {
    /// Takes out of this (possibly older) copy of the report what the `redacted` one lost when a
    /// filer was erased: the opener's text and address, and photos no longer shown. Ingest
    /// rewrites its stored events this way, and so does every holder of a copy on `report.redacted`.
    /// Returns whether anything changed.
    @discardableResult
    public mutating func redact(like redacted: PublicReport) -> Bool {
        let before = self
        if redacted.description == Erased.text {
            description = Erased.text
            address = nil
            mediaUrl = nil
        }
        photos.removeAll { !redacted.photos.contains($0) }
        return self != before
    }
}
