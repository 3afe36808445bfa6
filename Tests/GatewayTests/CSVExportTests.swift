import Testing

@testable import Gateway

@Suite struct CSVExportTests {
    @Test func fieldsAreQuotedAsRFC4180SaysAndFormulasAreDisarmed() {
        #expect(CSVExport.line(["plain", "12.50", "-3.00"]) == "plain,12.50,-3.00\r\n")
        #expect(CSVExport.line(["a,b", "say \"hi\"", "two\nlines"]) == "\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\"\r\n")
        #expect(CSVExport.line(["=HYPERLINK(1)", "@SUM(A1)", "+1+1"]) == "'=HYPERLINK(1),'@SUM(A1),'+1+1\r\n")
    }
}
