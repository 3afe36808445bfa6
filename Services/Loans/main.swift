import Contracts
import ServiceKit

let host = try ServiceHost(.loans)
let database = try host.useDatabase(migrations: LoansMigrations.all)
let catalogue = ProductCatalogue(store: ProductStore(database: database), redis: try host.useRedis(), logger: host.logger)
ProductOperations(catalogue: catalogue).register(on: &host.rpc)
CalculatorOperations(products: catalogue).register(on: &host.rpc)
let customers = CustomerStore(database: database)
CustomerOperations(store: customers).register(on: &host.rpc)
ApplicationOperations(
    database: database, store: ApplicationStore(database: database), customers: customers, products: catalogue
).register(on: &host.rpc)
try await host.run()
