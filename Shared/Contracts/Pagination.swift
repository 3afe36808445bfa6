import Foundation

/// Which page of a list a caller wants: `page` from 1, `page_size` 1 to 100 (default 20).
public struct PageRequest: Codable, Sendable, Equatable {
    public static let defaultSize = 20
    public static let maximumSize = 100

    public var page: Int
    public var pageSize: Int

    public init(page: Int = 1, pageSize: Int = PageRequest.defaultSize) {
        self.page = page
        self.pageSize = pageSize
    }

    /// Rows before the page; saturates instead of overflowing (a page beyond every list is empty).
    public var offset: Int {
        let (offset, overflow) = max(0, page - 1).multipliedReportingOverflow(by: max(0, pageSize))
        return overflow ? Int.max : offset
    }

    /// Pages beyond this are refused: no list here is that long, and OFFSET of a huge page costs.
    public static let lastPage = 1_000_000

    /// The problems with a page request, by the field names clients use.
    public var problems: [Problem.FieldError] {
        var problems: [Problem.FieldError] = []
        if !(1...Self.lastPage).contains(page) { problems.append(.init(field: "page", message: "must be between 1 and \(Self.lastPage)")) }
        if !(1...Self.maximumSize).contains(pageSize) {
            problems.append(.init(field: "page_size", message: "must be between 1 and \(Self.maximumSize)"))
        }
        return problems
    }
}

/// One page of a list, newest first unless the list says otherwise.
public struct Page<Item: Codable & Sendable>: Codable, Sendable {
    public var items: [Item]
    public var page: Int
    public var pageSize: Int
    public var total: Int

    public init(items: [Item], request: PageRequest, total: Int) {
        self.items = items
        self.page = request.page
        self.pageSize = request.pageSize
        self.total = total
    }
}

/// A page of one customer's things: a client's own when `customerID` is nil, or for staff the
/// customer's named (nil for staff: everyone's, where the list allows it).
public struct CustomerPageRequest: Codable, Sendable, Equatable {
    public var customerID: UUID?
    public var page: PageRequest

    public init(customerID: UUID? = nil, page: PageRequest = PageRequest()) {
        self.customerID = customerID
        self.page = page
    }
}
