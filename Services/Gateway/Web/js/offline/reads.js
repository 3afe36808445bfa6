// Reads without a network, from the device's copy: the entities the sync feed keeps current
// answer the pages' lists and details in the API's own shapes; any other read answers with what
// the server last said to it (the catalogue, a schedule, the signed-in user).
import * as store from './store.js';

const byNewest = (a, b) => String(b.created_at || '').localeCompare(String(a.created_at || ''));

async function list(entity, filter = () => true) {
  return (await store.ofEntity(entity)).map((row) => row.data).filter(filter).sort(byNewest);
}

async function one(entity, id) {
  return (await store.get('entities', `${entity}:${String(id).toLowerCase()}`))?.data;
}

function page(items, query) {
  const size = Number(query.page_size) || 20;
  const number = Number(query.page) || 1;
  return { items: items.slice((number - 1) * size, number * size), page: number, page_size: size, total: items.length };
}

/** One part of the customer file (`/me/profile` and its siblings) as its own GET shows it. */
async function filePart(part) {
  const [file] = await store.ofEntity('profile');
  const data = file?.data?.[part];
  return data ? { ...data, version: file.data.version } : undefined;
}

const same = (a, b) => String(a).toLowerCase() === String(b).toLowerCase();

// [path pattern, answer(match, query)]: the pages' reads that the sync feed can answer.
const ROUTES = [
  [/^\/applications$/, (m, q) => list('application', (a) => !q.status || a.status === q.status).then((items) => page(items, q))],
  [/^\/applications\/([^/]+)$/, (m) => one('application', m[1])],
  [/^\/loans$/, (m, q) => list('loan').then((items) => page(items, q))],
  [/^\/loans\/([^/]+)$/, (m) => one('loan', m[1])],
  [/^\/loans\/([^/]+)\/payments$/, (m, q) => list('payment', (p) => same(p.loan_id, m[1])).then((items) => page(items, q))],
  [/^\/payments$/, (m, q) => list('payment').then((items) => page(items, q))],
  [/^\/tickets$/, (m, q) => list('ticket', (t) => !q.status || t.status === q.status).then((items) => page(items, q))],
  [/^\/tickets\/([^/]+)$/, (m) => one('ticket', m[1])],
  [/^\/notifications$/, (m, q) => list('notification', (n) => q.unread !== 'true' || !n.read_at).then((items) => page(items, q))],
  [/^\/me\/(profile|financial|employment)$/, (m) => filePart(m[1])],
];

/** The key a read is remembered under: its path and sorted query. */
export function readKey(path, query = {}) {
  const params = new URLSearchParams(Object.entries(query).filter(([, v]) => v !== undefined && v !== null && v !== '').map(([k, v]) => [k, String(v)]).sort());
  return `${path}?${params}`;
}

/** Keeps the server's answer to a read that the feed does not cover. */
export async function remember(path, query, body) {
  if (!store.isOpen() || ROUTES.some(([pattern]) => pattern.test(path))) return;
  await store.put('responses', { url: readKey(path, query), body, at: new Date().toISOString() }).catch(() => {});
}

/** The device's answer to a read, or undefined when it has none. */
export async function answer(path, query = {}) {
  if (!store.isOpen()) return undefined;
  const normalised = Object.fromEntries(Object.entries(query).map(([k, v]) => [k, v === undefined || v === null ? v : String(v)]));
  for (const [pattern, read] of ROUTES) {
    const match = pattern.exec(path);
    if (match) return read(match, normalised);
  }
  return (await store.get('responses', readKey(path, query)))?.body;
}
