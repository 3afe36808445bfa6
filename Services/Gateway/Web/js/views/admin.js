// Admin pages: the product catalogue, staff accounts, and the approval policy. Every write
// sends the version it was based on (If-Match), so two admins cannot overwrite each other.
import { api } from '../api.js';
import { DOCUMENT_TYPES, PRODUCT_TYPES, documentName } from '../catalog.js';
import { h, mount } from '../dom.js';
import { form } from '../forms.js';
import { date, dateTime, label, money, rate } from '../format.js';
import { roleName } from '../roles.js';
import { go } from '../router.js';
import * as session from '../session.js';
import { pagedTable } from '../table.js';
import { badge, card, dialog, entered, fill, pageHead, toast } from '../ui.js';

function productForm(existing, onSaved) {
  const p = existing || { type: 'personal', required_documents: ['govt_id', 'income_proof'], active: true, processing_fee_percent: '1.00', prepayment_fee_percent: '2.00' };
  return form({
    submit: existing ? 'Save changes' : 'Create product',
    props: { 'data-testid': 'product-form', 'aria-label': existing ? 'Edit product' : 'New product' },
    fields: [
      { name: 'name', label: 'Name', required: true, value: p.name, wide: true },
      { name: 'type', label: 'Type', type: 'select', value: p.type, options: PRODUCT_TYPES.map((t) => [t, label(t)]) },
      { name: 'annual_rate', label: 'Annual rate (%)', decimal: true, required: true, value: p.annual_rate },
      { name: 'min_amount', label: 'Smallest amount', decimal: true, required: true, value: p.min_amount },
      { name: 'max_amount', label: 'Largest amount', decimal: true, required: true, value: p.max_amount },
      { name: 'min_term_months', label: 'Shortest term (months)', integer: true, required: true, value: p.min_term_months },
      { name: 'max_term_months', label: 'Longest term (months)', integer: true, required: true, value: p.max_term_months },
      { name: 'processing_fee_percent', label: 'Processing fee (%)', decimal: true, required: true, value: p.processing_fee_percent },
      { name: 'prepayment_fee_percent', label: 'Prepayment fee (%)', decimal: true, required: true, value: p.prepayment_fee_percent },
      { name: 'required_documents', label: 'Required documents', type: 'checks', wide: true, value: p.required_documents, options: DOCUMENT_TYPES.map((t) => [t, documentName(t)]) },
      { name: 'active', label: 'Open for applications', type: 'checkbox', value: p.active },
    ],
    onSubmit: async (values) => {
      const { _action, ...body } = values;
      const saved = existing
        ? await api(`/products/${existing.id}`, { method: 'PATCH', body, version: existing.version })
        : await api('/products', { method: 'POST', body, idempotent: true });
      toast(`${saved.name} saved.`, 'ok');
      onSaved(saved);
    },
  });
}

export function productsView() {
  const list = pagedTable({
    caption: 'Products',
    load: (page, pageSize) => api('/products', { query: { page, page_size: pageSize } }),
    rowProps: (p) => ({ 'data-testid': 'product-row', 'data-product-id': p.id }),
    columns: [
      { label: 'Product', className: 'wrap', render: (p) => h('span', {}, h('strong', {}, entered(p.name)), h('br'), h('span', { class: 'muted' }, label(p.type))) },
      { label: 'Rate', render: (p) => rate(p.annual_rate) },
      { label: 'Amounts', className: 'wrap', render: (p) => `${money(p.min_amount)} to ${money(p.max_amount)}` },
      { label: 'Terms', render: (p) => `${p.min_term_months}–${p.max_term_months} months` },
      { label: 'Documents', className: 'wrap', render: (p) => (p.required_documents || []).map(documentName).join(', ') || '—' },
      { label: 'Status', render: (p) => badge(p.active ? 'active' : 'disabled') },
      {
        label: 'Actions',
        render: (p) => h('button', {
          class: 'btn btn--ghost btn--small', type: 'button',
          onClick: () => { const box = dialog(`Edit ${p.name}`, productForm(p, () => { box.close(); list.reload(); })); },
        }, 'Edit', h('span', { class: 'visually-hidden' }, ` ${p.name}`)),
      },
    ],
  });
  const create = h('button', {
    class: 'btn btn--primary', type: 'button', 'data-testid': 'new-product',
    onClick: () => { const box = dialog('New product', productForm(null, () => { box.close(); list.reload(1); })); },
  }, 'New product');
  return h('div', { class: 'page' }, pageHead('Products', { eyebrow: 'Administration', actions: create }), card(null, list.el));
}

function userForm(onSaved) {
  const roles = ['analyst', 'manager', 'director', 'admin'];
  if (session.role() === 'super_admin') roles.push('super_admin');
  return form({
    submit: 'Create account',
    props: { 'data-testid': 'user-form', 'aria-label': 'New staff account' },
    fields: [
      { name: 'full_name', label: 'Full name', required: true },
      { name: 'email', label: 'Email', type: 'email', required: true, autocomplete: 'off' },
      { name: 'role', label: 'Role', type: 'select', value: 'analyst', options: roles.map((r) => [r, roleName(r)]) },
      { name: 'password', label: 'First password', type: 'password', required: true, autocomplete: 'new-password', hint: 'At least 10 characters; share it safely.' },
    ],
    onSubmit: async (values) => {
      const { _action, ...body } = values;
      const user = await api('/users', { method: 'POST', body, idempotent: true });
      toast(`${user.full_name} can sign in now.`, 'ok');
      onSaved(user);
    },
  });
}

function userActions(user, reload) {
  const role = h('select', { 'aria-label': `Role of ${user.full_name}`, class: 'select--inline' },
    ['client', 'analyst', 'manager', 'director', 'admin', 'super_admin'].map((r) => h('option', { value: r, selected: r === user.role }, roleName(r))));
  const status = h('select', { 'aria-label': `Status of ${user.full_name}`, class: 'select--inline' },
    ['active', 'disabled'].map((s) => h('option', { value: s, selected: s === user.status }, label(s))));
  return h('span', { class: 'toolbar' }, role, status, h('button', {
    class: 'btn btn--ghost btn--small', type: 'button',
    onClick: async () => {
      const change = {};
      if (role.value !== user.role) change.role = role.value;
      if (status.value !== user.status) change.status = status.value;
      if (!Object.keys(change).length) return;
      try {
        await api(`/users/${user.id}`, { method: 'PATCH', body: change, version: user.version });
        toast(`${user.full_name} updated.`, 'ok');
      } catch (error) { toast(error.friendly, 'error'); }
      reload();
    },
  }, 'Save', h('span', { class: 'visually-hidden' }, ` ${user.full_name}`)));
}

export function usersView({ query }) {
  const list = pagedTable({
    caption: 'Accounts',
    load: (page, pageSize) => api('/users', { query: { page, page_size: pageSize, role: query.role, status: query.status, q: query.q } }),
    rowProps: () => ({ 'data-testid': 'user-row' }),
    columns: [
      { label: 'Name', className: 'wrap', render: (u) => h('span', {}, h('strong', {}, entered(u.full_name)), h('br'), h('span', { class: 'muted' }, entered(u.email))) },
      { label: 'Role', render: (u) => roleName(u.role) },
      { label: 'Status', render: (u) => badge(u.status) },
      { label: 'MFA', render: (u) => (u.mfa_enabled ? 'On' : 'Off') },
      { label: 'Created', render: (u) => date(u.created_at) },
      { label: 'Change', render: (u) => userActions(u, () => list.reload()) },
    ],
  });
  const filters = form({
    submit: 'Search',
    className: 'filters',
    columns: 4,
    props: { role: 'search', 'aria-label': 'Find accounts' },
    fields: [
      { name: 'q', label: 'Name or email', type: 'search', value: query.q },
      { name: 'role', label: 'Role', type: 'select', value: query.role, options: [['', 'Any role'], ...['client', 'analyst', 'manager', 'director', 'admin', 'super_admin'].map((r) => [r, roleName(r)])] },
      { name: 'status', label: 'Status', type: 'select', value: query.status, options: [['', 'Any status'], ['active', 'Active'], ['disabled', 'Disabled'], ['pending_verification', 'Pending verification']] },
    ],
    onSubmit: ({ q, role, status }) => go('/admin/users', { q, role, status }),
  });
  const create = h('button', {
    class: 'btn btn--primary', type: 'button', 'data-testid': 'new-user',
    onClick: () => { const box = dialog('New staff account', userForm(() => { box.close(); list.reload(1); })); },
  }, 'New staff account');
  return h('div', { class: 'page' }, pageHead('Users', { eyebrow: 'Administration', actions: create }), card(null, [filters, list.el]));
}

const APPROVER_ROLES = ['analyst', 'manager', 'director'];

function policyForm(policy, onSaved) {
  const tiers = policy.stages.map((s) => ({ ...s }));
  const host = h('div');
  /** Reads what is typed into the tier rows, so adding or removing a row keeps it. */
  const harvest = () => tiers.forEach((tier, i) => {
    const max = host.querySelector(`[name="stages[${i}].max_amount"]`);
    if (max) tier.max_amount = max.value.trim() || null;
    const boxes = host.querySelectorAll(`[name="stages[${i}].roles"]:checked`);
    if (host.querySelector(`[name="stages[${i}].roles"]`)) tier.roles = [...boxes].map((b) => b.value);
  });
  const draw = () => {
    const tierFields = tiers.flatMap((tier, i) => [
      h('h3', { class: 'subhead field--wide' }, `Tier ${i + 1}`,
        tiers.length > 1 ? h('button', { class: 'btn btn--ghost btn--small', type: 'button', onClick: () => { harvest(); tiers.splice(i, 1); draw(); } }, 'Remove', h('span', { class: 'visually-hidden' }, ` tier ${i + 1}`)) : null),
      { name: `stages[${i}].max_amount`, label: 'Up to amount', decimal: true, value: tier.max_amount || '', hint: 'Empty: no upper limit (the last tier).' },
      { name: `stages[${i}].roles`, label: 'Approval chain', type: 'checks', value: tier.roles, options: APPROVER_ROLES.map((r) => [r, roleName(r)]) },
    ]);
    mount(host, form({
      submit: 'Save policy',
      props: { 'data-testid': 'policy-form', 'aria-label': 'Approval policy' },
      fields: [
        ...tierFields,
        h('p', { class: 'field--wide' }, h('button', { class: 'btn btn--ghost btn--small', type: 'button', onClick: () => { harvest(); tiers.push({ max_amount: null, roles: ['analyst'] }); draw(); } }, '+ Add a tier')),
        h('h3', { class: 'subhead field--wide' }, 'Service levels'),
        ...APPROVER_ROLES.map((r) => ({ name: `sla_hours.${r}`, label: `${roleName(r)} (hours)`, integer: true, required: true, value: policy.sla_hours?.[r] ?? 24 })),
        { name: 'auto_decline_risk', label: 'Decline automatically at risk', required: true, value: policy.auto_decline_risk, hint: 'At most 0.75; lower declines more applications without a person.', inputmode: 'decimal' },
      ],
      onSubmit: async (values) => {
        const body = {
          stages: tiers.map((_, i) => ({ max_amount: values[`stages[${i}].max_amount`] || null, roles: values[`stages[${i}].roles`] })),
          sla_hours: Object.fromEntries(APPROVER_ROLES.map((r) => [r, values[`sla_hours.${r}`]])),
          auto_decline_risk: values.auto_decline_risk,
        };
        onSaved(await api('/approvals/policy', { method: 'PUT', body, version: policy.version }));
      },
    }));
  };
  draw();
  return host;
}

export function policyView() {
  const host = h('div');
  const load = () => fill(host, () => api('/approvals/policy'), (policy) => [
    h('p', { class: 'muted' }, `Version ${policy.version ?? '—'}${policy.updated_at ? `, changed ${dateTime(policy.updated_at)}` : ''}. A saved policy applies to analyses completed after it.`),
    policyForm(policy, () => { toast('Policy saved.', 'ok'); load(); }),
  ]);
  load();
  return h('div', { class: 'page' },
    pageHead('Approval policy', { eyebrow: 'Administration', lead: 'Who approves what: amount tiers, each with its chain of roles, the service level per role and the automatic decline threshold.' }),
    card('Current policy', host));
}
