// The staff console: my tasks (with due times), the application list, and the review of one
// application — analysis, customer, documents, approval chain — with its decision.
import { api, ApiError } from '../api.js';
import { DOCUMENT_TYPES, documentName, product, productNames } from '../catalog.js';
import { gauge } from '../charts.js';
import { h, mount } from '../dom.js';
import { field, form } from '../forms.js';
import { date, dateTime, label, money, percent, plural, rate, relative, sameId, shortId } from '../format.js';
import * as live from '../live.js';
import { ADMINS, SUPERVISORS } from '../roles.js';
import { go, link } from '../router.js';
import * as session from '../session.js';
import { pagedTable } from '../table.js';
import { badge, card, details, entered, failure, figure, loading, pageHead, toast } from '../ui.js';
import { reasons } from '../wording.js';
import { documentsList, stageChain, timeline } from './applications.js';
import { applicationRow } from './portal.js';

const APPLICATION_STATES = ['submitted', 'under_analysis', 'pending_approval', 'documents_requested', 'approved', 'rejected', 'withdrawn', 'disbursed', 'closed'];
const RISK_LIMIT = 0.75;

/** A filter bar that writes its values into the route's query (a GET form over the hash). */
function filterBar(path, fields, query, testid) {
  const el = form({
    submit: 'Apply filters',
    className: 'filters',
    columns: 4,
    props: { 'data-testid': testid, 'aria-label': 'Filters', role: 'search' },
    fields: fields.map((f) => ({ ...f, value: query[f.name] ?? f.value })),
    actions: [h('a', { class: 'btn btn--ghost', href: `#${path}` }, 'Clear')],
    onSubmit: (values) => {
      const { _action, ...rest } = values;
      go(path, Object.fromEntries(Object.entries(rest).map(([k, v]) => [k, v === true ? 'true' : v === false ? '' : v])));
    },
  });
  return el;
}

export function tasksView({ query, signal }) {
  const role = session.role();
  const supervisor = SUPERVISORS.includes(role);
  const status = query.status ?? 'open';
  let me = null;
  const list = pagedTable({
    caption: 'Approval tasks',
    load: async (page, pageSize) => {
      me ||= await session.currentUser();
      return api('/approvals/tasks', {
        query: {
          page, page_size: pageSize, status: status === 'all' ? undefined : status, role: query.role,
          assignee: supervisor && query.whose === 'any' ? 'any' : undefined,
          overdue: query.overdue === 'true' ? true : undefined, application_id: query.application_id,
        },
      });
    },
    emptyText: status === 'open' ? 'No open tasks: nothing is waiting for you.' : 'No tasks match.',
    rowProps: (t) => ({ 'data-testid': 'task-row', 'data-application-id': t.application_id, 'data-overdue': String(t.overdue) }),
    columns: [
      {
        label: 'Applicant',
        className: 'wrap',
        render: (t) => h('a', { href: `#/staff/applications/${t.application_id}`, 'data-testid': 'task-open' },
          entered(t.application?.applicant_name) || 'Applicant without a profile', h('span', { class: 'muted ref' }, ` · ${shortId(t.application_id)}`)),
      },
      { label: 'Loan', className: 'wrap', render: (t) => (t.application ? [`${money(t.application.amount)} · `, entered(t.application.product_name) || 'Loan'] : '—') },
      { label: 'Level', render: (t) => `${t.level} · ${label(t.role)}` },
      { label: 'Status', render: (t) => badge(t.awaiting_documents ? 'documents_requested' : t.status) },
      { label: 'Assignee', render: (t) => (!t.assignee_id ? 'Unassigned' : sameId(t.assignee_id, me?.id) ? 'You' : entered(t.assignee?.full_name) || 'Another reviewer') },
      {
        label: 'Due',
        render: (t) => (t.status !== 'open' || !t.due_at ? '—' : h('span', { class: t.overdue ? 'is-overdue' : '', title: dateTime(t.due_at) },
          relative(t.due_at), t.overdue ? h('span', { class: 'badge badge--bad badge--inline' }, 'Overdue') : null)),
      },
      { label: 'Decision', render: (t) => (t.decision ? label(t.decision) : '—') },
    ],
  });
  live.on('stage_assigned', () => list.reload(), signal);
  live.on('new_application', () => list.reload(), signal);
  const filters = filterBar('/staff/tasks', [
    supervisor ? { name: 'whose', label: 'Whose', type: 'select', value: 'mine', options: [['mine', 'Mine'], ['any', 'Everyone’s']] } : null,
    { name: 'status', label: 'Status', type: 'select', value: 'open', options: [['open', 'Open'], ['waiting', 'Waiting'], ['decided', 'Decided'], ['all', 'All']] },
    { name: 'role', label: 'Role', type: 'select', options: [['', 'Any role'], ['analyst', 'Analyst'], ['manager', 'Manager'], ['director', 'Director']] },
    { name: 'application_id', label: 'Application ID', autocomplete: 'off', spellcheck: 'false' },
    { name: 'overdue', label: 'Overdue only', type: 'checkbox', value: query.overdue === 'true' },
  ].filter(Boolean), query, 'task-filters');
  return h('div', { class: 'page' },
    pageHead('My tasks', { eyebrow: 'Staff console', lead: 'Approval stages waiting for a decision, newest first, with their due times. New work appears here as it is assigned.' }),
    card(null, [filters, list.el]));
}

export function staffApplicationsView({ query }) {
  let names = new Map();
  const list = pagedTable({
    caption: 'Applications',
    load: async (page, pageSize) => {
      const found = await api('/applications', {
        query: {
          page, page_size: pageSize, status: query.status, min_amount: query.min_amount, max_amount: query.max_amount,
          from: query.from, to: query.to, product_id: query.product_id, customer_id: query.customer_id, sort: query.sort || '-created_at',
        },
      });
      names = await productNames(found.items.map((a) => a.product_id));
      return found;
    },
    rowProps: applicationRow,
    columns: [
      { label: 'Application', render: (a) => h('a', { href: `#/staff/applications/${a.id}` }, shortId(a.id)) },
      { label: 'Product', render: (a) => entered(names.get(a.product_id)) || 'A product no longer listed' },
      { label: 'Amount', numeric: true, render: (a) => money(a.amount) },
      { label: 'Risk', numeric: true, render: (a) => (a.risk_score == null ? (['submitted', 'under_analysis'].includes(a.status) ? 'Analysing' : '—') : percent(a.risk_score)) },
      { label: 'Submitted', render: (a) => dateTime(a.created_at) },
      { label: 'Status', render: (a) => badge(a.status) },
    ],
  });
  const filters = filterBar('/staff/applications', [
    { name: 'status', label: 'Status', type: 'select', options: [['', 'Any status'], ...APPLICATION_STATES.map((s) => [s, label(s)])] },
    { name: 'from', label: 'Submitted from', type: 'date' },
    { name: 'to', label: 'Submitted to', type: 'date' },
    { name: 'sort', label: 'Order', type: 'select', options: [['-created_at', 'Newest first'], ['created_at', 'Oldest first'], ['-amount', 'Largest first'], ['amount', 'Smallest first']] },
  ], query, 'application-filters');
  return h('div', { class: 'page' }, pageHead('Applications', { eyebrow: 'Staff console' }), card(null, [filters, list.el]));
}

function analysisCard(app) {
  const a = app.analysis;
  if (!a || a.score === undefined) {
    return card('Analysis', h('p', { class: 'muted', 'data-testid': 'analysis-pending' }, 'The credit analysis is running; this updates when it completes.'));
  }
  const risk = Number(a.risk_score);
  const tone = risk >= RISK_LIMIT ? 'bad' : risk >= 0.4 ? 'warn' : 'ok';
  return card('Analysis', h('div', { class: 'analysis', 'data-testid': 'analysis' },
    gauge('Credit score', a.score, { min: 300, max: 900, tone }),
    h('div', { class: 'figures figures--3' },
      figure('Score', String(a.score), { 'data-testid': 'analysis-score' }),
      figure('Risk of default', a.risk_score, { 'data-testid': 'analysis-risk' }, percent(a.risk_score)),
      figure('Debt to income', a.dti == null ? '—' : percent(a.dti), { 'data-testid': 'analysis-dti' }, 'including the new instalment')),
    h('p', {}, 'Recommendation: ', badge(a.recommendation, { 'data-testid': 'analysis-recommendation' }),
      h('span', { class: 'muted' }, ` · scorecard ${a.scorecard_version || '—'}${a.bureau_used ? ' · bureau consulted' : ''}`)),
    h('div', {}, h('h3', { class: 'subhead' }, 'Reason codes'),
      a.reason_codes?.length
        ? h('ul', { class: 'reasons', 'data-testid': 'reason-codes' }, a.reason_codes.map((code) => h('li', { 'data-testid': 'reason-code', 'data-code': code }, reasons([code])[0], ' ', h('code', { class: 'reasons__code' }, code))))
        : h('p', { class: 'muted', 'data-testid': 'reason-codes' }, 'None: no adverse factor.'))));
}

function customerCard(customer) {
  if (!customer) return card('Applicant', h('p', { class: 'muted' }, 'The applicant’s file could not be read.'));
  const p = customer.profile || {};
  const f = customer.financial || {};
  const e = customer.employment || {};
  const s = customer.loan_summary || {};
  return card('Applicant', details([
    ['Name', entered(p.full_name) || '—'],
    ['Phone', p.phone || '—'],
    ['Born', date(p.date_of_birth)],
    ['Monthly income', money(f.monthly_income)],
    ['Monthly expenses', money(f.monthly_expenses)],
    ['Existing debt a month', money(f.existing_monthly_debt)],
    ['Employment', `${label(e.employment_type)}${e.years_employed !== undefined ? `, ${e.years_employed} years` : ''}`],
    e.employer ? ['Employer', `${e.employer}${e.job_title ? ` · ${e.job_title}` : ''}`] : null,
    ['History here', `${plural(s.applications ?? 0, 'application')} · ${s.active_loans ?? 0} active, ${s.closed_loans ?? 0} closed loans`],
  ]));
}

/** Why the signed-in person can or cannot decide the current stage. */
function decisionRight(app, user) {
  const stage = (app.stages || []).find((s) => s.status === 'open');
  if (!stage) return { stage: null, reason: app.status === 'under_analysis' || app.status === 'submitted' ? 'The analysis has not finished.' : 'No stage is open for a decision.' };
  if (stage.awaiting_documents) return { stage, reason: 'Waiting for the client’s documents; the stage resumes when they upload.' };
  if ((app.stages || []).some((s) => sameId(s.decided_by, user.id))) return { stage, reason: 'You decided another level of this application: someone else decides this one (maker-checker).' };
  if (!sameId(stage.assignee_id, user.id) && !ADMINS.includes(user.role)) return { stage, reason: 'This stage is assigned to someone else.' };
  return { stage, reason: null };
}

function decisionPanel(app, user, onDecided) {
  const { stage, reason } = decisionRight(app, user);
  if (reason) return card('Decision', h('p', { class: 'muted', 'data-testid': 'decision-unavailable' }, reason));
  const risky = Number(app.analysis?.risk_score) >= RISK_LIMIT;
  const button = (decision, text, kind) => h('button', {
    class: `btn ${kind}`, type: 'submit', 'data-action': decision, 'data-testid': `decide-${decision}`,
    disabled: decision === 'approve' && risky ? true : null,
  }, text);
  const el = form({
    submit: null,
    columns: 1,
    props: { 'data-testid': 'decision-form', 'aria-label': 'Decide this stage' },
    fields: [
      { name: 'comment', label: 'Comment', type: 'textarea', rows: 3, hint: 'Required to reject or to ask for documents; the client sees it when documents are requested.' },
      field({ name: 'documents', label: 'Documents to ask for', type: 'checks', options: DOCUMENT_TYPES.map((t) => [t, documentName(t)]) }),
    ],
    actions: [
      button('reject', 'Reject', 'btn--danger'),
      button('request_documents', 'Request documents', 'btn--ghost'),
      button('approve', 'Approve', 'btn--success'),
    ],
    onSubmit: async (values) => {
      const decision = values._action;
      const errors = [];
      if (decision !== 'approve' && !values.comment) errors.push({ field: 'comment', message: 'Say why, for the record (and for the client).' });
      if (decision === 'request_documents' && !values.documents.length) errors.push({ field: 'documents', message: 'Choose at least one document.' });
      if (errors.length) throw new ApiError(422, { errors });
      const body = { decision, comment: values.comment || undefined, documents: decision === 'request_documents' ? values.documents : undefined };
      const decided = await api(`/applications/${app.id}/decisions`, { method: 'POST', body });
      toast(`Decision saved: the application is now ${label(decided.status).toLowerCase()}.`, 'ok');
      onDecided(decided);
    },
  });
  return card(`Decision · level ${stage.level} (${label(stage.role)})`, [
    stage.due_at ? h('p', { class: ['muted', stage.overdue && 'is-overdue'] }, `Due ${dateTime(stage.due_at)} (${relative(stage.due_at)})`) : null,
    risky ? h('p', { class: 'notice notice--bad', role: 'note' }, `Risk ${app.analysis.risk_score} is at or above ${RISK_LIMIT}: it cannot be approved.`) : null,
    el,
  ], { props: { 'data-testid': 'decision-panel' } });
}

function disbursePanel(app, user) {
  if (app.status !== 'approved' || !ADMINS.includes(user.role)) return null;
  return card('Pay out', form({
    submit: 'Disburse',
    columns: 1,
    props: { 'data-testid': 'disburse-form', 'aria-label': 'Disburse' },
    fields: [{ name: 'disbursement_date', label: 'Disbursement date', type: 'date', hint: 'Today if left empty.' }],
    onSubmit: async (values) => {
      const loan = await api(`/applications/${app.id}/disburse`, { method: 'POST', body: values.disbursement_date ? { disbursement_date: values.disbursement_date } : {} });
      toast('Disbursed: the loan and its schedule are created.', 'ok');
      go(`/staff/loans/${loan.id}`);
    },
  }));
}

export function reviewView({ params, signal }) {
  const head = h('div', {}, pageHead(`Application ${shortId(params.id)}`, { eyebrow: 'Review' }));
  const host = h('div', {}, loading());
  const render = (app, p, customer, user) => {
    mount(head, pageHead(`Application ${shortId(app.id)}`, {
      eyebrow: 'Review',
      lead: [entered(p?.name) || 'Loan', ` · ${money(app.amount)} over ${app.term_months} months${p ? ` at ${rate(p.annual_rate)}` : ''}`],
      actions: badge(app.status, { 'data-testid': 'application-status' }),
    }));
    const missing = app.missing_documents || [];
    mount(host, h('div', { class: 'grid grid--sidebar', 'data-testid': 'review', 'data-application-id': app.id },
      h('div', { class: 'stack' },
        analysisCard(app),
        card('Documents', [
          missing.length ? h('p', { class: 'notice notice--warn', role: 'note' }, `Missing: ${missing.map(documentName).join(', ')}`) : null,
          documentsList(app),
        ]),
        card('Approval chain', stageChain(app)),
        card('Request', details([
          ['Purpose', entered(app.purpose)],
          ['Amount', money(app.amount)],
          ['Term', `${app.term_months} months`],
          ['Submitted', dateTime(app.created_at)],
          ['Customer', h('a', { href: link('/staff/applications', { customer_id: app.customer_id }) }, `${shortId(app.customer_id)} (all applications)`)],
        ]))),
      h('div', { class: 'stack' },
        decisionPanel(app, user, (decided) => render(decided, p, customer, user)),
        disbursePanel(app, user),
        customerCard(customer),
        card('Timeline', timeline(app)))));
  };
  let waiting = false;
  const refresh = async () => {
    const app = await api(`/applications/${params.id}`);
    const [p, customer, user] = await Promise.all([product(app.product_id), api(`/customers/${app.customer_id}`).catch(() => null), session.currentUser()]);
    waiting = ['submitted', 'under_analysis', 'documents_requested'].includes(app.status);
    if (!signal.aborted) render(app, p, customer, user);
  };
  const mine = (push) => sameId(push.data?.application_id, params.id);
  for (const type of ['stage_assigned', 'new_application', 'application_status_changed', 'documents_requested']) {
    live.on(type, (push) => { if (mine(push)) refresh(); }, signal);
  }
  // Staff hear no push when a client uploads or an analysis lands on someone else's stage: while
  // the page waits on either, it looks again every few seconds (and stops when the route changes).
  const poll = setInterval(() => {
    if (waiting && !document.hidden && !host.contains(document.activeElement)) refresh().catch(() => {});
  }, 5000);
  signal.addEventListener('abort', () => clearInterval(poll));
  const begin = () => { mount(host, loading()); refresh().catch((error) => mount(host, failure(error, begin))); };
  begin();
  return h('div', { class: 'page' }, head, host);
}
