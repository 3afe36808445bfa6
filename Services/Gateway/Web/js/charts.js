// Charts: horizontal bars (and a centred funnel) drawn as rows of text with an SVG bar, a donut
// and a line. Text is never drawn inside a scaled SVG, so it keeps the page's size on a phone.
// Each chart comes in a <figure> with its caption and a data table (the text alternative).
// Colours mean something: an item with a `tone` (ok, warn, bad, info, muted: a status) takes that
// tone's colour; other series share the one brand colour, or a palette where parts of a whole
// must be told apart (the donut). Items with `onSelect` are drill-downs: buttons.
import { h, svg } from './dom.js';

const SERIES = 8;

/** The colour class of an item: its tone, or its place in the palette. */
const colour = (item, index, palette) => (item.tone ? `tone-${item.tone}` : palette ? `series-${index % SERIES}` : 'series-0');

function selectable(el, item, labelText) {
  if (!item.onSelect) return el;
  el.setAttribute('tabindex', '0');
  el.setAttribute('role', 'button');
  el.setAttribute('aria-label', `${labelText}: show the details`);
  el.classList.add('chart__item--link');
  el.addEventListener('click', () => item.onSelect(item));
  el.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' || event.key === ' ') { event.preventDefault(); item.onSelect(item); }
  });
  return el;
}

function dataTable(title, data, valueLabel, palette) {
  return h('table', { class: 'chart__table' },
    h('caption', { class: 'visually-hidden' }, `${title}: data`),
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Item'), h('th', { scope: 'col', class: 'num' }, valueLabel))),
    h('tbody', {}, data.map((item, index) => h('tr', {},
      h('th', { scope: 'row' }, h('span', { class: `swatch ${colour(item, index, palette)}`, 'aria-hidden': 'true' }), item.label),
      h('td', { class: 'num' }, item.display ?? String(item.value))))));
}

function frame(title, chart, data, { valueLabel = 'Value', testid, note, palette = false } = {}) {
  return h('figure', { class: 'chart', 'data-testid': testid },
    h('figcaption', { class: 'chart__title' }, title),
    chart,
    note ? h('p', { class: 'chart__note' }, note) : null,
    data.length ? dataTable(title, data, valueLabel, palette) : null);
}

function emptyChart(title, testid) {
  return h('figure', { class: 'chart chart--empty', 'data-testid': testid },
    h('figcaption', { class: 'chart__title' }, title),
    h('p', { class: 'chart__none' }, 'No data in this period.'));
}

/**
 * Horizontal bars. data: [{label, value (number), display?, short?, tone?, onSelect?}] (`short`,
 * if given, is written beside the bar; `display` goes in the table). `funnel: true` centres
 * each bar on its track (a funnel).
 */
export function barChart(title, data, options = {}) {
  if (!data.length) return emptyChart(title, options.testid);
  const max = Math.max(1, ...data.map((d) => d.value));
  const rows = h('ul', { class: ['bars', options.funnel && 'bars--funnel'], 'aria-label': title }, data.map((item, index) => {
    const share = Math.max(0.5, (item.value / max) * 100);
    const text = `${item.label}: ${item.display ?? item.value}`;
    const bar = svg('svg', { class: 'bars__track', viewBox: '0 0 100 10', preserveAspectRatio: 'none', 'aria-hidden': 'true', focusable: 'false' },
      svg('rect', { x: 0, y: 0, width: 100, height: 10, class: 'bars__rail' }),
      svg('rect', { x: options.funnel ? (100 - share) / 2 : 0, y: 0, width: share, height: 10, class: `bars__bar ${colour(item, index, false)}` }));
    const parts = [h('span', { class: 'bars__label' }, item.label), bar, h('span', { class: 'bars__value' }, item.short ?? item.display ?? String(item.value))];
    const row = item.onSelect
      ? h('button', { type: 'button', class: 'bars__row chart__item--link', 'aria-label': `${text}: show the details`, title: text, onClick: () => item.onSelect(item) }, parts)
      : h('div', { class: 'bars__row', title: text }, parts);
    return h('li', { class: 'bars__item' }, row);
  }));
  return frame(title, rows, data, options);
}

/** A donut of shares. data: [{label, value, display?, onSelect?}]. */
export function donutChart(title, data, options = {}) {
  const total = data.reduce((sum, d) => sum + d.value, 0);
  if (!total) return emptyChart(title, options.testid);
  let offset = 25; // start at twelve o'clock
  const segments = data.map((item, index) => {
    const share = (item.value / total) * 100;
    const text = `${item.label}: ${item.display ?? item.value} (${share.toFixed(1)} %)`;
    const seg = selectable(svg('circle', {
      cx: 21, cy: 21, r: 15.9155, fill: 'none', 'stroke-width': 6, class: `chart__seg ${colour(item, index, true)}`,
      'stroke-dasharray': `${share} ${100 - share}`, 'stroke-dashoffset': offset,
    }, svg('title', {}, text)), item, text);
    offset = (offset - share + 100) % 100;
    return seg;
  });
  const chart = svg('svg', { class: 'chart__svg chart__svg--donut', viewBox: '0 0 42 42', role: 'group', 'aria-label': title, focusable: 'false' },
    svg('circle', { cx: 21, cy: 21, r: 15.9155, fill: 'none', 'stroke-width': 6, class: 'chart__ring' }),
    segments,
    svg('text', { x: 21, y: 20, class: 'chart__centre', 'text-anchor': 'middle' }, options.centre ?? String(total)),
    svg('text', { x: 21, y: 25.5, class: 'chart__centre-label', 'text-anchor': 'middle' }, options.centreLabel ?? 'total'));
  return frame(title, h('div', { class: 'chart__donut' }, chart), data, { ...options, palette: true });
}

/** A line with its area. points: [{label, value}] in order; `summary` describes it in words. */
export function lineChart(title, points, options = {}) {
  if (points.length < 2) return emptyChart(title, options.testid);
  const width = 640;
  const height = 220;
  const pad = { left: 4, right: 4, top: 8, bottom: 4 };
  const max = Math.max(...points.map((p) => p.value)) || 1;
  const x = (i) => pad.left + (i / (points.length - 1)) * (width - pad.left - pad.right);
  const y = (v) => pad.top + (1 - v / max) * (height - pad.top - pad.bottom);
  const line = points.map((p, i) => `${i ? 'L' : 'M'}${x(i).toFixed(1)},${y(p.value).toFixed(1)}`).join(' ');
  const area = `${line} L${x(points.length - 1).toFixed(1)},${height - pad.bottom} L${x(0).toFixed(1)},${height - pad.bottom} Z`;
  const ticks = [0, Math.floor((points.length - 1) / 2), points.length - 1];
  const chart = svg('svg', { class: 'chart__svg', viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': `${title}. ${options.summary || ''}`, focusable: 'false' },
    svg('title', {}, title),
    [0.25, 0.5, 0.75, 1].map((f) => svg('line', { x1: pad.left, x2: width - pad.right, y1: y(max * f), y2: y(max * f), class: 'chart__grid' })),
    svg('path', { d: area, class: 'chart__area' }),
    svg('path', { d: line, class: 'chart__line', fill: 'none' }));
  return h('figure', { class: 'chart', 'data-testid': options.testid },
    h('figcaption', { class: 'chart__title' }, title), chart,
    h('p', { class: 'chart__ticks', 'aria-hidden': 'true' }, ticks.map((i) => h('span', {}, points[i].label))),
    options.summary ? h('p', { class: 'chart__note' }, options.summary) : null,
    h('details', { class: 'chart__figures' }, h('summary', {}, 'The figures'),
      dataTable(title, points.map((p) => ({ label: p.label, value: p.value, display: p.display })), options.valueLabel || 'Value', false)));
}

/** A half-circle gauge of `value` between `min` and `max`; `tone` colours it (ok, warn, bad). */
export function gauge(title, value, { min = 0, max = 100, tone = 'ok', display } = {}) {
  const share = Math.max(0, Math.min(1, (value - min) / (max - min)));
  const arc = 'M4 24 A20 20 0 0 1 44 24';
  const length = Math.PI * 20;
  return h('figure', { class: 'gauge' },
    svg('svg', { viewBox: '0 0 48 28', class: `gauge__svg tone-${tone}`, role: 'img', 'aria-label': `${title}: ${display ?? value} on a scale from ${min} to ${max}`, focusable: 'false' },
      svg('path', { d: arc, class: 'gauge__track', fill: 'none', 'stroke-width': 5, 'stroke-linecap': 'round' }),
      svg('path', { d: arc, class: 'gauge__value', fill: 'none', 'stroke-width': 5, 'stroke-linecap': 'round', 'stroke-dasharray': `${(share * length).toFixed(2)} ${length.toFixed(2)}` }),
      svg('text', { x: 24, y: 22, class: 'gauge__number', 'text-anchor': 'middle' }, display ?? String(value))),
    h('figcaption', { class: 'gauge__caption' }, title, h('span', { class: 'muted' }, ` (${min}–${max})`)));
}
