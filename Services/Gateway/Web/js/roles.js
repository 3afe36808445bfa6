// Who may see which area, and where each role lands after signing in. The API enforces the
// rules; this only keeps people from pages that would answer 403.

export const STAFF = ['analyst', 'manager', 'director', 'admin', 'super_admin'];
export const ADMINS = ['admin', 'super_admin'];
export const SUPERVISORS = ['manager', 'director', 'admin', 'super_admin'];
export const ANYONE_SIGNED_IN = ['client', ...STAFF];

export const isStaff = (role) => STAFF.includes(role);

export const roleName = (role) => ({
  client: 'Client', analyst: 'Analyst', manager: 'Manager', director: 'Director', admin: 'Admin', super_admin: 'Super admin',
}[role] || role);

export function landing(role) {
  if (role === 'client') return '#/portal';
  if (role === 'super_admin') return '#/dashboard';
  return '#/staff/tasks';
}

/** The main navigation of a role: [hash, label]. */
export function navigation(role) {
  if (role === 'client') {
    return [['#/portal', 'Overview'], ['#/portal/apply', 'Apply'], ['#/portal/applications', 'Applications'],
      ['#/portal/loans', 'Loans'], ['#/portal/profile', 'Profile'], ['#/portal/tickets', 'Support'], ['#/notifications', 'Notifications']];
  }
  const items = [];
  if (role === 'super_admin') items.push(['#/dashboard', 'Dashboard']);
  else if (SUPERVISORS.includes(role)) items.push(['#/dashboard', 'Reports']);
  items.push(['#/staff/tasks', 'My tasks'], ['#/staff/applications', 'Applications']);
  if (ADMINS.includes(role)) {
    items.push(['#/staff/tickets', 'Tickets'], ['#/admin/products', 'Products'], ['#/admin/users', 'Users'], ['#/admin/policy', 'Approval policy']);
  }
  items.push(['#/notifications', 'Notifications']);
  return items;
}
