// The operator's dashboard (super admin; managers and admins see the reports their role may
// read): traffic, portfolio, approval funnel and stage times, tickets, audit activity — each
// chart filtered by `from`/`to` and drilling down into the list behind a bar or segment.
import { ApiError, api } from '../api.js';
import { barChart, donutChart } from '../charts.js';
import { h, mount } from '../dom.js';
import { form } from '../forms.js';
import { compactMoney, count, dateTime, hours, isoDate, label, money, percent, shortId } from '../format.js';
import { ADMINS, SUPERVISORS, roleName } from '../roles.js';
import { go, link } from '../router.js';
import * as session from '../session.js';
import { pagedTable, table } from '../table.js';
import { card, confirm, empty, failure, fill, figure, loading, pageHead, subnav, toast, tone } from '../ui.js';
import { actionName } from '../wording.js';

const SUPER = ['super_admin'];
const STATUS_CLASS_TONES = { '2xx': 'ok', '3xx': 'info', '4xx': 'warn', '5xx': 'bad' };
const entries = (object) => Object.entries(object || {}).sort((a, b) => b[1] - a[1]);

/** The from/to of the route, as query parameters for the API (empty ones left out). */
const period = (query) => ({ from: query.from || undefined, to: query.to || undefined });

function dashboardNav(current) {
  return subnav([['#/dashboard', 'Overview'], ['#/dashboard/traffic', 'Traffic'], ['#/dashboard/audit', 'Audit log'], ['#/dashboard/dead-letters', 'Dead letters']],
    current, 'Dashboard sections');
}

/** From/to dates with quick presets; writes them into the route's query. */
function dateFilter(path, query, extra = {}) {
  const today = new Date();
  const daysAgo = (n) => isoDate(new Date(today.getTime() - n * 86400000));
  const preset = (text, from) => h('a', {
    class: ['chip chip--link', (query.from || '') === (from || '') && (from ? query.to === isoDate(today) : !query.to) ? 'is-active' : null],
    href: link(path, { ...extra, from, to: from ? isoDate(today) : undefined }),
  }, text);
  return h('div', { class: 'date-filter', 'data-testid': 'date-filter' },
    form({
      submit: 'Apply',
      className: 'filters',
      columns: 4,
      props: { role: 'search', 'aria-label': 'Period' },
      fields: [
        { name: 'from', label: 'From', type: 'date', value: query.from, max: isoDate(today) },
        { name: 'to', label: 'To', type: 'date', value: query.to, max: isoDate(today) },
      ],
      onSubmit: ({ from, to }) => {
        // Checked here: the API refuses such a period in every card, which says less.
        if (from && to && from > to) {
          throw new ApiError(422, { detail: 'The period ends before it starts.', errors: [{ field: 'to', message: 'Choose a date on or after From.' }] });
        }
        go(path, { ...extra, from, to });
      },
    }),
    h('p', { class: 'chips', 'aria-label': 'Quick periods' }, preset('All time', undefined), preset('Today', daysAgo(0)), preset('Last 7 days', daysAgo(6)), preset('Last 30 days', daysAgo(29))));
}

/** Runs the fetchers the role may call; each result is {value} or {error}. */
async function gather(fetchers) {
  const keys = Object.keys(fetchers);
  const settled = await Promise.allSettled(keys.map((k) => fetchers[k]()));
  return Object.fromEntries(keys.map((k, i) => [k, settled[i].status === 'fulfilled' ? { value: settled[i].value } : { error: settled[i].reason }]));
}

function section(title, result, render, testid) {
  if (!result) return null;
  return card(title, result.error ? failure(result.error) : render(result.value), { props: { 'data-testid': testid } });
}

function kpis(data) {
  const v = (key) => data[key]?.value;
  const cells = [
    v('portfolio') ? figure('Applications', count(v('portfolio').total ?? 0), { 'data-testid': 'kpi-applications' }, `${money(v('portfolio').sum_amount)} requested`) : null,
    v('traffic') ? figure('API requests', count(v('traffic').total_requests ?? 0), { 'data-testid': 'kpi-traffic' }, `${percent(v('traffic').error_rate ?? 0, 2)} server errors`) : null,
    v('approvals') ? figure('Approved', count(v('approvals').approved ?? 0), { 'data-testid': 'kpi-approved' }, `avg ${hours(v('approvals').avg_hours_to_decision)} to a decision`) : null,
    v('portfolio') ? figure('Outstanding principal', compactMoney(v('portfolio').outstanding_principal), { 'data-testid': 'kpi-outstanding', title: money(v('portfolio').outstanding_principal) }, `${money(v('portfolio').disbursed_amount)} disbursed`) : null,
    v('tickets') ? figure('Open tickets', count((v('tickets').open ?? 0) + (v('tickets').in_progress ?? 0)), { 'data-testid': 'kpi-tickets' }, `${count(v('tickets').sla_breached ?? 0)} past their SLA`) : null,
  ].filter(Boolean);
  return h('div', { class: 'figures figures--kpi', 'data-testid': 'kpis' }, cells);
}

function trafficSection(traffic, query) {
  return h('div', { class: 'chart-grid' },
    barChart('Requests by role', entries(traffic.by_role).map(([role, n]) => ({ label: role === 'anonymous' ? 'Signed out' : roleName(role), value: n, display: count(n) })),
      { testid: 'chart-traffic-role', valueLabel: 'Requests' }),
    donutChart('Answers by status class', entries(traffic.by_status_class).map(([cls, n]) => ({ label: cls, value: n, display: count(n), tone: STATUS_CLASS_TONES[cls] })),
      { testid: 'chart-status-class', valueLabel: 'Requests', centre: count(traffic.total_requests ?? 0), centreLabel: 'requests' }),
    barChart('Top routes', (traffic.top_paths || []).slice(0, 10).map((p) => ({
      label: `${p.method} ${p.path.replace('/api/v1', '')}`, value: p.count, display: `${count(p.count)} · p95 ${p.p95_ms} ms`, short: count(p.count),
      onSelect: () => go('/dashboard/traffic', { ...period(query), path: p.path }),
    })), { testid: 'chart-top-routes', valueLabel: 'Requests · p95' }));
}

function portfolioSection(portfolio, query) {
  const statuses = entries(portfolio.by_status).map(([status, n]) => ({
    label: label(status), value: n, tone: tone(status), display: count(n), onSelect: () => go('/staff/applications', { ...period(query), status }),
  }));
  return h('div', { class: 'chart-grid chart-grid--wide' },
    barChart('Applications by status', statuses, { testid: 'chart-portfolio', valueLabel: 'Applications', note: 'Choose a bar to list those applications.' }),
    h('div', { class: 'figures figures--2' },
      figure('Average risk score', portfolio.avg_risk_score ?? '—'),
      figure('Requested', compactMoney(portfolio.sum_amount), { title: money(portfolio.sum_amount) }),
      figure('Disbursed', compactMoney(portfolio.disbursed_amount), { title: money(portfolio.disbursed_amount) }),
      figure('Outstanding', compactMoney(portfolio.outstanding_principal), { title: money(portfolio.outstanding_principal) })));
}

function approvalsSection(approvals, query) {
  const drill = (status) => (status ? () => go('/staff/applications', { ...period(query), status }) : undefined);
  const funnel = [
    ['Submitted', approvals.submitted, null, 'info'],
    ['In progress', approvals.in_progress, 'pending_approval', 'warn'],
    ['Approved', approvals.approved, 'approved', 'ok'],
    ['Rejected by a person', approvals.rejected, 'rejected', 'bad'],
    ['Declined by policy', approvals.auto_declined, 'rejected', 'bad'],
  ].map(([text, n, status, shade]) => ({ label: text, value: n ?? 0, display: count(n ?? 0), tone: shade, onSelect: drill(status) }));
  const stages = (approvals.by_stage || []).map((s) => ({
    label: roleName(s.role), value: s.avg_hours ?? 0, short: hours(s.avg_hours),
    display: `${hours(s.avg_hours)} avg · ${count(s.decided ?? 0)} decided · ${count(s.sla_breaches ?? 0)} SLA breaches`,
  }));
  return h('div', { class: 'chart-grid' },
    barChart('Approval funnel', funnel, { funnel: true, testid: 'chart-funnel', valueLabel: 'Applications' }),
    barChart('Time a level stays open', stages, { testid: 'chart-stage-times', valueLabel: 'Average hours', note: `Average ${hours(approvals.avg_hours_to_decision)} from submission to decision.` }));
}

function ticketsSection(tickets) {
  const byStatus = [['open', tickets.open], ['in_progress', tickets.in_progress], ['resolved', tickets.resolved]]
    .map(([status, n]) => ({ label: label(status), value: n ?? 0, tone: tone(status), display: count(n ?? 0), onSelect: () => go('/staff/tickets', { status }) }));
  const byPriority = entries(tickets.by_priority).map(([priority, n]) => ({
    label: label(priority), value: n, tone: tone(priority), display: count(n), onSelect: () => go('/staff/tickets', { priority }),
  }));
  return h('div', { class: 'chart-grid' },
    donutChart('Tickets by status', byStatus, { testid: 'chart-ticket-status', valueLabel: 'Tickets', centreLabel: 'tickets' }),
    barChart('Tickets by priority', byPriority, { testid: 'chart-ticket-priority', valueLabel: 'Tickets', note: `${count(tickets.sla_breached ?? 0)} breached their SLA in this period.` }));
}

function auditSection(page, query) {
  const actions = {};
  page.items.forEach((e) => { actions[e.action] = (actions[e.action] || 0) + 1; });
  return h('div', { class: 'chart-grid' },
    barChart(`Staff and security actions (latest ${count(page.items.length)} of ${count(page.total)})`, entries(actions).map(([action, n]) => ({
      label: actionName(action), value: n, display: count(n), onSelect: () => go('/dashboard/audit', { ...period(query), action }),
    })), { testid: 'chart-audit-actions', valueLabel: 'Entries' }),
    h('div', {}, h('h3', { class: 'chart__title' }, 'Integrity'),
      h('p', { class: 'muted' }, 'Each entry holds the hash of the one before; verification walks the whole chain.'), verifyBox()));
}

/** Walks the audit hash chain and says whether it holds. */
function verifyBox() {
  const out = h('div', { class: 'verify__result', 'aria-live': 'polite' });
  const button = h('button', {
    class: 'btn btn--primary', type: 'button', 'data-testid': 'audit-verify',
    onClick: () => fill(out, () => api('/audit-log/verify'), (result) => h('p', {
      class: `notice ${result.valid ? 'notice--ok' : 'notice--bad'}`, 'data-testid': 'audit-verify-result', 'data-valid': String(result.valid),
    }, result.valid ? `The chain holds: ${count(result.entries)} entries verified.` : `The chain is broken at entry ${result.broken_at} (of ${count(result.entries)}).`)),
  }, 'Verify the audit chain');
  return h('div', { class: 'verify' }, button, out);
}

export function dashboardView({ query, signal }) {
  const role = session.role();
  const host = h('div', { class: 'stack' }, loading('Loading the figures…'));
  const q = period(query);
  const allowed = (roles) => roles.includes(role);
  const fetchers = {};
  if (allowed(SUPER)) fetchers.traffic = () => api('/analytics/traffic', { query: q });
  if (allowed(ADMINS)) fetchers.portfolio = () => api('/reports/portfolio', { query: q });
  if (allowed(SUPERVISORS)) fetchers.approvals = () => api('/analytics/approvals', { query: q });
  if (allowed(ADMINS)) fetchers.tickets = () => api('/analytics/tickets', { query: q });
  if (allowed(SUPER)) fetchers.audit = () => api('/audit-log', { query: { ...q, page_size: 100 } });
  const stamp = h('span', { class: 'muted', 'aria-live': 'polite' });
  const load = () => gather(fetchers).then((data) => {
    if (signal.aborted) return;
    mount(host,
      kpis(data),
      section('Traffic', data.traffic, (v) => trafficSection(v, query), 'section-traffic'),
      section('Portfolio', data.portfolio, (v) => portfolioSection(v, query), 'section-portfolio'),
      section('Approvals', data.approvals, (v) => approvalsSection(v, query), 'section-approvals'),
      section('Support tickets', data.tickets, ticketsSection, 'section-tickets'),
      section('Audit activity', data.audit, (v) => auditSection(v, query), 'section-audit'));
    stamp.textContent = `Updated ${new Date().toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit' })}`;
  });
  load();
  // Fresh figures every half minute, unless someone is working inside the charts.
  const timer = setInterval(() => { if (!host.contains(document.activeElement)) load(); }, 30_000);
  signal.addEventListener('abort', () => clearInterval(timer));
  const refresh = h('button', { class: 'btn btn--ghost', type: 'button', 'data-testid': 'dashboard-refresh', onClick: load }, 'Refresh');
  return h('div', { class: 'page page--wide' },
    pageHead(role === 'super_admin' ? 'Dashboard' : 'Reports', {
      eyebrow: 'Operations', lead: 'Choose a bar or a segment (or focus it and press Enter) to open the list behind it.', actions: [stamp, refresh],
    }),
    role === 'super_admin' ? dashboardNav('#/dashboard') : null,
    dateFilter('/dashboard', query),
    host);
}

export function trafficView({ query }) {
  const host = h('div', { class: 'stack' }, loading());
  const q = { ...period(query), path: query.path };
  fill(host, () => api('/analytics/traffic', { query: q }), (traffic) => {
    const paths = traffic.top_paths || [];
    return [
      h('div', { class: 'figures figures--3' },
        figure(query.path ? 'Requests to this route' : 'Requests', count(query.path ? paths.reduce((n, p) => n + p.count, 0) : traffic.total_requests ?? 0), { 'data-testid': 'traffic-count' }),
        figure('Server error rate (all routes)', percent(traffic.error_rate ?? 0, 2)),
        figure('Routes shown', count(paths.length))),
      card(query.path ? `Route ${query.path}` : 'Top routes', paths.length ? table({
        caption: 'Routes',
        rows: paths,
        rowProps: () => ({ 'data-testid': 'route-row' }),
        columns: [
          { label: 'Route', render: (p) => (query.path ? `${p.method} ${p.path}` : h('a', { href: link('/dashboard/traffic', { ...period(query), path: p.path }) }, `${p.method} ${p.path}`)) },
          { label: 'Requests', numeric: true, render: (p) => count(p.count) },
          { label: 'p50', numeric: true, render: (p) => `${p.p50_ms} ms` },
          { label: 'p95', numeric: true, render: (p) => `${p.p95_ms} ms` },
        ],
      }) : empty('No requests to this route in the period.'), { props: { 'data-testid': 'traffic-detail' } }),
      barChart('Latency by route (p95, ms)', paths.map((p) => ({ label: `${p.method} ${p.path.replace('/api/v1', '')}`, value: p.p95_ms, display: `p50 ${p.p50_ms} · p95 ${p.p95_ms} ms`, short: `${p.p95_ms} ms` })),
        { valueLabel: 'Latency' }),
    ];
  });
  return h('div', { class: 'page page--wide' },
    pageHead(query.path ? 'Route traffic' : 'Traffic', { eyebrow: 'Dashboard', lead: query.path ? query.path : 'Requests per route template, with latency percentiles.' }),
    dashboardNav('#/dashboard/traffic'),
    dateFilter('/dashboard/traffic', query, { path: query.path }),
    query.path ? h('p', {}, h('a', { href: link('/dashboard/traffic', period(query)) }, '← All routes')) : null,
    host);
}

export function auditView({ query }) {
  const list = pagedTable({
    caption: 'Audit log',
    pageSize: 25,
    load: (page, pageSize) => api('/audit-log', {
      query: { page, page_size: pageSize, ...period(query), action: query.action, entity: query.entity, actor_id: query.actor_id },
    }),
    rowProps: (e) => ({ 'data-testid': 'audit-row', 'data-action': e.action }),
    columns: [
      { label: 'No. and hash', render: (e) => h('span', {}, String(e.seq), h('br'), h('code', { title: e.hash }, e.hash.slice(0, 10))) },
      { label: 'When', render: (e) => dateTime(e.at) },
      { label: 'Who', className: 'wrap', render: (e) => (e.actor_id ? h('a', { href: link('/dashboard/audit', { ...period(query), actor_id: e.actor_id }) }, `${e.actor_role ? roleName(e.actor_role) : 'Account'} ${shortId(e.actor_id)}`) : 'System') },
      { label: 'Action', className: 'wrap', render: (e) => h('a', { href: link('/dashboard/audit', { ...period(query), action: e.action }), title: e.action }, actionName(e.action)) },
      { label: 'Entity', className: 'wrap', render: (e) => `${label(e.entity)}${e.entity_id ? ` ${shortId(e.entity_id)}` : ''}` },
      {
        label: 'Details',
        className: 'wrap',
        // Folded: any entry's details fit the table, however long; unfolded they wrap.
        render: (e) => (Object.keys(e.details || {}).length
          ? h('details', { class: 'audit-details' }, h('summary', {}, Object.keys(e.details).map(label).join(', ')), h('code', { class: 'json-block' }, JSON.stringify(e.details, null, 1)))
          : '—'),
      },
    ],
  });
  const filters = form({
    submit: 'Filter',
    className: 'filters',
    columns: 4,
    props: { role: 'search', 'aria-label': 'Filter the audit log', 'data-testid': 'audit-filters' },
    fields: [
      { name: 'action', label: 'Action', value: query.action, placeholder: 'e.g. user.created' },
      { name: 'entity', label: 'Entity', value: query.entity },
      { name: 'actor_id', label: 'Actor ID', value: query.actor_id },
      { name: 'from', label: 'From', type: 'date', value: query.from },
      { name: 'to', label: 'To', type: 'date', value: query.to },
    ],
    actions: [h('a', { class: 'btn btn--ghost', href: '#/dashboard/audit' }, 'Clear')],
    onSubmit: ({ _action, ...values }) => go('/dashboard/audit', values),
  });
  return h('div', { class: 'page page--wide' },
    pageHead('Audit log', { eyebrow: 'Dashboard', lead: 'Every staff action and security event, hash-chained: each entry holds the hash of the one before.' }),
    dashboardNav('#/dashboard/audit'),
    card('Verification', verifyBox()),
    card(query.action ? `Entries: ${query.action}` : 'Entries', [filters, list.el]));
}

export function deadLettersView() {
  const host = h('div', { class: 'stack' }, loading());
  const load = () => fill(host, () => api('/admin/dead-letters'), (data) => {
    const queues = data.items || [];
    const parked = queues.reduce((n, q) => n + (q.count || 0), 0);
    return [
      h('div', { class: 'figures figures--2' },
        figure('Parked messages', count(parked), { 'data-testid': 'dead-letter-total' }),
        figure('Queues watched', count(queues.length))),
      barChart('Parked messages by queue', queues.filter((q) => q.count).map((q) => ({ label: q.queue, value: q.count, display: count(q.count) })), { valueLabel: 'Messages' }),
      queues.length ? table({
        caption: 'Dead-letter queues',
        rows: queues,
        rowProps: () => ({ 'data-testid': 'dead-letter-row' }),
        columns: [
          { label: 'Queue', render: (q) => h('span', {}, h('strong', {}, q.queue), h('br'), h('span', { class: 'muted' }, q.dead_letter_queue)) },
          { label: 'Parked', numeric: true, render: (q) => h('span', { class: q.count ? 'is-overdue' : '' }, count(q.count)) },
          {
            label: 'Samples',
            render: (q) => (q.samples?.length ? h('details', {}, h('summary', {}, `${q.samples.length} samples`),
              h('ul', { class: 'samples' }, q.samples.map((s) => h('li', {}, h('strong', {}, s.type || 'unknown type'), ' ', h('code', { class: 'json' }, (s.body || '').slice(0, 300)))))) : '—'),
          },
          {
            label: 'Replay',
            render: (q) => (q.count ? h('button', {
              class: 'btn btn--ghost btn--small', type: 'button',
              onClick: async () => {
                if (!await confirm(`Replay ${q.count} messages?`, `They go back onto ${q.queue}; consumers skip anything they already handled.`, { action: 'Replay' })) return;
                try {
                  const done = await api(`/admin/dead-letters/${encodeURIComponent(q.queue)}/replay`, { method: 'POST' });
                  toast(`Replayed ${count(done.replayed)} messages to ${done.queue}.`, 'ok');
                } catch (error) { toast(error.friendly, 'error'); }
                load();
              },
            }, 'Replay', h('span', { class: 'visually-hidden' }, ` ${q.queue}`)) : '—'),
          },
        ],
      }) : empty('No durable queues reported.'),
    ];
  });
  load();
  return h('div', { class: 'page page--wide' },
    pageHead('Dead letters', { eyebrow: 'Dashboard', lead: 'Messages a consumer could not handle, parked per queue. Replay puts them back once the cause is fixed.' }),
    dashboardNav('#/dashboard/dead-letters'),
    host);
}
