// The device's copy, in IndexedDB, one database per signed-in user: the entities the sync feed
// delivers (`entities`), the writes waiting to be sent (`outbox`), the last answer to other
// reads (`responses`) and the feed's cursor (`meta`). Signing out deletes it.

let opened = null;
let name = null;

function request(req) {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

/** Opens (creating if needed) the database of `userId`; later calls use it. */
export function open(userId) {
  const wanted = `lending-offline-${String(userId).toLowerCase()}`;
  if (opened && name === wanted) return opened;
  name = wanted;
  const req = indexedDB.open(wanted, 1);
  req.onupgradeneeded = () => {
    const db = req.result;
    db.createObjectStore('entities', { keyPath: 'key' }).createIndex('entity', 'entity');
    db.createObjectStore('outbox', { keyPath: 'op_id' }).createIndex('queued_at', 'queued_at');
    db.createObjectStore('responses', { keyPath: 'url' });
    db.createObjectStore('meta', { keyPath: 'key' });
  };
  opened = request(req);
  return opened;
}

export const isOpen = () => Boolean(opened);

/** Closes and deletes the current user's database (signing out leaves nothing behind). */
export async function erase() {
  if (!opened) return;
  const db = await opened.catch(() => null);
  db?.close();
  opened = null;
  await request(indexedDB.deleteDatabase(name)).catch(() => {});
}

async function run(storeName, mode, work) {
  const db = await opened;
  const tx = db.transaction(storeName, mode);
  const result = work(tx.objectStore(storeName));
  await new Promise((resolve, reject) => {
    tx.oncomplete = resolve;
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error);
  });
  return result instanceof IDBRequest ? result.result : result;
}

export const get = (storeName, key) => run(storeName, 'readonly', (s) => s.get(key));
export const put = (storeName, value) => run(storeName, 'readwrite', (s) => s.put(value));
export const remove = (storeName, key) => run(storeName, 'readwrite', (s) => s.delete(key));
export const all = (storeName) => run(storeName, 'readonly', (s) => s.getAll());
export const ofEntity = (entity) => run('entities', 'readonly', (s) => s.index('entity').getAll(entity));

/** Applies a page of the feed and its cursor in one transaction: a crash keeps both or neither. */
export async function applyChanges(changes, cursor) {
  const db = await opened;
  const tx = db.transaction(['entities', 'meta'], 'readwrite');
  const entities = tx.objectStore('entities');
  for (const change of changes) {
    const key = `${change.entity}:${String(change.id).toLowerCase()}`;
    if (change.op === 'delete') entities.delete(key);
    else entities.put({ key, entity: change.entity, id: change.id, version: change.version, data: change.data, changed_at: change.changed_at });
  }
  tx.objectStore('meta').put({ key: 'cursor', value: cursor });
  tx.objectStore('meta').put({ key: 'synced_at', value: new Date().toISOString() });
  await new Promise((resolve, reject) => { tx.oncomplete = resolve; tx.onerror = () => reject(tx.error); });
}

/** Forgets every entity and the cursor (the feed answered 410: start again from nothing). */
export async function resetFeed() {
  await run('entities', 'readwrite', (s) => s.clear());
  await remove('meta', 'cursor');
}

export async function meta(key) {
  return (await get('meta', key))?.value ?? null;
}
