// The app shell's service worker: it keeps the pages' files (HTML, CSS, JavaScript modules, icons)
// so the app opens without a network. Files are fetched from the network first, so a new version
// is live at once, and from the cache when the network does not answer. API calls are never
// cached here: the data the app shows offline lives in IndexedDB (js/offline/).
const CACHE = 'lending-shell-v1';
const SHELL = ['/app/', '/favicon.svg'];

self.addEventListener('install', (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil(caches.keys()
    .then((names) => Promise.all(names.filter((name) => name !== CACHE).map((name) => caches.delete(name))))
    .then(() => self.clients.claim()));
});

// The page names the files it loaded before this worker controlled it (every module of the app):
// they are cached too, so nothing is missing the first time the app opens offline.
self.addEventListener('message', (event) => {
  const urls = (event.data?.shell || []).filter((url) => isShell(new URL(url, self.location.origin)));
  event.waitUntil(caches.open(CACHE).then((cache) => Promise.all(urls.map((url) => cache.add(url).catch(() => {})))));
});

function isShell(url) {
  return url.origin === self.location.origin && !url.pathname.startsWith('/api/') && !url.pathname.startsWith('/docs');
}

self.addEventListener('fetch', (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== 'GET' || !isShell(url)) return;
  event.respondWith((async () => {
    const cache = await caches.open(CACHE);
    try {
      const response = await fetch(request);
      if (response.ok) cache.put(request, response.clone());
      return response;
    } catch (error) {
      const cached = await cache.match(request, { ignoreSearch: request.mode === 'navigate' })
        || (request.mode === 'navigate' ? await cache.match('/app/') : undefined);
      if (cached) return cached;
      throw error;
    }
  })());
});
