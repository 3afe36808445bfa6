import Contracts
import Foundation
import Hummingbird
import ServiceKit

/// One application as the API shows it: the record `loans` keeps, joined with the analysis and
/// approval chain `approvals` keeps. `loans` answers first, so its ownership check decides who
/// sees anything.
struct ApplicationView: Sendable {
    let forwarder: Forwarder

    /// The view after `loans` answered `result` about application `id`.
    func respond(to result: RPCResult, id: UUID, context: some CallerContext) async throws -> Response {
        guard result.status < 300 else { return HTTPReply.response(result) }
        var application = try result.decode(Application.self)
        let workflow = try await forwarder.call(ApprovalsRPC.GetWorkflow.self, .init(id: id), context: context)
        guard workflow.status == 200 else { return HTTPReply.response(workflow) }
        let joined = try workflow.decode(ApprovalsRPC.Workflow.self)
        application.analysis = joined.analysis
        application.stages = joined.stages
        var response = try HTTPReply.encoded(application, status: result.status)
        response.headers[.eTag] = "\"\(application.version)\""
        return response
    }

    func current(_ id: UUID, context: some CallerContext) async throws -> Response {
        try await respond(to: try await forwarder.call(ApplicationsRPC.Get.self, .init(id: id), context: context), id: id, context: context)
    }
}
