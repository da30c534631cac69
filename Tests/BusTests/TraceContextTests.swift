import EcoBus
import Foundation
import Testing

/// `TraceContext` reads and writes W3C Trace Context `traceparent` values as the specification
/// says (https://www.w3.org/TR/trace-context/#traceparent-header), on its own examples.
@Suite("W3C traceparent")
struct TraceContextTests {
    static let example = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"

    @Test("the specification's example is read into its three fields and written back the same")
    func example() throws {
        let trace = try #require(TraceContext(traceparent: Self.example))
        #expect(trace.traceID == "4bf92f3577b34da6a3ce929d0e0e4736")
        #expect(trace.parentID == "00f067aa0ba902b7")
        #expect(trace.flags == 1)
        #expect(trace.traceparent == Self.example)
        let unsampled = try #require(TraceContext(traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00"))
        #expect(unsampled.flags == 0 && unsampled.traceparent.hasSuffix("-00"))
    }

    @Test("values the specification says to ignore are refused", arguments: [
        "00-00000000000000000000000000000000-00f067aa0ba902b7-01",  // trace id all zero
        "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",  // parent id all zero
        "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",  // version ff is invalid
        "00-4BF92F3577B34DA6A3CE929D0E0E4736-00F067AA0BA902B7-01",  // uppercase
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra",  // version 00 has exactly four fields
        "00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01",  // trace id too short
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b-01",  // parent id too short
        "0-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        "00_4bf92f3577b34da6a3ce929d0e0e4736_00f067aa0ba902b7_01",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0g",
        "zz-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        "",
    ])
    func refused(_ value: String) {
        #expect(TraceContext(traceparent: value) == nil, "\(value)")
    }

    @Test("a later version is read by its version 00 fields, with or without more after them")
    func laterVersion() throws {
        let later = try #require(TraceContext(traceparent: "cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-what-the-future-will-be-like"))
        #expect(later.traceID == "4bf92f3577b34da6a3ce929d0e0e4736")
        #expect(later.traceparent == Self.example)
        #expect(TraceContext(traceparent: "cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01") != nil)
        #expect(TraceContext(traceparent: "cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01x") == nil)
        // Flags other than "sampled" are reserved: they are not passed on.
        let reserved = try #require(TraceContext(traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-ff"))
        #expect(reserved.flags == 1 && reserved.child().traceparent.hasSuffix("-01"))
    }

    @Test("a started trace is valid and new; a child keeps the trace id and flags with a new parent id")
    func startAndChild() throws {
        let first = TraceContext.start(), second = TraceContext.start()
        #expect(TraceContext(traceparent: first.traceparent) == first)
        #expect(first.traceID != second.traceID)
        let child = first.child()
        #expect(child.traceID == first.traceID && child.flags == first.flags && child.parentID != first.parentID)
        #expect(TraceContext(traceparent: child.traceparent) == child)
    }

    @Test("a request's kind frame carries the trace after the kind; a frame with the kind alone reads as before")
    func kindFrame() throws {
        let trace = try #require(TraceContext(traceparent: Self.example))
        let frame = RequestKindFrame.encode(kind: "lot.create", trace: trace)
        #expect(String(decoding: frame, as: UTF8.self) == "lot.create traceparent=\(Self.example)")
        let read = try #require(RequestKindFrame.decode(frame))
        #expect(read.kind == "lot.create" && read.trace == trace)
        let plain = try #require(RequestKindFrame.decode(Data("bus.replay".utf8)))
        #expect(plain.kind == "bus.replay" && plain.trace == nil)
        #expect(RequestKindFrame.encode(kind: "bus.replay", trace: nil) == Data("bus.replay".utf8))
        // An attribute it does not know is ignored, a traceparent it cannot read is dropped.
        let other = try #require(RequestKindFrame.decode(Data("lot.get deadline=5 traceparent=00-zz".utf8)))
        #expect(other.kind == "lot.get" && other.trace == nil)
        #expect(RequestKindFrame.decode(Data(" lot.get".utf8)) == nil)
        #expect(RequestKindFrame.decode(Data()) == nil)
        #expect(RequestKindFrame.decode(Data([0xff, 0xfe])) == nil)
    }
}
