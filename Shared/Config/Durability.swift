/// How hard a commit is pushed to disk.
/// - `normal`: WAL with `synchronous=NORMAL`; a commit survives a process crash (the default).
/// - `full`: `synchronous=FULL`; a commit also survives a power loss, at the cost of an fsync each.
public enum Durability: String, CaseIterable, Sendable, Codable {
    case normal
    case full
}
