// Offline work on screen: the banner (connection and queue), the list of queued writes with their
// state, and the conflict screen that shows my version beside the server's.
import { h, mount } from '../dom.js';
import { dateTime, label, money } from '../format.js';
import * as sync from '../offline/sync.js';
import { go } from '../router.js';
import { card, details, empty, pageHead, toast } from '../ui.js';

const STATES = {
  pending: ['Waiting to be sent', 'muted'],
  syncing: ['Sending', 'info'],
  synced: ['Sent', 'ok'],
  failed: ['Refused', 'bad'],
  conflict: ['Changed elsewhere', 'warn'],
};

const stateBadge = (op) => {
  const [text, toneName] = STATES[op.state] || [label(op.state), 'muted'];
  return h('span', { class: `badge badge--${toneName}`, 'data-testid': 'sync-state', 'data-state': op.state }, text);
};

/** The strip under the header: offline, or writes still waiting, or a conflict to settle. */
export function banner() {
  const el = h('div', { class: 'sync-banner', role: 'status', 'data-testid': 'sync-banner', hidden: true });
  const draw = async () => {
    const ops = await sync.queue().catch(() => []);
    const waiting = ops.filter((op) => op.state === 'pending' || op.state === 'syncing').length;
    const conflicts = ops.filter((op) => op.state === 'conflict').length;
    const failed = ops.filter((op) => op.state === 'failed').length;
    const online = sync.online();
    el.dataset.online = String(online);
    el.dataset.queue = String(waiting);
    el.hidden = online && !waiting && !conflicts && !failed;
    const parts = [
      online ? null : 'You are offline: you can keep working; what you change is saved on this device and sent when the connection returns.',
      waiting ? `${waiting} change${waiting === 1 ? '' : 's'} waiting to be sent.` : null,
      conflicts ? `${conflicts} change${conflicts === 1 ? '' : 's'} made elsewhere in the meantime: choose which version to keep.` : null,
      failed ? `${failed} change${failed === 1 ? ' was' : 's were'} refused.` : null,
    ].filter(Boolean);
    mount(el, h('p', {}, h('strong', {}, online ? 'Online' : 'Offline'), ' · ', parts.join(' ')),
      waiting || conflicts || failed ? h('a', { href: '#/sync', 'data-testid': 'sync-open' }, 'See your changes') : null);
  };
  sync.onChange(draw);
  draw();
  return el;
}

/** What a queued write changes, in words: its fields and values. */
function fields(body) {
  if (!body || typeof body !== 'object') return [];
  return Object.entries(body).map(([key, value]) => [label(key), /amount|income|expenses|debt/.test(key) ? money(value) : String(value ?? '—')]);
}

function row(op) {
  return h('li', { class: 'outbox__item', 'data-testid': 'outbox-item', 'data-op-id': op.op_id, 'data-state': op.state },
    h('div', { class: 'outbox__head' }, h('strong', {}, op.label || label(op.entity || 'change')), stateBadge(op)),
    h('p', { class: 'muted' }, `Made ${dateTime(op.queued_at)}${op.settled_at ? ` · answered ${dateTime(op.settled_at)}` : ''}`),
    op.problem ? h('p', { class: 'notice notice--bad' }, op.problem) : null,
    op.state === 'synced' && op.entity === 'application' && op.result?.id
      ? h('a', { class: 'btn btn--ghost btn--small', href: `#/portal/applications/${op.result.id}`, 'data-testid': 'outbox-open' }, 'Open the application') : null,
    op.state === 'conflict' ? h('a', { class: 'btn btn--primary btn--small', href: `#/sync/conflicts/${op.op_id}`, 'data-testid': 'resolve' }, 'Choose a version') : null,
    op.state === 'failed' ? h('button', {
      class: 'btn btn--ghost btn--small', type: 'button', onClick: () => sync.retry(op.op_id),
    }, 'Send again') : null);
}

export function syncView({ signal }) {
  const host = h('div');
  const draw = async () => {
    const ops = await sync.queue();
    mount(host, ops.length
      ? h('ol', { class: 'outbox', 'data-testid': 'outbox' }, ops.map(row))
      : empty('Nothing waiting.', 'Changes you make without a connection appear here until they are sent.'));
  };
  sync.onChange(draw, signal);
  draw();
  return h('div', { class: 'page' },
    pageHead('Your changes', { lead: 'What this device has sent or still has to send, in the order you made it. It is sent by itself when the connection returns.' }),
    card(null, host));
}

export function conflictView({ params }) {
  const host = h('div');
  sync.queue().then((ops) => {
    const op = ops.find((o) => o.op_id === params.id);
    if (!op || op.state !== 'conflict') {
      mount(host, empty('This change is settled.', null, h('a', { class: 'btn btn--primary', href: '#/sync' }, 'Back to your changes')));
      return;
    }
    const keys = Object.keys(op.body || {});
    const theirs = Object.fromEntries(keys.map((key) => [key, op.current?.[key]]));
    const differs = (key) => String(op.body[key] ?? '') !== String(theirs[key] ?? '');
    const side = (title, values, testid) => card(title, details(fields(values).map(([name, value], i) => [name, h('span', { class: differs(keys[i]) ? 'is-changed' : '' }, value)])), { props: { 'data-testid': testid } });
    const done = (text) => { toast(text, 'ok'); go('/sync'); };
    mount(host,
      h('p', {}, `Someone changed ${op.label || 'this'} while you were offline. Highlighted values differ. Choose which version to keep.`),
      h('div', { class: 'grid grid--2 conflict' }, side('Your version', op.body, 'mine'), side('Saved now', theirs, 'theirs')),
      h('div', { class: 'form__actions' },
        h('button', { class: 'btn btn--ghost', type: 'button', 'data-testid': 'take-theirs', onClick: async () => { await sync.takeTheirs(op.op_id); done('The saved version stays.'); } }, 'Keep the saved version'),
        h('button', { class: 'btn btn--primary', type: 'button', 'data-testid': 'keep-mine', onClick: async () => { await sync.keepMine(op.op_id); done('Your version is being sent.'); } }, 'Keep my version')));
  });
  return h('div', { class: 'page' }, pageHead('Choose a version', { eyebrow: 'Your changes' }), host);
}
