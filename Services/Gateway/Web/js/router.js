// Hash routes: `#/portal/applications/:id?tab=x`. Each view renders into <main> and gets a
// context with its params, query and an AbortSignal that ends when the route changes.

const routes = [];
let notFound = null;
let guard = () => null;
let current = null;

/** Adds a route: pattern like '/staff/applications/:id', view(ctx) → Node or Promise<Node>. */
export function route(pattern, view, meta = {}) {
  const keys = [];
  const regex = new RegExp(`^${pattern.replace(/:(\w+)/g, (_, key) => { keys.push(key); return '([^/]+)'; })}/?$`);
  routes.push({ pattern, regex, keys, view, meta });
}

export function fallback(view) { notFound = view; }

/** guard(meta, path) → a hash to go to instead, or null to render. */
export function setGuard(fn) { guard = fn; }

export function parse(hash = location.hash) {
  const text = hash.replace(/^#/, '') || '/';
  const [path, search = ''] = text.split('?');
  return { path, query: Object.fromEntries(new URLSearchParams(search)) };
}

/** A hash for a path and query (empty values left out). */
export function link(path, query = {}) {
  const params = new URLSearchParams(Object.entries(query).filter(([, v]) => v !== undefined && v !== null && v !== ''));
  const text = params.toString();
  return `#${path}${text ? `?${text}` : ''}`;
}

export function go(path, query) { location.hash = link(path, query); }

async function render(outlet, onRendered) {
  const { path, query } = parse();
  const found = routes.map((r) => ({ r, m: r.regex.exec(path) })).find(({ m }) => m);
  if (found) {
    const redirect = guard(found.r.meta, path);
    if (redirect) { location.replace(redirect); return; }
  }
  current?.abort();
  const controller = new AbortController();
  current = controller;
  const params = found ? Object.fromEntries(found.r.keys.map((k, i) => [k, decodeURIComponent(found.m[i + 1])])) : {};
  const ctx = { path, query, params, signal: controller.signal, meta: found?.r.meta || {} };
  const view = found ? found.r.view : notFound;
  const node = await view(ctx);
  if (controller.signal.aborted) return;
  outlet.replaceChildren(node);
  onRendered(ctx);
}

/** Starts routing into `outlet`; `onRendered(ctx)` runs after each view is in place. */
export function start(outlet, onRendered) {
  window.addEventListener('hashchange', () => render(outlet, onRendered));
  render(outlet, onRendered);
}
