import Contracts
import Foundation
import ServiceKit
import TestSupport
import Testing

@testable import Loans

/// `ProductOperations` on a database of its own: the catalogue admins manage and everyone reads,
/// through the read cache.
@Suite struct ProductOperationsTests {
    @Test func anAdminCreatesAProductThatAnyoneCanRead() async throws {
        try await LoansFixture.run { loans in
            let product = try await loans.product(requiring: [.govtID, .incomeProof])
            #expect(product.version == 1 && product.active)
            #expect(product.minAmount == Money("1000.00") && product.annualRate == Percent("12.00"))
            #expect(product.requiredDocuments == [.govtID, .incomeProof])
            let read = try await loans.operations.ok(ProductsRPC.Get.self, .init(id: product.id), as: nil)
            #expect(read == product)
            let listed = try await loans.operations.ok(ProductsRPC.List.self, .init(), as: .signedIn(as: .client))
            #expect(listed.items.map(\.id) == [product.id])
        }
    }

    @Test func onlyAdminsCreateOrChangeProductsAndARefusalChangesNothing() async throws {
        try await LoansFixture.run { loans in
            let product = try await loans.product()
            var fields = ProductsRPC.Fields()
            fields.annualRate = Percent("1.00")
            for caller in [
                nil, Principal.signedIn(as: .client), .signedIn(as: .analyst), .signedIn(as: .manager), .signedIn(as: .director),
            ] {
                let expected = caller == nil ? 401 : 403
                #expect(try await loans.operations.problem(ProductsRPC.Create.self, fields, as: caller)?.status == expected)
                #expect(
                    try await loans.operations.problem(
                        ProductsRPC.Update.self, .init(id: product.id, fields: fields, expectedVersion: nil), as: caller)?.status
                        == expected)
            }
            #expect(try await loans.database.count("products") == 1)
            let read = try await loans.operations.ok(ProductsRPC.Get.self, .init(id: product.id), as: loans.admin)
            #expect(read == product)
            let superAdmin = try await loans.operations.ok(
                ProductsRPC.Update.self, .init(id: product.id, fields: fields, expectedVersion: 1), as: .signedIn(as: .superAdmin))
            #expect(superAdmin.annualRate == Percent("1.00"))
        }
    }

    @Test func anIncompleteOrInconsistentProductIsRefusedFieldByField() async throws {
        try await LoansFixture.run { loans in
            var partial = ProductsRPC.Fields()
            partial.name = "Only a name"
            let incomplete = try #require(try await loans.operations.problem(ProductsRPC.Create.self, partial, as: loans.admin))
            #expect(incomplete.status == 422)
            #expect(
                incomplete.errors?.map(\.field) == [
                    "type", "min_amount", "max_amount", "min_term_months", "max_term_months", "annual_rate", "processing_fee_percent",
                    "prepayment_fee_percent",
                ])
            var inverted = LoansFixture.productFields(
                name: "  ", type: .home, amounts: ("5000.00", "4000.00"), months: (24, 12), rate: "9.00", processingFee: "0.50",
                prepaymentFee: "0.00", documents: [.photo, .photo])
            inverted.active = nil
            let inconsistent = try #require(try await loans.operations.problem(ProductsRPC.Create.self, inverted, as: loans.admin))
            #expect(inconsistent.errors?.map(\.field) == ["name", "max_amount", "max_term_months", "required_documents"])
            #expect(try await loans.database.count("products") == 0)
        }
    }

    @Test func anUpdateChangesOnlyTheFieldsGivenAndHonoursIfMatch() async throws {
        try await LoansFixture.run { loans in
            let product = try await loans.product()
            var rate = ProductsRPC.Fields()
            rate.annualRate = Percent("10.50")
            let updated = try await loans.operations.ok(
                ProductsRPC.Update.self, .init(id: product.id, fields: rate, expectedVersion: 1), as: loans.admin)
            #expect(updated.version == 2 && updated.annualRate == Percent("10.50"))
            #expect(
                updated.name == product.name && updated.maxAmount == product.maxAmount && updated.maxTermMonths == product.maxTermMonths)
            // An admin who read version 1 is told what it is now.
            var name = ProductsRPC.Fields()
            name.name = "Renamed"
            let stale = try #require(
                try await loans.operations.problem(
                    ProductsRPC.Update.self, .init(id: product.id, fields: name, expectedVersion: 1), as: loans.admin))
            #expect(stale.status == 412)
            #expect(try stale.current(as: Product.self) == updated)
            // An update that would make the product inconsistent is refused as a whole.
            var narrow = ProductsRPC.Fields()
            narrow.name = "Renamed"
            narrow.maxAmount = Money("500.00")
            let invalid = try await loans.operations.problem(
                ProductsRPC.Update.self, .init(id: product.id, fields: narrow, expectedVersion: nil), as: loans.admin)
            #expect(invalid?.status == 422 && invalid?.errors?.map(\.field) == ["max_amount"])
            #expect(try await loans.operations.ok(ProductsRPC.Get.self, .init(id: product.id), as: loans.admin) == updated)
            let missing = try await loans.operations.problem(
                ProductsRPC.Update.self, .init(id: UUID(), fields: rate, expectedVersion: nil), as: loans.admin)
            #expect(missing?.status == 404)
        }
    }

    @Test func anInactiveProductIsHiddenFromClientsButStaffStillReadIt() async throws {
        try await LoansFixture.run { loans in
            let kept = try await loans.product()
            let retired = try await loans.product()
            var off = ProductsRPC.Fields()
            off.active = false
            _ = try await loans.operations.ok(
                ProductsRPC.Update.self, .init(id: retired.id, fields: off, expectedVersion: nil), as: loans.admin)
            let client = Principal.signedIn(as: .client)
            #expect(try await loans.operations.problem(ProductsRPC.Get.self, .init(id: retired.id), as: client)?.status == 404)
            #expect(try await loans.operations.problem(ProductsRPC.Get.self, .init(id: retired.id), as: nil)?.status == 404)
            #expect(try await loans.operations.ok(ProductsRPC.Get.self, .init(id: retired.id), as: .signedIn(as: .analyst)).active == false)
            // Asking for inactive products is an admin's filter; anyone else gets the active ones.
            let asked = ProductsRPC.List.Request(active: false)
            #expect(try await loans.operations.ok(ProductsRPC.List.self, asked, as: client).items.map(\.id) == [kept.id])
            #expect(try await loans.operations.ok(ProductsRPC.List.self, asked, as: .signedIn(as: .analyst)).items.map(\.id) == [kept.id])
            #expect(try await loans.operations.ok(ProductsRPC.List.self, asked, as: loans.admin).items.map(\.id) == [retired.id])
            #expect(try await loans.operations.ok(ProductsRPC.List.self, .init(), as: loans.admin).total == 2)
        }
    }

    @Test func theCatalogueIsListedByTypeAndAmount() async throws {
        try await LoansFixture.run { loans in
            let personal = try await loans.product()
            var fields = LoansFixture.productFields(
                name: "Home", type: .home, amounts: ("100000.00", "900000.00"), months: (60, 360), rate: "8.00", processingFee: "0.50",
                prepaymentFee: "0.00")
            fields.active = nil
            let home = try await loans.operations.ok(ProductsRPC.Create.self, fields, as: loans.admin)
            #expect(home.active, "a product is active unless told otherwise")
            let list = { (request: ProductsRPC.List.Request) in
                try await loans.operations.ok(ProductsRPC.List.self, request, as: nil).items.map(\.id)
            }
            #expect(try await list(.init(type: .home)) == [home.id])
            #expect(try await list(.init(minAmount: Money("60000.00"))) == [home.id])
            #expect(try await list(.init(maxAmount: Money("60000.00"))) == [personal.id])
            #expect(try await list(.init(minAmount: Money("20000.00"), maxAmount: Money("200000.00"))) == [home.id, personal.id])
            let badPage = try await loans.operations.problem(
                ProductsRPC.List.self, .init(page: PageRequest(page: 0, pageSize: 20)), as: nil)
            #expect(badPage?.status == 422)
        }
    }

    @Test func aWriteVoidsTheCachedCatalogueSoTheNextReadSeesIt() async throws {
        try await LoansFixture.run { loans in
            let product = try await loans.product()
            let client = Principal.signedIn(as: .client)
            _ = try await loans.operations.ok(ProductsRPC.Get.self, .init(id: product.id), as: client)
            _ = try await loans.operations.ok(ProductsRPC.List.self, .init(), as: client)
            #expect(try await loans.operations.ok(ProductsRPC.Get.self, .init(id: product.id), as: client) == product)
            #expect(try await loans.operations.ok(ProductsRPC.List.self, .init(), as: client).items == [product])
            #expect(loans.cache.hits == 2, "the second reads of the product and the list come from the cache")
            var rate = ProductsRPC.Fields()
            rate.annualRate = Percent("15.00")
            _ = try await loans.operations.ok(
                ProductsRPC.Update.self, .init(id: product.id, fields: rate, expectedVersion: nil), as: loans.admin)
            let read = try await loans.operations.ok(ProductsRPC.Get.self, .init(id: product.id), as: client)
            let listed = try await loans.operations.ok(ProductsRPC.List.self, .init(), as: client)
            #expect(read.annualRate == Percent("15.00") && listed.items.first?.annualRate == Percent("15.00"))
            #expect(loans.cache.hits == 2, "both were read from the database after the write")
            let another = try await loans.product()
            #expect(try await loans.operations.ok(ProductsRPC.List.self, .init(), as: client).total == 2)
            #expect(another.active && loans.cache.hits == 2)
        }
    }
}
