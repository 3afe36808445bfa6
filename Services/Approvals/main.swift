import ServiceKit

let host = try ServiceHost(.approvals)
_ = try host.useDatabase(migrations: [])
try await host.run()
