import Foundation
import PackagePlugin

/// Compiles `auth`'s list of common passwords (`Data/common-passwords.txt`) into the service at
/// build time, so the list stays a data file a script refreshes and the binary needs no file at
/// run time.
@main
struct CommonPasswordsPlugin: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        guard let target = target as? SourceModuleTarget else { return [] }
        let list = target.directoryURL.appending(path: "Data/common-passwords.txt")
        let table = context.pluginWorkDirectoryURL.appending(path: "CommonPasswords+Table.swift")
        return [
            .buildCommand(
                displayName: "Compiling the common-password table of \(target.name)",
                executable: try context.tool(named: "CommonPasswordsTable").url,
                arguments: [list.path(), table.path()],
                inputFiles: [list],
                outputFiles: [table])
        ]
    }
}
