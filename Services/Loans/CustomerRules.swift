import Contracts
import Foundation

/// What makes each section of a customer's file acceptable. Pure; unit tested.
enum CustomerRules {
    static let minimumAge = 18
    static let maximumAge = 120

    static func problems(_ profile: PersonalDetails, today: CalendarDate = .today) -> [Problem.FieldError] {
        var problems: [Problem.FieldError] = []
        let name = profile.fullName.trimmingCharacters(in: .whitespacesAndNewlines)
        if name.isEmpty || name.count > 200 { problems.append(.init(field: "full_name", message: "must be 1 to 200 characters")) }
        if !isE164(profile.phone) { problems.append(.init(field: "phone", message: "must be an E.164 number such as +14155550123")) }
        let age = profile.dateOfBirth.years(until: today)
        if age < minimumAge { problems.append(.init(field: "date_of_birth", message: "must be at least \(minimumAge) years ago")) }
        if age > maximumAge { problems.append(.init(field: "date_of_birth", message: "must be a real date of birth")) }
        let address = profile.address.trimmingCharacters(in: .whitespaces)
        if address.isEmpty || address.count > 300 || address.contains(where: \.isNewline) {
            problems.append(.init(field: "address", message: "must be one line of 1 to 300 characters"))
        }
        if let id = profile.nationalID,
            !(4...32).contains(id.count) || !id.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") })
        {
            problems.append(.init(field: "national_id", message: "must be 4 to 32 letters, digits or dashes"))
        }
        return problems
    }

    static func problems(_ financial: FinancialDetails) -> [Problem.FieldError] {
        let limit = CalculatorOperations.largestAmount
        return [
            ("monthly_income", financial.monthlyIncome), ("monthly_expenses", financial.monthlyExpenses),
            ("existing_monthly_debt", financial.existingMonthlyDebt),
        ].compactMap { field, amount in
            amount > limit ? Problem.FieldError(field: field, message: "must be at most \(limit)") : nil
        }
    }

    static func problems(_ employment: EmploymentDetails) -> [Problem.FieldError] {
        var problems: [Problem.FieldError] = []
        if !(0...70).contains(employment.yearsEmployed) {
            problems.append(.init(field: "years_employed", message: "must be between 0 and 70"))
        }
        let working = employment.employmentType == .salaried || employment.employmentType == .selfEmployed
        let employer = employment.employer?.trimmingCharacters(in: .whitespaces) ?? ""
        if employment.employmentType == .salaried, employer.isEmpty {
            problems.append(.init(field: "employer", message: "is required when salaried"))
        }
        if !working, employment.yearsEmployed != 0 {
            problems.append(.init(field: "years_employed", message: "must be 0 unless salaried or self-employed"))
        }
        for (field, text) in [("employer", employment.employer), ("job_title", employment.jobTitle)] {
            if let text, text.count > 200 { problems.append(.init(field: field, message: "must be at most 200 characters")) }
        }
        return problems
    }

    private static func isE164(_ phone: String) -> Bool {
        guard phone.hasPrefix("+") else { return false }
        let digits = phone.dropFirst()
        return (8...15).contains(digits.count) && digits.allSatisfy { $0.isASCII && $0.isNumber } && digits.first != "0"
    }
}
