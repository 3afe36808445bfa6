import Contracts

/// What makes a product consistent. Pure; unit tested.
enum ProductRules {
    static let maximumNameLength = 120

    /// The product `fields` describe on top of `base` (nil when creating), or the problems with it.
    static func merge(_ fields: ProductsRPC.Fields, into base: Product?) -> Result<ProductsRPC.Fields, Problem> {
        var merged = ProductsRPC.Fields()
        merged.name = (fields.name ?? base?.name)?.trimmingCharacters(in: .whitespacesAndNewlines)
        merged.type = fields.type ?? base?.type
        merged.minAmount = fields.minAmount ?? base?.minAmount
        merged.maxAmount = fields.maxAmount ?? base?.maxAmount
        merged.minTermMonths = fields.minTermMonths ?? base?.minTermMonths
        merged.maxTermMonths = fields.maxTermMonths ?? base?.maxTermMonths
        merged.annualRate = fields.annualRate ?? base?.annualRate
        merged.processingFeePercent = fields.processingFeePercent ?? base?.processingFeePercent
        merged.prepaymentFeePercent = fields.prepaymentFeePercent ?? base?.prepaymentFeePercent
        merged.requiredDocuments = fields.requiredDocuments ?? base?.requiredDocuments ?? []
        merged.active = fields.active ?? base?.active ?? true

        var problems: [Problem.FieldError] = []
        func require<Value>(_ value: Value?, _ field: String) {
            if value == nil { problems.append(.init(field: field, message: "is required")) }
        }
        require(merged.name, "name")
        require(merged.type, "type")
        require(merged.minAmount, "min_amount")
        require(merged.maxAmount, "max_amount")
        require(merged.minTermMonths, "min_term_months")
        require(merged.maxTermMonths, "max_term_months")
        require(merged.annualRate, "annual_rate")
        require(merged.processingFeePercent, "processing_fee_percent")
        require(merged.prepaymentFeePercent, "prepayment_fee_percent")
        if let name = merged.name, name.isEmpty || name.count > maximumNameLength {
            problems.append(.init(field: "name", message: "must be 1 to \(maximumNameLength) characters"))
        }
        if let minimum = merged.minAmount {
            problems += CalculatorOperations.amountProblems(minimum, field: "min_amount")
        }
        if let minimum = merged.minAmount, let maximum = merged.maxAmount, maximum < minimum {
            problems.append(.init(field: "max_amount", message: "must be at least min_amount"))
        }
        if let minimum = merged.minTermMonths { problems += CalculatorOperations.termProblems(minimum, field: "min_term_months") }
        if let maximum = merged.maxTermMonths { problems += CalculatorOperations.termProblems(maximum, field: "max_term_months") }
        if let minimum = merged.minTermMonths, let maximum = merged.maxTermMonths, maximum < minimum {
            problems.append(.init(field: "max_term_months", message: "must be at least min_term_months"))
        }
        if let documents = merged.requiredDocuments, Set(documents).count != documents.count {
            problems.append(.init(field: "required_documents", message: "must not repeat a document type"))
        }
        return problems.isEmpty ? .success(merged) : .failure(.validation(problems))
    }
}
