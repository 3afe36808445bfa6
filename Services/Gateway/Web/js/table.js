// Tables: a plain one from rows, and a paginated one over a list endpoint
// ({items, page, page_size, total}).
import { h, mount } from './dom.js';
import { count } from './format.js';
import { empty, failure, loading } from './ui.js';

/**
 * columns: [{label, render(row) → node or text, className, numeric}]; rowProps(row) → attributes
 * for the <tr> (e.g. data-testid). On phones each row is drawn as a card (base.css); the explicit
 * ARIA roles keep it a table for assistive technology when its display changes. The wrapper can
 * be focused for keyboard scrolling where a wide table still scrolls.
 */
export function table({ caption, columns, rows, rowProps }) {
  return h('div', { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-label': caption },
    h('table', { class: 'table', role: 'table' },
      h('caption', { class: 'visually-hidden' }, caption),
      h('thead', { role: 'rowgroup' }, h('tr', { role: 'row' }, columns.map((c) => h('th', { scope: 'col', role: 'columnheader', class: [c.numeric && 'num', c.className] }, c.label)))),
      h('tbody', { role: 'rowgroup' }, rows.map((row) => h('tr', { role: 'row', ...(rowProps ? rowProps(row) : {}) },
        columns.map((c, index) => h(index === 0 ? 'th' : 'td', {
          scope: index === 0 ? 'row' : null, role: index === 0 ? 'rowheader' : 'cell', class: [c.numeric && 'num', c.className], 'data-label': c.label,
        }, c.render(row))))))));
}

/**
 * A paginated table: `load(page, pageSize)` resolves to a list page. Returns {el, reload(page)}.
 * `emptyText` shows when there is nothing; `onLoaded(page)` sees each page.
 */
export function pagedTable({ caption, columns, load, rowProps, pageSize = 20, emptyText = 'Nothing here yet.', onLoaded }) {
  const body = h('div', { class: 'paged__body', 'aria-live': 'polite', 'aria-busy': 'false' });
  const el = h('div', { class: 'paged' }, body);
  let current = 1;

  async function reload(page = current) {
    current = page;
    body.setAttribute('aria-busy', 'true');
    if (!body.firstChild) mount(body, loading());
    else body.classList.add('is-refreshing');
    try {
      const data = await load(page, pageSize);
      onLoaded?.(data);
      const pages = Math.max(1, Math.ceil((data.total || 0) / (data.page_size || pageSize)));
      if (!data.items.length && page > 1) return reload(pages);
      mount(body,
        data.items.length ? table({ caption, columns, rows: data.items, rowProps }) : empty(emptyText),
        data.total > data.items.length || page > 1 ? h('nav', { class: 'pager', 'aria-label': `${caption}: pages` },
          h('button', { type: 'button', class: 'btn btn--ghost btn--small', disabled: page <= 1, onClick: () => reload(page - 1) }, '← Previous'),
          h('span', { class: 'pager__info' }, `Page ${page} of ${pages} · ${count(data.total)} in all`),
          h('button', { type: 'button', class: 'btn btn--ghost btn--small', disabled: page >= pages, onClick: () => reload(page + 1) }, 'Next →')) : null);
    } catch (error) {
      mount(body, failure(error, () => reload(page)));
    } finally {
      body.setAttribute('aria-busy', 'false');
      body.classList.remove('is-refreshing');
    }
    return undefined;
  }
  reload(1);
  return { el, reload };
}
