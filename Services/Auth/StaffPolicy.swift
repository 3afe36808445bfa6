import Contracts
import Foundation

/// Who may administer which accounts. Pure rules, unit tested without servers.
enum StaffPolicy {
    static let administrators: Set<Role> = [.admin, .superAdmin]
    /// Roles only a super admin may grant, or change the accounts of.
    static let privileged: Set<Role> = [.admin, .superAdmin]

    /// Why `actor` may not create an account with `role`, or nil when it may.
    static func refusalToCreate(_ role: Role, by actor: Role) -> Problem? {
        guard role.isStaff else {
            return .validation(field: "role", "must be a staff role; clients register themselves")
        }
        if privileged.contains(role), actor != .superAdmin {
            return .forbidden("Only a super admin creates admins and super admins.")
        }
        return nil
    }

    /// Why `actor` may not change `target` (currently `currentRole`) to `newRole`, or nil when it may.
    static func refusalToUpdate(
        target: UUID, currentRole: Role, newRole: Role?, by actor: Principal
    ) -> Problem? {
        if target == actor.userID {
            return .conflict("You cannot change your own role or status.", slug: "self-administration")
        }
        if let newRole, !newRole.isStaff, currentRole.isStaff {
            return .validation(field: "role", "staff accounts keep a staff role")
        }
        // A self-registered client never becomes staff: its email, password and history were
        // never vetted by an administrator, and one admin's mistake (or stolen session) would
        // otherwise hand a stranger staff powers. Staff accounts are created as such (POST /users).
        if let newRole, newRole.isStaff, !currentRole.isStaff {
            return .validation(field: "role", "a client account cannot become staff; create a staff account instead")
        }
        let touchesPrivileged = privileged.contains(currentRole) || newRole.map(privileged.contains) == true
        if touchesPrivileged, actor.role != .superAdmin {
            return .forbidden("Only a super admin changes admins and super admins.")
        }
        return nil
    }
}
