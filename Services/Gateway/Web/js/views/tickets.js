// Support tickets. Clients open and follow their own (and reopen a resolved one); admins work
// the queue: start, resolve, change priority, comment. Both see changes live.
import { api } from '../api.js';
import { h, mount } from '../dom.js';
import { form } from '../forms.js';
import { dateTime, label, money, relative, sameId, shortId } from '../format.js';
import * as live from '../live.js';
import { link, parse } from '../router.js';
import * as session from '../session.js';
import { pagedTable } from '../table.js';
import { badge, card, details, entered, fill, loading, pageHead, subnav, toast } from '../ui.js';

const PRIORITIES = ['low', 'medium', 'high'];
const base = () => (session.role() === 'client' ? '/portal/tickets' : '/staff/tickets');

function newTicketForm(onCreated) {
  const el = form({
    submit: 'Open ticket',
    props: { 'data-testid': 'ticket-form', 'aria-label': 'Open a support ticket' },
    fields: [
      { name: 'subject', label: 'Subject', required: true, wide: true, maxlength: 200 },
      { name: 'priority', label: 'Priority', type: 'select', value: 'medium', options: PRIORITIES.map((p) => [p, label(p)]) },
      { name: 'application_id', label: 'About an application', type: 'select', options: [['', 'No, a general question']] },
      { name: 'description', label: 'How can we help?', type: 'textarea', required: true, wide: true, rows: 5 },
    ],
    onSubmit: async (values) => {
      const created = await api('/tickets', {
        method: 'POST', idempotent: true,
        body: { subject: values.subject, description: values.description, priority: values.priority, application_id: values.application_id || undefined },
        queue: { label: `Support ticket: ${values.subject}`, entity: 'ticket' },
      });
      el.reset();
      if (created.queued) {
        toast('Your ticket is saved on this device: it is opened when you are back online.');
        return;
      }
      toast(`Ticket opened: ${created.assignee?.full_name || 'our team'} will answer by ${dateTime(created.due_at)}.`, 'ok');
      onCreated(created);
    },
  });
  api('/applications', { query: { page_size: 50 } }).then((page) => {
    el.querySelector('select[name="application_id"]').append(...page.items.map((a) => h('option', { value: a.id }, `${money(a.amount)} · ${label(a.status)} · ${shortId(a.id)}`)));
  }).catch(() => {});
  return el;
}

export function ticketsView({ query, signal }) {
  const client = session.role() === 'client';
  const filters = client ? {} : { status: query.status, priority: query.priority, assignee: query.assignee };
  const list = pagedTable({
    caption: client ? 'Your tickets' : 'Ticket queue',
    load: (page, pageSize) => api('/tickets', { query: { page, page_size: pageSize, ...filters } }),
    emptyText: client ? 'No tickets: we hope all is well.' : 'No tickets match.',
    rowProps: (t) => ({ 'data-testid': 'ticket-row', 'data-ticket-id': t.id }),
    columns: [
      { label: 'Subject', className: 'wrap', render: (t) => h('a', { href: `#${base()}/${t.id}` }, entered(t.subject)) },
      { label: 'Priority', render: (t) => badge(t.priority) },
      { label: 'Status', render: (t) => badge(t.status) },
      client ? null : { label: 'Assignee', render: (t) => entered(t.assignee?.full_name) || '—' },
      { label: 'Due', render: (t) => h('span', { class: t.escalated ? 'is-overdue' : '' }, t.status === 'resolved' ? '—' : relative(t.due_at), t.escalated ? ' (escalated)' : '') },
      { label: 'Updated', render: (t) => dateTime(t.updated_at) },
    ].filter(Boolean),
  });
  live.on('ticket_updated', () => list.reload(), signal);
  if (client) {
    return h('div', { class: 'page' },
      pageHead('Support', { eyebrow: 'Client portal', lead: 'Each ticket goes to a named person, with a reply time by priority (high 4 h, medium 24 h, low 72 h).' }),
      h('div', { class: 'grid grid--sidebar' }, card('Your tickets', list.el), card('New ticket', newTicketForm(() => list.reload(1)))));
  }
  const current = link(parse().path, { status: query.status, priority: query.priority, assignee: query.assignee });
  const me = session.currentUser();
  const mine = h('a', { class: 'subnav__link', href: '#/staff/tickets' }, 'Assigned to me');
  me.then((u) => { mine.href = link('/staff/tickets', { assignee: u.id }); if (sameId(query.assignee, u.id)) mine.setAttribute('aria-current', 'page'); });
  const tabs = subnav([
    ['#/staff/tickets', 'All'], ['#/staff/tickets?status=open', 'Open'], ['#/staff/tickets?status=in_progress', 'In progress'],
    ['#/staff/tickets?status=resolved', 'Resolved'], ['#/staff/tickets?priority=high', 'High priority'],
  ], current, 'Filter tickets');
  tabs.append(mine);
  return h('div', { class: 'page' }, pageHead('Ticket queue', { eyebrow: 'Staff console' }), card(null, [tabs, list.el]));
}

function comments(ticket) {
  const list = ticket.comments || [];
  if (!list.length) return h('p', { class: 'muted' }, 'No replies yet.');
  return h('ol', { class: 'thread' }, list.map((c) =>
    h('li', { class: ['thread__item', c.author_role === 'client' ? 'is-client' : 'is-staff'], 'data-testid': 'ticket-comment' },
      h('p', { class: 'thread__meta' }, c.author_role === 'client' ? 'Client' : label(c.author_role), ' · ', h('time', { datetime: c.created_at }, dateTime(c.created_at))),
      h('p', { class: 'thread__body' }, entered(c.body)))));
}

function actions(ticket, user, refresh) {
  const patch = async (change, message) => {
    try {
      await api(`/tickets/${ticket.id}`, { method: 'PATCH', body: change, version: ticket.version });
      toast(message, 'ok');
    } catch (error) { toast(error.friendly, 'error'); }
    refresh();
  };
  const button = (text, change, message, testid, kind = 'btn--primary') =>
    h('button', { class: `btn ${kind}`, type: 'button', 'data-testid': testid, onClick: () => patch(change, message) }, text);
  if (user.role === 'client') {
    return ticket.status === 'resolved' ? button('Reopen', { status: 'open' }, 'Ticket reopened.', 'ticket-reopen', 'btn--ghost') : null;
  }
  const works = user.role === 'super_admin' || sameId(ticket.assignee?.id, user.id);
  if (!works) return h('p', { class: 'muted' }, `Assigned to ${ticket.assignee?.full_name || 'nobody yet'}: only they or a super admin move it.`);
  const priority = h('select', { 'aria-label': 'Priority', class: 'select--inline' }, PRIORITIES.map((p) => h('option', { value: p, selected: p === ticket.priority }, label(p))));
  return h('div', { class: 'toolbar' },
    ticket.status === 'open' ? button('Start work', { status: 'in_progress' }, 'Ticket in progress.', 'ticket-start') : null,
    ticket.status === 'in_progress' ? button('Resolve', { status: 'resolved' }, 'Ticket resolved.', 'ticket-resolve') : null,
    ticket.status !== 'resolved' ? h('span', { class: 'toolbar__group' }, priority,
      h('button', { class: 'btn btn--ghost', type: 'button', onClick: () => patch({ priority: priority.value }, 'Priority changed.') }, 'Change priority')) : null);
}

export function ticketView({ params, signal }) {
  const head = h('div', {}, pageHead('Ticket', { eyebrow: 'Support' }));
  const host = h('div', {}, loading());
  const refresh = () => fill(host, () => Promise.all([api(`/tickets/${params.id}`), session.currentUser()]), ([ticket, user]) => {
    mount(head, pageHead(entered(ticket.subject), { eyebrow: `Ticket ${shortId(ticket.id)}`, actions: [badge(ticket.priority), ' ', badge(ticket.status, { 'data-testid': 'ticket-status' })] }));
    const reply = form({
      submit: 'Send reply',
      columns: 1,
      props: { 'data-testid': 'comment-form', 'aria-label': 'Reply' },
      fields: [{ name: 'body', label: 'Your reply', type: 'textarea', required: true, rows: 3 }],
      onSubmit: async (values) => {
        const sent = await api(`/tickets/${ticket.id}/comments`, { method: 'POST', idempotent: true, body: { body: values.body }, queue: { label: `Reply to “${ticket.subject}”`, entity: 'ticket' } });
        if (sent.queued) toast('Your reply is saved on this device: sent when you are back online.');
        refresh();
      },
    });
    const appHref = ticket.application_id ? `#/${user.role === 'client' ? 'portal' : 'staff'}/applications/${ticket.application_id}` : null;
    return h('div', { class: 'grid grid--sidebar' },
      h('div', { class: 'stack' },
        card('Request', h('p', { class: 'prose' }, entered(ticket.description))),
        card('Conversation', [comments(ticket), ticket.status === 'resolved' && user.role !== 'client' ? null : reply])),
      h('div', { class: 'stack' },
        card('Details', details([
          ['Status', badge(ticket.status)],
          ['Assignee', entered(ticket.assignee?.full_name) || '—'],
          ['Opened', dateTime(ticket.created_at)],
          ['Reply due', `${dateTime(ticket.due_at)}${ticket.escalated ? ' (escalated)' : ''}`],
          ticket.resolved_at ? ['Resolved', dateTime(ticket.resolved_at)] : null,
          appHref ? ['Application', h('a', { href: appHref }, shortId(ticket.application_id))] : null,
        ])),
        card('Actions', actions(ticket, user, refresh) || h('p', { class: 'muted' }, 'Nothing to do here.'))));
  });
  live.on('ticket_updated', (push) => { if (sameId(push.data?.ticket_id, params.id)) refresh(); }, signal);
  refresh();
  return h('div', { class: 'page' }, head, host);
}
