// Live updates: one WebSocket to `/api/v1/ws` per signed-in tab, reconnected with capped,
// jittered backoff. Views listen for push types; heartbeats only prove the line is alive.
import { freshToken } from './session.js';

const events = new EventTarget();
let socket = null;
let wanted = false;
let attempts = 0;
let timer = null;
let state = 'offline';

function setState(next) {
  if (state === next) return;
  state = next;
  events.dispatchEvent(new CustomEvent('state', { detail: next }));
}

function scheduleReconnect() {
  if (!wanted) return;
  const delay = Math.min(30_000, 1000 * 2 ** attempts) * (0.5 + Math.random() / 2);
  attempts += 1;
  timer = setTimeout(open, delay);
}

async function open() {
  timer = null;
  // Without a network a connection attempt can only fail (and each failure is logged): wait.
  if (!navigator.onLine) {
    window.addEventListener('online', () => { if (wanted && !socket && !timer) open(); }, { once: true });
    return;
  }
  const token = await freshToken();
  if (!wanted || !token) return;
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  setState('connecting');
  const ws = new WebSocket(`${scheme}://${location.host}/api/v1/ws?access_token=${encodeURIComponent(token)}`);
  socket = ws;
  ws.addEventListener('open', () => { attempts = 0; setState('live'); });
  ws.addEventListener('message', (message) => {
    let push;
    try { push = JSON.parse(message.data); } catch { return; }
    if (!push || push.type === 'heartbeat') return;
    events.dispatchEvent(new CustomEvent('push', { detail: push }));
    events.dispatchEvent(new CustomEvent(`push:${push.type}`, { detail: push }));
  });
  ws.addEventListener('close', () => {
    if (socket !== ws) return;
    socket = null;
    setState('offline');
    scheduleReconnect();
  });
}

/** Opens the socket (idempotent). */
export function connect() {
  wanted = true;
  if (!socket && !timer) open();
}

/** Closes it for good (sign-out). */
export function disconnect() {
  wanted = false;
  clearTimeout(timer);
  timer = null;
  const ws = socket;
  socket = null;
  ws?.close();
  setState('offline');
}

export const connection = () => state;

/**
 * Calls `fn(push)` for pushes of the given type (or every push with '*'); `fn(state)` for 'state'.
 * Stops when `signal` aborts (a view's lifetime). Returns the unsubscribe function.
 */
export function on(type, fn, signal) {
  const name = type === '*' ? 'push' : type === 'state' ? 'state' : `push:${type}`;
  const handler = (event) => fn(event.detail);
  events.addEventListener(name, handler, { signal });
  return () => events.removeEventListener(name, handler);
}
