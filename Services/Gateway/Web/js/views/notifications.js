// The inbox (every role): notices newest first, read one or all, channel preferences.
import { api } from '../api.js';
import { h } from '../dom.js';
import { form } from '../forms.js';
import { relative } from '../format.js';
import * as live from '../live.js';
import { isStaff } from '../roles.js';
import { link, parse } from '../router.js';
import * as session from '../session.js';
import { pagedTable } from '../table.js';
import { card, fill, pageHead, subnav, toast } from '../ui.js';

// Marking notices read changes the shell's unread badge, and no push says so: the shell listens.
export const READ_CHANGED = 'lending:notifications-read';
function readChanged() { window.dispatchEvent(new Event(READ_CHANGED)); }

/** Where a notice points, by the entity its data names. */
function target(data = {}) {
  const staff = isStaff(session.role());
  if (data.ticket_id) return `#/${staff ? 'staff' : 'portal'}/tickets/${data.ticket_id}`;
  if (data.loan_id) return `#/${staff ? 'staff' : 'portal'}/loans/${data.loan_id}`;
  if (data.application_id) return `#/${staff ? 'staff' : 'portal'}/applications/${data.application_id}`;
  return null;
}

function preferences() {
  const host = h('div');
  fill(host, () => api('/notifications/preferences'), (prefs) => form({
    submit: 'Save preferences',
    columns: 1,
    props: { 'data-testid': 'preferences-form', 'aria-label': 'Notification preferences' },
    fields: [
      { name: 'email', label: 'Email me about important changes', type: 'checkbox', value: prefs.email },
      { name: 'websocket', label: 'Show live updates in the app', type: 'checkbox', value: prefs.websocket },
    ],
    onSubmit: async (values) => {
      await api('/notifications/preferences', { method: 'PUT', body: { email: values.email, websocket: values.websocket } });
      toast('Preferences saved.', 'ok');
    },
  }));
  return host;
}

export function notificationsView({ query, signal }) {
  const unreadOnly = query.unread === 'true';
  const inbox = pagedTable({
    caption: 'Notifications',
    load: (page, pageSize) => api('/notifications', { query: { page, page_size: pageSize, unread: unreadOnly ? true : undefined } }),
    emptyText: unreadOnly ? 'Nothing unread.' : 'No notifications yet.',
    rowProps: (n) => ({ class: n.read_at ? '' : 'is-unread', 'data-testid': 'notification' }),
    columns: [
      {
        label: 'Notice',
        className: 'wrap',
        render: (n) => {
          const href = target(n.data);
          return h('div', { class: 'notice-row' },
            h('span', { class: 'notice-row__title' }, href ? h('a', { href }, n.title) : n.title, n.read_at ? null : h('span', { class: 'visually-hidden' }, ' (unread)')),
            h('span', { class: 'muted' }, n.body));
        },
      },
      { label: 'When', render: (n) => h('time', { datetime: n.created_at }, relative(n.created_at)) },
      {
        label: 'Action',
        render: (n) => (n.read_at ? h('span', { class: 'muted' }, 'Read') : h('button', {
          class: 'btn btn--ghost btn--small', type: 'button',
          onClick: async () => { await api(`/notifications/${n.id}/read`, { method: 'POST' }).catch(() => {}); readChanged(); inbox.reload(); },
        }, 'Mark read')),
      },
    ],
  });
  live.on('*', () => inbox.reload(), signal);
  const current = link(parse().path, unreadOnly ? { unread: 'true' } : {});
  return h('div', { class: 'page' },
    pageHead('Notifications', {
      actions: h('button', {
        class: 'btn btn--ghost', type: 'button', 'data-testid': 'read-all',
        onClick: async () => { await api('/notifications/read-all', { method: 'POST' }); readChanged(); toast('All marked read.'); inbox.reload(); },
      }, 'Mark all read'),
    }),
    h('div', { class: 'grid grid--sidebar' },
      card(null, [subnav([['#/notifications', 'All'], ['#/notifications?unread=true', 'Unread']], current, 'Filter'), inbox.el]),
      card('Preferences', preferences())));
}
