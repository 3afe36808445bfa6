// The one way the pages talk to the gateway: `/api/v1`, JSON, bearer token, problem details.
// Authentication is plugged in by session.js (configureAuth), so this module knows no storage.

const BASE = '/api/v1';

/** A failed call: the problem details of RFC 9457, flattened. `status` 0 means no answer at all. */
export class ApiError extends Error {
  constructor(status, problem = {}, retryAfter = null) {
    super(problem.detail || problem.title || `Request failed (${status})`);
    this.name = 'ApiError';
    this.status = status;
    this.type = problem.type || '';
    this.title = problem.title || '';
    this.detail = problem.detail || '';
    this.fieldErrors = Array.isArray(problem.errors) ? problem.errors : [];
    this.retryAfter = retryAfter;
  }

  /** What to tell a person. */
  get friendly() {
    if (this.status === 0) return 'The service could not be reached. Check your connection and try again.';
    if (this.status === 429) {
      const wait = Number(this.retryAfter);
      return `Too many requests: please wait ${wait > 0 ? `${wait} second${wait === 1 ? '' : 's'}` : 'a few seconds'} and try again.`;
    }
    if (this.status === 412) return 'Someone else changed this in the meantime. Reload it and try again.';
    if (this.status === 504) return 'The service took too long to answer. Try again: nothing is done twice.';
    return this.detail || this.title || this.message;
  }
}

let auth = { token: () => null, refresh: async () => false, expired: () => {} };
let offline = { reached: () => {}, answer: async () => undefined, remember: async () => {}, enqueue: null };

/** app.js plugs in offline work (js/offline/): `reached(ok)` hears whether the server answered,
 * `answer(path, query)` reads from the device's copy, `remember(path, query, body)` keeps a read's
 * answer, `enqueue(write)` queues a write for later. */
export function configureOffline(hooks) {
  offline = { ...offline, ...hooks };
}

/** session.js supplies the access token, a refresh that resolves true when it got a new one,
 * and what to do when the session cannot be saved. */
export function configureAuth(hooks) {
  auth = { ...auth, ...hooks };
}

function url(path, query) {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query || {})) {
    if (value !== undefined && value !== null && value !== '') params.set(key, String(value));
  }
  const text = params.toString();
  return `${BASE}${path}${text ? `?${text}` : ''}`;
}

async function problemOf(response) {
  const type = response.headers.get('content-type') || '';
  if (type.includes('json')) {
    try { return await response.json(); } catch { /* fall through to an empty problem */ }
  }
  return { title: response.statusText };
}

/**
 * Calls the API. Options: method, query (object), body (object → JSON, or FormData),
 * idempotent (adds an Idempotency-Key), version (adds If-Match), blob (answer as a Blob),
 * anonymous (no token, no refresh), queue (a JSON write that may wait in the outbox when the
 * server cannot be reached: {label, entity}), direct (the sync engine's own calls: never answered
 * locally nor queued).
 * Resolves to the parsed JSON body (null for 204), or {queued: true, op_id} for a write that was
 * queued; a read the server cannot answer is answered from the device's copy when it has one.
 * Rejects with an ApiError.
 */
export async function api(path, options = {}) {
  const { method = 'GET', query, body, idempotent = false, version, blob = false, anonymous = false, queue, direct = false } = options;
  const headers = { Accept: 'application/json, application/problem+json' };
  let payload;
  if (body instanceof FormData) payload = body;
  else if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  if (idempotent) headers['Idempotency-Key'] = crypto.randomUUID();
  if (version !== undefined && version !== null) headers['If-Match'] = `"${version}"`;

  const send = () => {
    const token = anonymous ? null : auth.token();
    const withAuth = token ? { ...headers, Authorization: `Bearer ${token}` } : headers;
    return fetch(url(path, query), { method, headers: withAuth, body: payload, credentials: 'omit' });
  };

  let response;
  try {
    if (!navigator.onLine) throw new TypeError('The browser is offline.');
    response = await send();
    if (response.status === 401 && !anonymous && auth.token()) {
      if (await auth.refresh()) response = await send();
      if (response.status === 401) auth.expired();
    }
  } catch (error) {
    if (error instanceof ApiError) throw error;
    offline.reached(false);
    if (!direct && !blob) {
      if (method === 'GET') {
        const local = await offline.answer(path, query || {});
        if (local !== undefined) return local;
      } else if (queue && offline.enqueue && !(body instanceof FormData)) {
        const op = await offline.enqueue({ method, path, body, version, ...queue });
        return { queued: true, op_id: op.op_id };
      }
    }
    throw new ApiError(0, { title: 'Network error', detail: error.message });
  }
  offline.reached(true);

  if (!response.ok) {
    throw new ApiError(response.status, await problemOf(response), response.headers.get('retry-after'));
  }
  if (response.status === 204) return null;
  if (blob) return response.blob();
  const type = response.headers.get('content-type') || '';
  if (!type.includes('json')) return response.text();
  const data = await response.json();
  if (method === 'GET' && !direct) offline.remember(path, query || {}, data);
  return data;
}
