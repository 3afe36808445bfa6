// Shared pieces of every view: headings, cards, badges, figures, loading/empty/error states,
// dialogs, toasts and the polite live region.
import { h, mount } from './dom.js';
import { label } from './format.js';

/** Text someone typed (a name, an email, a subject, a product's name): isolated in <bdi>, as text
 * of unknown direction must be, and shown exactly as typed (the app's own words are checked for
 * machine text, what people typed is not). Null for nothing. */
export const entered = (text) => (text === null || text === undefined || text === '' ? null : h('bdi', {}, String(text)));

/** Says `text` to screen readers through the page's polite live region. */
export function announce(text) {
  const region = document.getElementById('announcer');
  if (!region) return;
  region.textContent = '';
  requestAnimationFrame(() => { region.textContent = text; });
}

/** A short-lived message in the corner (also announced). */
export function toast(text, kind = 'info') {
  const shelf = document.getElementById('toasts');
  if (!shelf) return;
  const note = h('div', { class: `toast toast--${kind}`, role: kind === 'error' ? 'alert' : 'status' }, text);
  shelf.append(note);
  // The newest few only (one on a phone): the strip must not take the page's place.
  const room = matchMedia('(max-width: 560px)').matches ? 1 : 3;
  while (shelf.children.length > room) shelf.firstElementChild.remove();
  setTimeout(() => note.classList.add('toast--leaving'), 4500);
  setTimeout(() => note.remove(), 5000);
}

const TONES = {
  submitted: 'info', under_analysis: 'info', pending_approval: 'warn', documents_requested: 'warn',
  approved: 'ok', disbursed: 'ok', closed: 'muted', rejected: 'bad', withdrawn: 'muted',
  open: 'info', waiting: 'muted', decided: 'ok', cancelled: 'muted', in_progress: 'warn', resolved: 'ok',
  active: 'ok', disabled: 'bad', pending_verification: 'warn', due: 'info', paid: 'ok', partially_paid: 'warn', overdue: 'bad',
  approve: 'ok', review: 'warn', decline: 'bad', high: 'bad', medium: 'warn', low: 'muted',
};

/** The tone of a status (ok, warn, bad, info, muted): badges and charts colour by it. */
export const tone = (status) => TONES[status] || 'muted';

/** A status pill; its `data-status` carries the raw value for tests and styles. */
export function badge(status, props = {}) {
  return h('span', { class: `badge badge--${tone(status)}`, 'data-status': status, ...props }, label(status));
}

/** The page's title block; the h1 takes focus after navigation. */
export function pageHead(title, { lead, actions, eyebrow } = {}) {
  return h('header', { class: 'page-head' },
    h('div', {},
      eyebrow ? h('p', { class: 'eyebrow' }, eyebrow) : null,
      h('h1', { tabindex: '-1' }, title),
      lead ? h('p', { class: 'lead' }, lead) : null),
    actions ? h('div', { class: 'page-head__actions' }, actions) : null);
}

/** A section card with a heading (h2 by default). */
export function card(title, children, { actions, level = 'h2', className = '', props = {} } = {}) {
  return h('section', { class: ['card', className], ...props },
    title ? h('div', { class: 'card__head' }, h(level, { class: 'card__title' }, title), actions || null) : null,
    children);
}

/** A key figure. */
export function figure(name, value, props = {}, hint) {
  return h('div', { class: 'figure' },
    h('span', { class: 'figure__label' }, name),
    h('strong', { class: 'figure__value', ...props }, value),
    hint ? h('span', { class: 'figure__hint' }, hint) : null);
}

/** Definition list from [term, description] pairs. */
export function details(pairs) {
  return h('dl', { class: 'pairs' }, pairs.filter(Boolean).map(([term, value]) => h('div', {}, h('dt', {}, term), h('dd', {}, value))));
}

export const loading = (text = 'Loading…') =>
  h('div', { class: 'state state--loading', role: 'status' }, h('span', { class: 'spinner', 'aria-hidden': 'true' }), text);

export const empty = (title, text, action) =>
  h('div', { class: 'state state--empty' }, h('p', { class: 'state__title' }, title), text ? h('p', {}, text) : null, action || null);

const FAILURE_TITLES = { 0: 'You seem to be offline', 429: 'Please wait a moment', 504: 'That took too long' };

/** What went wrong and a way to try again; after a rate limit it tries again by itself once the
 * wait the server named is over. */
export function failure(error, retry) {
  const el = h('div', { class: 'state state--error', role: 'alert', 'data-status': error?.status ?? '' },
    h('p', { class: 'state__title' }, FAILURE_TITLES[error?.status] || 'Something went wrong'),
    h('p', {}, error?.friendly || error?.message || String(error)),
    retry ? h('button', { class: 'btn btn--ghost', type: 'button', onClick: retry }, 'Try again') : null);
  const wait = Number(error?.retryAfter);
  if (retry && error?.status === 429 && wait > 0 && wait <= 120) {
    setTimeout(() => { if (el.isConnected) retry(); }, wait * 1000);
  }
  return el;
}

/**
 * Fills `container` with what `fetcher()` resolves to, through `render(data)`; a loading state
 * meanwhile and an error state with a retry on failure. Resolves to the data (or null).
 */
export async function fill(container, fetcher, render) {
  mount(container, loading());
  container.setAttribute('aria-busy', 'true');
  try {
    const data = await fetcher();
    mount(container, render(data));
    return data;
  } catch (error) {
    mount(container, failure(error, () => fill(container, fetcher, render)));
    return null;
  } finally {
    container.removeAttribute('aria-busy');
  }
}

/** A modal `<dialog>` around `content`; resolves when it closes. Esc closes it, focus returns. */
export function dialog(title, content, { onClose } = {}) {
  const opener = document.activeElement;
  const box = h('dialog', { class: 'dialog', 'aria-labelledby': 'dialog-title' },
    h('div', { class: 'dialog__head' },
      h('h2', { id: 'dialog-title' }, title),
      h('button', { class: 'btn btn--icon', type: 'button', 'aria-label': 'Close', onClick: () => box.close() }, '×')),
    content);
  document.body.append(box);
  box.addEventListener('close', () => {
    box.remove();
    onClose?.(box.returnValue);
    if (opener instanceof HTMLElement) opener.focus();
  });
  box.showModal();
  return box;
}

/** Asks yes or no in a dialog (`text` a sentence or a node); resolves true when confirmed. */
export function confirm(title, text, { action = 'Confirm', danger = false } = {}) {
  return new Promise((resolve) => {
    let answer = false;
    const box = dialog(title, h('div', {},
      text instanceof Node ? text : h('p', {}, text),
      h('div', { class: 'form__actions' },
        h('button', { class: 'btn btn--ghost', type: 'button', onClick: () => box.close() }, 'Cancel'),
        h('button', {
          class: `btn ${danger ? 'btn--danger' : 'btn--primary'}`, type: 'button', 'data-testid': 'confirm-yes',
          onClick: () => { answer = true; box.close(); },
        }, action))), { onClose: () => resolve(answer) });
  });
}

/** Tabs as links to hash routes (the current one marked with aria-current). */
export function subnav(items, current, labelText) {
  return h('nav', { class: 'subnav', 'aria-label': labelText },
    items.map(([href, text]) => h('a', { href, class: 'subnav__link', 'aria-current': href === current ? 'page' : null }, text)));
}
