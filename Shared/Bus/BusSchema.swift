import EcoStore
import GRDB

/// The bus tables every service has in its own SQLite file: outbox, offsets (the inbox),
/// known producers and dead letters.
public enum BusSchema {
    public static let migrations: [Migration] = [
        Migration("bus.v1.outbox-offsets-deadletters") { db in
            // AUTOINCREMENT: a sequence is never reused, even after the newest rows are pruned.
            // A rolled-back insert rolls sqlite_sequence back too, so sequences stay gapless.
            try db.execute(sql: """
                CREATE TABLE bus_outbox (
                    sequence INTEGER PRIMARY KEY AUTOINCREMENT,
                    event_id TEXT NOT NULL,
                    topic TEXT NOT NULL,
                    payload BLOB NOT NULL,
                    created_at TEXT NOT NULL
                );
                CREATE TABLE bus_offsets (
                    producer TEXT PRIMARY KEY NOT NULL,
                    sequence INTEGER NOT NULL,
                    updated_at TEXT NOT NULL
                );
                CREATE TABLE bus_producers (
                    producer TEXT PRIMARY KEY NOT NULL,
                    service TEXT NOT NULL,
                    replay_endpoint TEXT NOT NULL,
                    latest INTEGER NOT NULL,
                    seen_at TEXT NOT NULL
                );
                CREATE TABLE bus_dead_letters (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    received_at TEXT NOT NULL,
                    reason_code TEXT NOT NULL,
                    reason TEXT NOT NULL,
                    producer TEXT,
                    sequence INTEGER,
                    frame_count INTEGER NOT NULL,
                    frames BLOB NOT NULL
                );
                """)
        },
    ] + OutboxCompaction.migrations + [
        // The part of a divided stream each event belongs to (`partitionkey`), so that replay can
        // serve one part's events (docs/decisions/0016).
        Migration("bus.v3.partition-key") { db in
            try db.execute(sql: "ALTER TABLE bus_outbox ADD COLUMN partition_key TEXT")
        },
    ]
}
