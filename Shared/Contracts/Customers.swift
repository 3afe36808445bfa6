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
    /// The account's, from `auth`: present when staff open a file (`POST /customers`).
    public var email: String?
    public var fullName: String?
    public var status: AuthRPC.AccountStatus?

    public init(
        id: UUID, profile: PersonalDetails?, financial: FinancialDetails?, employment: EmploymentDetails?, version: Int, updatedAt: Date
    ) {
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

    /// The sections staff write on a customer's behalf; those left out stay as they are.
    public struct Sections: Codable, Sendable, Equatable {
        public var profile: PersonalDetails?
        public var financial: FinancialDetails?
        public var employment: EmploymentDetails?

        public init(profile: PersonalDetails? = nil, financial: FinancialDetails? = nil, employment: EmploymentDetails? = nil) {
            self.profile = profile
            self.financial = financial
            self.employment = employment
        }
    }

    /// Checks sections without writing them (before an account is opened for them).
    public enum Validate: ServiceOperation {
        public typealias Request = Sections
        public typealias Response = Empty
        public static let service = ServiceName.loans
        public static let name = "customers.validate.v1"
    }

    /// A walk-in client's file, opened by staff for the account `auth` invited.
    public enum Open: ServiceOperation {
        public struct Request: Codable, Sendable {
            public var customerID: UUID
            public var sections: Sections

            public init(customerID: UUID, sections: Sections) {
                self.customerID = customerID
                self.sections = sections
            }
        }
        public typealias Response = Customer
        public static let service = ServiceName.loans
        public static let name = "customers.open.v1"
    }

    /// A staff correction of a file, under `If-Match`; audited with the old and new values.
    public enum Correct: ServiceOperation {
        public struct Request: Codable, Sendable {
            public var id: UUID
            public var sections: Sections
            public var expectedVersion: Int?

            public init(id: UUID, sections: Sections, expectedVersion: Int?) {
                self.id = id
                self.sections = sections
                self.expectedVersion = expectedVersion
            }
        }
        public typealias Response = Customer
        public static let service = ServiceName.loans
        public static let name = "customers.correct.v1"
    }
}

extension LoansEvents {
    /// Staff opened or corrected a customer's file: the sections before and after (JSON), for the
    /// audit log.
    public struct CustomerFileChanged: DomainEvent, Equatable {
        public static let type = "loans.customer.file_changed.v1"
        public enum Change: String, Codable, Sendable {
            case opened, corrected
        }

        public var customerID: UUID
        public var change: Change
        public var before: String
        public var after: String
        public var actorID: UUID
        public var actorRole: Role
        public var occurredAt: Date

        public init(customerID: UUID, change: Change, before: String, after: String, actorID: UUID, actorRole: Role, occurredAt: Date) {
            self.customerID = customerID
            self.change = change
            self.before = before
            self.after = after
            self.actorID = actorID
            self.actorRole = actorRole
            self.occurredAt = occurredAt
        }
    }
}

extension LoansEvents {
    /// The phone on a customer's profile changed (or was first given): `auth` takes it as the
    /// account's phone, unverified until the code it texts there comes back.
    public struct PhoneChanged: DomainEvent, Equatable {
        public static let type = "loans.customer.phone_changed.v1"
        public var customerID: UUID
        public var phone: String
        public var occurredAt: Date

        public init(customerID: UUID, phone: String, occurredAt: Date) {
            self.customerID = customerID
            self.phone = phone
            self.occurredAt = occurredAt
        }
    }
}
