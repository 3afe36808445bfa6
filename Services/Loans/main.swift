import ServiceKit

let host = try ServiceHost(.loans)
_ = try host.useDatabase(migrations: [])
try await host.run()
