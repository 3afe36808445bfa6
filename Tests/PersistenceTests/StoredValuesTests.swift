import Contracts
import Foundation
import Persistence
import PostgresNIO
import TestSupport
import Testing

/// The contract's values as PostgreSQL stores them: what goes in comes back the same, and what
/// the code cannot read is an `UnreadableRow`, never a default.
@Suite struct StoredValuesTests {
    @Test func moneyPercentDatesAndStatusesRoundTrip() async throws {
        try await withTestDatabase { database in
            let dates = ["1899-12-31", "1999-12-31", "2000-01-01", "2000-02-29", "2024-02-29", "2026-12-07", "2100-03-01"]
                .compactMap(CalendarDate.init)
            #expect(dates.count == 7)
            for date in dates {
                let amount = Money("1234567.89")!
                let rate = Percent("11.50")!
                let status = ApplicationStatus.pendingApproval
                let rows = try await database.client.query(
                    "SELECT \(amount)::numeric(18,2), \(rate)::numeric(5,2), \(date)::date, \(date)::date::text, \(status)::text",
                    logger: database.logger)
                for try await (readAmount, readRate, readDate, text, readStatus) in rows.decode(
                    (Money, Percent, CalendarDate, String, ApplicationStatus).self)
                {
                    #expect(readAmount == amount && readRate == rate && readStatus == status)
                    #expect(readDate == date, "\(date) came back as \(readDate)")
                    #expect(text == date.description, "PostgreSQL read the bound date as \(text)")
                }
            }
        }
    }

    @Test func aValueTheCodeDoesNotKnowIsAnUnreadableRow() async throws {
        try await withTestDatabase { database in
            let unknownStatus = await #expect(throws: (any Error).self) {
                for try await _ in try await database.client.query("SELECT 'lost'::text", logger: database.logger)
                    .decode(ApplicationStatus.self)
                {}
            }
            #expect(unknownStatus.flatMap(UnreadableRow.init)?.description.contains("ApplicationStatus") == true)
            let endOfTime = await #expect(throws: (any Error).self) {
                for try await _ in try await database.client.query("SELECT 'infinity'::date", logger: database.logger)
                    .decode(CalendarDate.self)
                {}
            }
            #expect(endOfTime.flatMap(UnreadableRow.init) != nil)
            #expect(UnreadableRow(CancellationError()) == nil, "other errors are not unreadable rows")
        }
    }
}
