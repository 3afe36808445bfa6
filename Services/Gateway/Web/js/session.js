// Who is signed in: the token pair in sessionStorage (one tab, gone with it) and the user from
// `/auth/me`. Refreshes the pair once when a call is refused, and shares that one refresh.
import { api, configureAuth } from './api.js';

const KEY = 'lending.session';
const USER_KEY = 'lending.user';
const events = new EventTarget();
let state = load();
let user = null;
let refreshing = null;

function load() {
  try { return JSON.parse(sessionStorage.getItem(KEY)) || null; } catch { return null; }
}

function store(pair) {
  state = {
    access_token: pair.access_token,
    refresh_token: pair.refresh_token,
    role: pair.role,
    expires_at: Date.now() + (pair.expires_in || 900) * 1000,
  };
  sessionStorage.setItem(KEY, JSON.stringify(state));
}

function clear(reason) {
  const had = Boolean(state);
  state = null;
  user = null;
  sessionStorage.removeItem(KEY);
  sessionStorage.removeItem(USER_KEY);
  if (had) events.dispatchEvent(new CustomEvent('change', { detail: { signedIn: false, reason } }));
}

function refresh() {
  if (!state?.refresh_token) return Promise.resolve(false);
  refreshing ||= api('/auth/refresh', { method: 'POST', body: { refresh_token: state.refresh_token }, anonymous: true })
    .then((pair) => { store(pair); return true; })
    .catch(() => false)
    .finally(() => { refreshing = null; });
  return refreshing;
}

configureAuth({
  token: () => state?.access_token || null,
  refresh,
  expired: () => clear('expired'),
});

export const isSignedIn = () => Boolean(state);
export const role = () => state?.role || null;

/** Calls `fn({signedIn, reason})` on sign-in and sign-out; returns the unsubscribe function. */
export function onChange(fn) {
  const handler = (event) => fn(event.detail);
  events.addEventListener('change', handler);
  return () => events.removeEventListener('change', handler);
}

/** Signs in; rejects with the ApiError (401 with a type ending `mfa-required` asks for `totp`). */
export async function signIn(email, password, totp) {
  const body = { email, password };
  if (totp) body.totp = totp;
  store(await api('/auth/login', { method: 'POST', body, anonymous: true }));
  user = null;
  events.dispatchEvent(new CustomEvent('change', { detail: { signedIn: true } }));
  return currentUser();
}

export async function signOut() {
  try { await api('/auth/logout', { method: 'POST' }); } catch { /* the session ends here either way */ }
  clear('signed-out');
}

/** The signed-in user (`/auth/me`), fetched once per sign-in and kept for the tab, so a page
 * reloaded without a network still knows who is signed in. */
export async function currentUser() {
  if (!state) return null;
  if (user) return user;
  try {
    user = await api('/auth/me', { direct: true });
    sessionStorage.setItem(USER_KEY, JSON.stringify(user));
  } catch (error) {
    const kept = JSON.parse(sessionStorage.getItem(USER_KEY) || 'null');
    if (error.status !== 0 || !kept) throw error;
    user = kept;
  }
  return user;
}

/** An access token good for at least another minute (for the WebSocket, which cannot refresh). */
export async function freshToken() {
  if (state && state.expires_at - Date.now() < 60_000) await refresh();
  return state?.access_token || null;
}
