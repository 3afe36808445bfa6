// Offline work, kept honest: writes made without a network wait in the outbox, each with its
// op_id, and are replayed in order with `POST /sync/batch` when the network returns (with capped,
// jittered backoff while it does not answer); the device's copy of the user's entities follows
// `/sync/changes`, pulled when a `sync_status` push says something changed. Every queued write
// shows its state: pending, syncing, synced, failed or conflict.
import { api } from '../api.js';
import * as live from '../live.js';
import * as store from './store.js';

const BATCH = 50;
const KEEP_SYNCED = 20;
const events = new EventTarget();
let flushing = null;
let pulling = null;
let retryTimer = null;
let attempts = 0;
let reachable = navigator.onLine;
// Only a client's own file is copied to the device: staff may see every file the platform holds,
// which belongs on no laptop or tablet (their queued replies and last answers still are kept).
let keepsCopy = false;

function changed() { events.dispatchEvent(new Event('change')); }

/** Calls `fn()` whenever the queue, the connection or the local copy changes; returns the unsubscribe. */
export function onChange(fn, signal) {
  events.addEventListener('change', fn, { signal });
  return () => events.removeEventListener('change', fn);
}

/** Whether the last call reached the server (and the browser believes it is online). */
export const online = () => reachable && navigator.onLine;

/** api.js reports every answer and every failure to reach the server here. */
export function reached(ok) {
  if (reachable === ok) return;
  reachable = ok;
  changed();
  if (ok) flush();
}

/** The queued writes, oldest first. */
export async function queue() {
  if (!store.isOpen()) return [];
  return (await store.all('outbox')).sort((a, b) => a.queued_at.localeCompare(b.queued_at) || a.order - b.order);
}

let order = 0;

/** Queues a write; `label` says what it is ("Personal details"), `entity` what it changes. */
export async function enqueue({ method, path, body, version, label, entity }) {
  const op = {
    op_id: crypto.randomUUID(), method, path, body: body ?? null, if_match: version == null ? null : String(version),
    label, entity: entity || null, state: 'pending', queued_at: new Date().toISOString(), order: (order += 1), attempts: 0,
  };
  await store.put('outbox', op);
  changed();
  flush();
  return op;
}

function scheduleRetry() {
  clearTimeout(retryTimer);
  const delay = Math.min(60_000, 1000 * 2 ** attempts) * (0.5 + Math.random() / 2);
  attempts += 1;
  retryTimer = setTimeout(flush, delay);
}

async function settle(op, result) {
  const state = result.status;
  await store.put('outbox', {
    ...op, state, http_status: result.http_status, settled_at: new Date().toISOString(),
    current: state === 'conflict' ? result.body?.current ?? null : null,
    problem: state === 'failed' ? (result.body?.detail || result.body?.title || `HTTP ${result.http_status}`) : null,
    result: state === 'synced' ? result.body : null,
  });
}

async function send() {
  const pending = (await queue()).filter((op) => op.state === 'pending' || op.state === 'syncing').slice(0, BATCH);
  if (!pending.length || !navigator.onLine) return false;
  await Promise.all(pending.map((op) => store.put('outbox', { ...op, state: 'syncing', attempts: op.attempts + 1 })));
  changed();
  let answer;
  try {
    answer = await api('/sync/batch', {
      method: 'POST', direct: true,
      body: { operations: pending.map(({ op_id, method, path, body, if_match }) => ({ op_id, method, path, body: body ?? undefined, if_match: if_match ?? undefined })) },
    });
  } catch (error) {
    // Unreachable, overloaded or refusing for now: the same op_ids are sent again later (the
    // server answers a replayed op_id with its first result, so nothing happens twice).
    await Promise.all(pending.map((op) => store.put('outbox', { ...op, state: 'pending', attempts: op.attempts + 1, last_error: error.friendly || error.message })));
    changed();
    scheduleRetry();
    return false;
  }
  attempts = 0;
  const byId = new Map(pending.map((op) => [op.op_id, op]));
  for (const result of answer.results) {
    const op = byId.get(result.op_id);
    if (op) await settle({ ...op, attempts: op.attempts + 1 }, result);
  }
  await prune();
  changed();
  return pending.length === BATCH;
}

/** Sends what is pending, batch by batch, then refreshes the local copy. One flush at a time. */
export function flush() {
  flushing ||= (async () => {
    try {
      while (await send()) { /* another full batch may be waiting */ }
      await pull();
    } finally {
      flushing = null;
    }
  })().catch(() => {});
  return flushing;
}

/** Keeps only the latest synced writes, for the record on the sync page. */
async function prune() {
  const synced = (await queue()).filter((op) => op.state === 'synced');
  await Promise.all(synced.slice(0, Math.max(0, synced.length - KEEP_SYNCED)).map((op) => store.remove('outbox', op.op_id)));
}

/** Brings the local copy up to date with the feed (from nothing after a 410). */
export function pull() {
  if (!store.isOpen() || !keepsCopy) return Promise.resolve();
  pulling ||= (async () => {
    try {
      let cursor = await store.meta('cursor');
      for (;;) {
        let page;
        try {
          page = await api('/sync/changes', { query: { since: cursor ?? undefined, limit: 500 }, direct: true });
        } catch (error) {
          if (error.status !== 410) throw error;
          await store.resetFeed();
          cursor = null;
          continue;
        }
        await store.applyChanges(page.changes, page.cursor);
        cursor = page.cursor;
        if (!page.has_more) break;
      }
      changed();
    } finally {
      pulling = null;
    }
  })().catch(() => {});
  return pulling;
}

/** Replaces a settled write with the same write, queued anew (a new op_id) on `version`. */
async function requeue(op, version) {
  await store.remove('outbox', op.op_id);
  await enqueue({ method: op.method, path: op.path, body: op.body, version, label: op.label, entity: op.entity });
}

/** Keep mine: send my version again, based on the version the server has now. */
export async function keepMine(opId) {
  const op = await store.get('outbox', opId);
  if (op?.state === 'conflict') await requeue(op, op.current?.version);
}

/** Take theirs: drop my write; the server's version stands (and reaches the local copy). */
export async function takeTheirs(opId) {
  await store.remove('outbox', opId);
  changed();
  pull();
}

/** Sends a failed write again, as it was. */
export async function retry(opId) {
  const op = await store.get('outbox', opId);
  if (op) await requeue(op, op.if_match);
}

let listening = false;

/** Starts syncing for the signed-in user: opens their copy, pulls, and listens for changes. */
export async function start(user) {
  keepsCopy = user.role === 'client';
  await store.open(user.id);
  if (!listening) {
    listening = true;
    window.addEventListener('online', () => { reachable = true; changed(); flush(); });
    window.addEventListener('offline', () => { reachable = false; changed(); });
    live.on('sync_status', () => pull());
    live.on('state', (state) => { if (state === 'live') flush(); });
  }
  changed();
  return flush();
}

/** Signing out: the device keeps nothing of this user. */
export async function stop() {
  clearTimeout(retryTimer);
  await store.erase();
  changed();
}
