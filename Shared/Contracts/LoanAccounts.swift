import Foundation

public struct Loan: Codable, Sendable, Equatable {
    public struct NextDue: Codable, Sendable, Equatable {
        public var number: Int
        public var dueDate: CalendarDate
        public var amount: Money

        public init(number: Int, dueDate: CalendarDate, amount: Money) {
            self.number = number
            self.dueDate = dueDate
            self.amount = amount
        }
    }

    public enum Status: String, Codable, Sendable {
        case active, closed
    }

    public var id: UUID
    public var applicationID: UUID
    public var customerID: UUID
    public var principal: Money
    public var annualRate: Percent
    public var termMonths: Int
    public var emi: Money
    public var disbursedOn: CalendarDate
    public var status: Status
    public var outstandingPrincipal: Money
    /// The processing fee charged at disbursement, until paid.
    public var outstandingFees: Money
    @ExplicitNull public var nextDue: NextDue?

    public init(
        id: UUID, applicationID: UUID, customerID: UUID, principal: Money, annualRate: Percent, termMonths: Int, emi: Money,
        disbursedOn: CalendarDate, status: Status, outstandingPrincipal: Money, outstandingFees: Money, nextDue: NextDue?
    ) {
        self.id = id
        self.applicationID = applicationID
        self.customerID = customerID
        self.principal = principal
        self.annualRate = annualRate
        self.termMonths = termMonths
        self.emi = emi
        self.disbursedOn = disbursedOn
        self.status = status
        self.outstandingPrincipal = outstandingPrincipal
        self.outstandingFees = outstandingFees
        self.nextDue = nextDue
    }
}

public struct ScheduledInstalment: Codable, Sendable, Equatable {
    public enum Status: String, Codable, Sendable {
        case due, paid, overdue
        case partiallyPaid = "partially_paid"
    }

    public var number: Int
    public var dueDate: CalendarDate
    public var payment: Money
    public var principal: Money
    public var interest: Money
    public var balance: Money
    public var status: Status

    public init(number: Int, dueDate: CalendarDate, payment: Money, principal: Money, interest: Money, balance: Money, status: Status) {
        self.number = number
        self.dueDate = dueDate
        self.payment = payment
        self.principal = principal
        self.interest = interest
        self.balance = balance
        self.status = status
    }
}

public struct Payment: Codable, Sendable, Equatable {
    public struct Allocation: Codable, Sendable, Equatable {
        public var fees: Money
        public var interest: Money
        public var principal: Money

        public init(fees: Money, interest: Money, principal: Money) {
            self.fees = fees
            self.interest = interest
            self.principal = principal
        }
    }

    public var id: UUID
    public var loanID: UUID
    /// The borrower, so that the ledger across loans reads without a look-up per row.
    public var customerID: UUID
    public var amount: Money
    public var reference: String
    public var allocation: Allocation
    /// The loan's principal still owed after this payment.
    public var outstandingPrincipal: Money
    public var createdAt: Date

    public init(
        id: UUID, loanID: UUID, customerID: UUID, amount: Money, reference: String, allocation: Allocation, outstandingPrincipal: Money,
        createdAt: Date
    ) {
        self.id = id
        self.loanID = loanID
        self.customerID = customerID
        self.amount = amount
        self.reference = reference
        self.allocation = allocation
        self.outstandingPrincipal = outstandingPrincipal
        self.createdAt = createdAt
    }
}

public struct PreClosureQuote: Codable, Sendable, Equatable {
    public var outstandingPrincipal: Money
    /// Unpaid interest of instalments already due, plus interest on the outstanding principal from
    /// the last due date (or disbursement) to today, actual/365.
    public var accruedInterest: Money
    /// The product's prepayment fee on the outstanding principal, plus any unpaid processing fee.
    public var fee: Money
    public var total: Money
    /// The quote holds for this day (UTC).
    public var validUntil: CalendarDate

    public init(outstandingPrincipal: Money, accruedInterest: Money, fee: Money, total: Money, validUntil: CalendarDate) {
        self.outstandingPrincipal = outstandingPrincipal
        self.accruedInterest = accruedInterest
        self.fee = fee
        self.total = total
        self.validUntil = validUntil
    }
}

/// Disbursed loans, answered by `loans`.
public enum LoanAccountsRPC {
    public enum Quote: ServiceOperation {
        public typealias Request = ApplicationsRPC.ByID
        public typealias Response = PreClosureQuote
        public static let service = ServiceName.loans
        public static let name = "loans.pre-closure-quote.v1"
    }

    public enum PreClose: ServiceOperation {
        public typealias Request = Pay.Request
        public typealias Response = Loan
        public static let service = ServiceName.loans
        public static let name = "loans.pre-close.v1"
    }

    public enum Pay: ServiceOperation {
        public struct Request: Codable, Sendable {
            public var loanID: UUID
            public var amount: Money
            public var reference: String

            public init(loanID: UUID, amount: Money, reference: String) {
                self.loanID = loanID
                self.amount = amount
                self.reference = reference
            }
        }
        public typealias Response = Payment
        public static let service = ServiceName.loans
        public static let name = "loans.pay.v1"
    }

    public enum Payments: ServiceOperation {
        public struct Request: Codable, Sendable {
            public var id: UUID
            public var page: PageRequest

            public init(id: UUID, page: PageRequest) {
                self.id = id
                self.page = page
            }
        }
        public typealias Response = Page<Payment>
        public static let service = ServiceName.loans
        public static let name = "loans.payments.v1"
    }

    /// `GET /payments`: every payment the caller may see, across loans.
    public enum Ledger: ServiceOperation {
        public struct Request: Codable, Sendable {
            public var loanID: UUID?
            public var customerID: UUID?
            public var from: CalendarDate?
            public var to: CalendarDate?
            public var page: PageRequest

            public init(
                loanID: UUID? = nil, customerID: UUID? = nil, from: CalendarDate? = nil, to: CalendarDate? = nil,
                page: PageRequest = PageRequest()
            ) {
                self.loanID = loanID
                self.customerID = customerID
                self.from = from
                self.to = to
                self.page = page
            }
        }
        public typealias Response = Page<Payment>
        public static let service = ServiceName.loans
        public static let name = "loans.ledger.v1"
    }

    public enum LedgerEntry: ServiceOperation {
        public typealias Request = ApplicationsRPC.ByID
        public typealias Response = Payment
        public static let service = ServiceName.loans
        public static let name = "loans.ledger-entry.v1"
    }

    public enum Disburse: ServiceOperation {
        public struct Request: Codable, Sendable {
            public var applicationID: UUID
            /// Today (UTC) when absent.
            public var disbursementDate: CalendarDate?

            public init(applicationID: UUID, disbursementDate: CalendarDate? = nil) {
                self.applicationID = applicationID
                self.disbursementDate = disbursementDate
            }
        }
        public typealias Response = Loan
        public static let service = ServiceName.loans
        public static let name = "loans.disburse.v1"
    }

    public enum List: ServiceOperation {
        public typealias Request = CustomerPageRequest
        public typealias Response = Page<Loan>
        public static let service = ServiceName.loans
        public static let name = "loans.list.v1"
    }

    public enum Get: ServiceOperation {
        public typealias Request = ApplicationsRPC.ByID
        public typealias Response = Loan
        public static let service = ServiceName.loans
        public static let name = "loans.get.v1"
    }

    public enum Schedule: ServiceOperation {
        public struct Request: Codable, Sendable {
            public var id: UUID
            public var page: PageRequest

            public init(id: UUID, page: PageRequest) {
                self.id = id
                self.page = page
            }
        }
        public typealias Response = Page<ScheduledInstalment>
        public static let service = ServiceName.loans
        public static let name = "loans.schedule.v1"
    }
}

extension LoansEvents {
    /// A payment on a loan (also the one that pre-closes it), for the portfolio and the audit.
    public struct PaymentReceived: DomainEvent, Equatable {
        public static let type = "loans.payment.received.v1"
        public var paymentID: UUID
        public var loanID: UUID
        public var customerID: UUID
        public var amount: Money
        public var principal: Money
        public var outstandingPrincipal: Money
        public var actorID: UUID
        public var occurredAt: Date

        public init(
            paymentID: UUID, loanID: UUID, customerID: UUID, amount: Money, principal: Money, outstandingPrincipal: Money, actorID: UUID,
            occurredAt: Date
        ) {
            self.paymentID = paymentID
            self.loanID = loanID
            self.customerID = customerID
            self.amount = amount
            self.principal = principal
            self.outstandingPrincipal = outstandingPrincipal
            self.actorID = actorID
            self.occurredAt = occurredAt
        }
    }

    /// An instalment passed its due date unpaid (once per instalment).
    public struct InstalmentOverdue: DomainEvent, Equatable {
        public static let type = "loans.instalment.overdue.v1"
        public var loanID: UUID
        public var customerID: UUID
        public var number: Int
        public var dueDate: CalendarDate
        public var amountDue: Money
        public var occurredAt: Date

        public init(loanID: UUID, customerID: UUID, number: Int, dueDate: CalendarDate, amountDue: Money, occurredAt: Date) {
            self.loanID = loanID
            self.customerID = customerID
            self.number = number
            self.dueDate = dueDate
            self.amountDue = amountDue
            self.occurredAt = occurredAt
        }
    }

    public struct LoanDisbursed: DomainEvent, Equatable {
        public static let type = "loans.loan.disbursed.v1"
        public var loanID: UUID
        public var applicationID: UUID
        public var customerID: UUID
        public var principal: Money
        public var disbursedOn: CalendarDate
        public var actorID: UUID
        public var occurredAt: Date

        public init(
            loanID: UUID, applicationID: UUID, customerID: UUID, principal: Money, disbursedOn: CalendarDate, actorID: UUID,
            occurredAt: Date
        ) {
            self.loanID = loanID
            self.applicationID = applicationID
            self.customerID = customerID
            self.principal = principal
            self.disbursedOn = disbursedOn
            self.actorID = actorID
            self.occurredAt = occurredAt
        }
    }
}
