import Foundation

/// One of the three parts of a customer's file, each read and replaced on its own.
public protocol CustomerSection: Codable, Sendable, Equatable {
    /// `profile`, `financial` or `employment`: the path under `/me/` and the operation names.
    static var name: String { get }
}

public struct PersonalDetails: CustomerSection {
    public static let name = "profile"
    public var fullName: String
    /// E.164, e.g. `+14155550123`.
    public var phone: String
    public var dateOfBirth: CalendarDate
    /// One line.
    public var address: String
    public var nationalID: String?

    public init(fullName: String, phone: String, dateOfBirth: CalendarDate, address: String, nationalID: String? = nil) {
        self.fullName = fullName
        self.phone = phone
        self.dateOfBirth = dateOfBirth
        self.address = address
        self.nationalID = nationalID
    }
}

public struct FinancialDetails: CustomerSection {
    public static let name = "financial"
    public var monthlyIncome: Money
    public var monthlyExpenses: Money
    public var existingMonthlyDebt: Money

    public init(monthlyIncome: Money, monthlyExpenses: Money, existingMonthlyDebt: Money) {
        self.monthlyIncome = monthlyIncome
        self.monthlyExpenses = monthlyExpenses
        self.existingMonthlyDebt = existingMonthlyDebt
    }
}

public enum EmploymentType: String, Codable, Sendable, CaseIterable {
    case salaried
    case selfEmployed = "self_employed"
    case unemployed, retired, student
}

public struct EmploymentDetails: CustomerSection {
    public static let name = "employment"
    public var employmentType: EmploymentType
    public var employer: String?
    public var jobTitle: String?
    public var yearsEmployed: Int

    public init(employmentType: EmploymentType, employer: String? = nil, jobTitle: String? = nil, yearsEmployed: Int) {
        self.employmentType = employmentType
        self.employer = employer
        self.jobTitle = jobTitle
        self.yearsEmployed = yearsEmployed
    }
}

/// A section as stored: its fields with the customer file's `version` beside them.
public struct VersionedSection<Section: CustomerSection>: Codable, Sendable {
    public var section: Section
    public var version: Int

    public init(section: Section, version: Int) {
        self.section = section
        self.version = version
    }

    private enum CodingKeys: String, CodingKey { case version }

    public init(from decoder: any Decoder) throws {
        section = try Section(from: decoder)
        version = try decoder.container(keyedBy: CodingKeys.self).decode(Int.self, forKey: .version)
    }

    public func encode(to encoder: any Encoder) throws {
        try section.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(version, forKey: .version)
    }
}

public struct Customer: Codable, Sendable {
    /// The customer's business with us, in the staff view of one customer.
    public struct LoanSummary: Codable, Sendable, Equatable {
        public var applications: Int
        public var activeLoans: Int
        public var closedLoans: Int
        public var outstandingPrincipal: Money

        public init(applications: Int, activeLoans: Int, closedLoans: Int, outstandingPrincipal: Money) {
            self.applications = applications
            self.activeLoans = activeLoans
            self.closedLoans = closedLoans
            self.outstandingPrincipal = outstandingPrincipal
        }
    }

    public var id: UUID
    public var profile: PersonalDetails?
    public var financial: FinancialDetails?
    public var employment: EmploymentDetails?
    public var version: Int
    public var updatedAt: Date
    /// Present on `GET /customers/{id}`.
    public var loanSummary: LoanSummary?

    public init(id: UUID, profile: PersonalDetails?, financial: FinancialDetails?, employment: EmploymentDetails?, version: Int, updatedAt: Date) {
        self.id = id
        self.profile = profile
        self.financial = financial
        self.employment = employment
        self.version = version
        self.updatedAt = updatedAt
    }
}

/// Customer files, answered by `loans`: clients read and replace their own sections; staff read all.
public enum CustomersRPC {
    public enum GetSection<Section: CustomerSection>: ServiceOperation {
        public typealias Request = Empty
        public typealias Response = VersionedSection<Section>
        public static var service: ServiceName { .loans }
        public static var name: String { "customers.\(Section.name).get.v1" }
    }

    public enum PutSection<Section: CustomerSection>: ServiceOperation {
        public struct Request: Codable, Sendable {
            public var section: Section
            public var expectedVersion: Int?

            public init(section: Section, expectedVersion: Int?) {
                self.section = section
                self.expectedVersion = expectedVersion
            }
        }
        public typealias Response = VersionedSection<Section>
        public static var service: ServiceName { .loans }
        public static var name: String { "customers.\(Section.name).put.v1" }
    }

    public enum List: ServiceOperation {
        public struct Request: Codable, Sendable {
            /// Matches the name, phone or national id.
            public var q: String?
            public var page: PageRequest

            public init(q: String? = nil, page: PageRequest = PageRequest()) {
                self.q = q
                self.page = page
            }
        }
        public typealias Response = Page<Customer>
        public static let service = ServiceName.loans
        public static let name = "customers.list.v1"
    }

    public enum Get: ServiceOperation {
        public struct Request: Codable, Sendable {
            public var id: UUID

            public init(id: UUID) {
                self.id = id
            }
        }
        public typealias Response = Customer
        public static let service = ServiceName.loans
        public static let name = "customers.get.v1"
    }
}
