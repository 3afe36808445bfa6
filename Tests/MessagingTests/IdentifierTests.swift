import Foundation
import Messaging
import Testing

/// The ids every message and request carries: trace contexts (W3C `traceparent`) and random UUIDs.
@Suite struct IdentifierTests {
    @Test func aNewTraceHasWellFormedIDsThatSurviveTheHeader() throws {
        let trace = TraceContext.root()
        #expect(trace.traceID.count == 32)
        #expect(trace.spanID.count == 16)
        #expect(trace.traceID.allSatisfy { "0123456789abcdef".contains($0) })
        #expect(trace.spanID.allSatisfy { "0123456789abcdef".contains($0) })
        let parsed = try #require(TraceContext(traceparent: trace.traceparent))
        #expect(parsed == trace)
    }

    @Test func aChildKeepsTheTraceAndTakesANewSpan() {
        let parent = TraceContext.root()
        let child = parent.child()
        #expect(child.traceID == parent.traceID)
        #expect(child.spanID != parent.spanID)
        #expect(Set((0..<100).map { _ in TraceContext.root().traceID }).count == 100)
    }

    @Test(arguments: [
        "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",  // upper case
        "00-00000000000000000000000000000000-00f067aa0ba902b7-01",  // all-zero trace id
        "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",  // all-zero span id
        "00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01",  // short trace id
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902g7-01",  // not hex
        "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",  // unknown version
    ])
    func aMalformedTraceparentIsRefused(_ header: String) {
        #expect(TraceContext(traceparent: header) == nil)
    }

    @Test func aValidTraceparentIsRead() throws {
        let trace = try #require(TraceContext(traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00"))
        #expect(trace.traceID == "4bf92f3577b34da6a3ce929d0e0e4736")
        #expect(trace.spanID == "00f067aa0ba902b7")
        #expect(!trace.sampled)
    }

    @Test func randomUUIDsAreVersion4AndDistinct() {
        let ids = (0..<1000).map { _ in UUID.random() }
        #expect(Set(ids).count == 1000)
        for id in ids {
            #expect(id.uuid.6 >> 4 == 4)
            #expect(id.uuid.8 >> 6 == 0b10)
        }
    }
}
