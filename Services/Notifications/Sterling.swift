import Contracts

/// Amounts as a person reads them: the platform lends in pounds sterling only (docs/DECISIONS.md),
/// so an amount is written with the £ sign and its thousands grouped, `£60,000.00`, exactly as
/// the web app shows it. Worked on the decimal text, never through a float.
enum Sterling {
    static func format(_ amount: Money) -> String {
        let parts = amount.description.split(separator: ".", omittingEmptySubsequences: false)
        let whole = Array(parts[0])
        var grouped = ""
        for (index, digit) in whole.enumerated() {
            if index > 0, (whole.count - index) % 3 == 0 { grouped += "," }
            grouped.append(digit)
        }
        return "£" + grouped + "." + parts[1]
    }
}
