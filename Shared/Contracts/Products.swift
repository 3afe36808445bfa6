import Foundation

public enum ProductType: String, Codable, Sendable, CaseIterable {
    case personal, home, auto, business, education
}

public enum DocumentType: String, Codable, Sendable, CaseIterable {
    case govtID = "govt_id"
    case addressProof = "address_proof"
    case incomeProof = "income_proof"
    case bankStatement = "bank_statement"
    case photo
    /// India's Permanent Account Number card: the tax identity most lenders there must see.
    case panCard = "pan_card"
    case other
}

public struct Product: Codable, Sendable, Equatable {
    public var id: UUID
    public var name: String
    public var type: ProductType
    public var minAmount: Money
    public var maxAmount: Money
    public var minTermMonths: Int
    public var maxTermMonths: Int
    public var annualRate: Percent
    public var processingFeePercent: Percent
    public var prepaymentFeePercent: Percent
    public var requiredDocuments: [DocumentType]
    public var active: Bool
    public var version: Int
    public var createdAt: Date
    public var updatedAt: Date

    public init(
        id: UUID, name: String, type: ProductType, minAmount: Money, maxAmount: Money, minTermMonths: Int,
        maxTermMonths: Int, annualRate: Percent, processingFeePercent: Percent, prepaymentFeePercent: Percent,
        requiredDocuments: [DocumentType], active: Bool, version: Int, createdAt: Date, updatedAt: Date
    ) {
        self.id = id
        self.name = name
        self.type = type
        self.minAmount = minAmount
        self.maxAmount = maxAmount
        self.minTermMonths = minTermMonths
        self.maxTermMonths = maxTermMonths
        self.annualRate = annualRate
        self.processingFeePercent = processingFeePercent
        self.prepaymentFeePercent = prepaymentFeePercent
        self.requiredDocuments = requiredDocuments
        self.active = active
        self.version = version
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

/// The product catalogue, answered by `loans`: reads for anyone, changes for admins.
public enum ProductsRPC {
    /// The editable fields; on create every one but `active` is required, on update every one is optional.
    public struct Fields: Codable, Sendable {
        public var name: String?
        public var type: ProductType?
        public var minAmount: Money?
        public var maxAmount: Money?
        public var minTermMonths: Int?
        public var maxTermMonths: Int?
        public var annualRate: Percent?
        public var processingFeePercent: Percent?
        public var prepaymentFeePercent: Percent?
        public var requiredDocuments: [DocumentType]?
        public var active: Bool?

        public init() {}
    }

    public enum Create: ServiceOperation {
        public typealias Request = Fields
        public typealias Response = Product
        public static let service = ServiceName.loans
        public static let name = "products.create.v1"
    }

    public enum Update: ServiceOperation {
        public struct Request: Codable, Sendable {
            public var id: UUID
            public var fields: Fields
            public var expectedVersion: Int?

            public init(id: UUID, fields: Fields, expectedVersion: Int?) {
                self.id = id
                self.fields = fields
                self.expectedVersion = expectedVersion
            }
        }
        public typealias Response = Product
        public static let service = ServiceName.loans
        public static let name = "products.update.v1"
    }

    public enum List: ServiceOperation {
        public struct Request: Codable, Sendable {
            public var type: ProductType?
            /// Products that lend at least this much.
            public var minAmount: Money?
            /// Products that lend this little or less.
            public var maxAmount: Money?
            /// Admins may list inactive products; everyone else sees active ones only.
            public var active: Bool?
            public var page: PageRequest

            public init(
                type: ProductType? = nil, minAmount: Money? = nil, maxAmount: Money? = nil, active: Bool? = nil,
                page: PageRequest = PageRequest()
            ) {
                self.type = type
                self.minAmount = minAmount
                self.maxAmount = maxAmount
                self.active = active
                self.page = page
            }
        }
        public typealias Response = Page<Product>
        public static let service = ServiceName.loans
        public static let name = "products.list.v1"
    }

    public enum Get: ServiceOperation {
        public struct Request: Codable, Sendable {
            public var id: UUID

            public init(id: UUID) {
                self.id = id
            }
        }
        public typealias Response = Product
        public static let service = ServiceName.loans
        public static let name = "products.get.v1"
    }
}
