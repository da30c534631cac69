import GatewayService
import Testing

/// The gateway's `/metrics` merges every service's own exposition: each family once, every sample
/// labelled with the service it came from.
@Suite("PrometheusMerge: every service's counters in one exposition")
struct PrometheusMergeTests {
    @Test("a family two services have is written once, with both services' samples labelled; labels and histograms keep theirs")
    func merge() {
        let ingest = """
            # TYPE ecoresupply_retention_purged_total counter
            ecoresupply_retention_purged_total{job="dead_letters"} 3
            ecoresupply_retention_purged_total{job="superseded_report_events"} 0
            # TYPE ecoresupply_http_seconds histogram
            ecoresupply_http_seconds_bucket{le="0.1"} 2
            ecoresupply_http_seconds_sum 0.15
            ecoresupply_http_seconds_count 2

            """
        let matcher = """
            # HELP ecoresupply_retention_purged_total Rows purged.
            # TYPE ecoresupply_retention_purged_total counter
            ecoresupply_retention_purged_total{job="dead_letters"} 1
            # TYPE ecoresupply_materials_ticks_applied_total counter
            ecoresupply_materials_ticks_applied_total 7
            """
        let merged = PrometheusMerge.merge([("ingest", ingest), ("matcher-0", matcher)])
        #expect(merged == """
            # TYPE ecoresupply_retention_purged_total counter
            # HELP ecoresupply_retention_purged_total Rows purged.
            ecoresupply_retention_purged_total{service="ingest",job="dead_letters"} 3
            ecoresupply_retention_purged_total{service="ingest",job="superseded_report_events"} 0
            ecoresupply_retention_purged_total{service="matcher-0",job="dead_letters"} 1
            # TYPE ecoresupply_http_seconds histogram
            ecoresupply_http_seconds_bucket{service="ingest",le="0.1"} 2
            ecoresupply_http_seconds_sum{service="ingest"} 0.15
            ecoresupply_http_seconds_count{service="ingest"} 2
            # TYPE ecoresupply_materials_ticks_applied_total counter
            ecoresupply_materials_ticks_applied_total{service="matcher-0"} 7

            """)
    }

    @Test("nothing in, nothing out; a sample with empty braces gets the label inside them")
    func edges() {
        #expect(PrometheusMerge.merge([]) == "")
        #expect(PrometheusMerge.merge([("gateway", "# TYPE up gauge\nup{} 1\n")]) == "# TYPE up gauge\nup{service=\"gateway\"} 1\n")
    }
}
