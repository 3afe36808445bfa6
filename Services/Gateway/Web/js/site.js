// The public site: live headline figures, the product catalogue, the EMI calculator, the menu.
import { api } from './api.js';
import { documentName, products } from './catalog.js';
import { h, mount, svg } from './dom.js';
import { calculator } from './emi.js';
import { foldingMenu } from './menu.js';
import { count, hours, money, percent, rate } from './format.js';
import { empty, entered, failure, loading } from './ui.js';

const TYPE_ICONS = {
  personal: 'M12 12a4 4 0 1 0 0-8 4 4 0 0 0 0 8zm-7 8a7 7 0 0 1 14 0',
  home: 'M3 11l9-7 9 7v9a1 1 0 0 1-1 1h-5v-6H9v6H4a1 1 0 0 1-1-1z',
  auto: 'M5 16h14M6 16l1.5-5h9L18 16M7 19a1.5 1.5 0 1 0 0-3 1.5 1.5 0 0 0 0 3zm10 0a1.5 1.5 0 1 0 0-3 1.5 1.5 0 0 0 0 3z',
  business: 'M4 8h16v11H4zM9 8V5h6v3',
  education: 'M2 9l10-5 10 5-10 5zM6 11v5c3 2 9 2 12 0v-5',
};

async function showStats() {
  const cells = document.querySelectorAll('[data-stat]');
  try {
    const stats = await api('/public/stats', { anonymous: true });
    const shown = {
      applications_processed: count(stats.applications_processed ?? 0),
      approval_rate: percent(stats.approval_rate ?? 0, 0),
      median_hours_to_decision: stats.median_hours_to_decision == null ? '—' : hours(stats.median_hours_to_decision),
    };
    cells.forEach((cell) => { cell.textContent = shown[cell.dataset.stat]; });
  } catch {
    cells.forEach((cell) => { cell.textContent = '—'; });
  }
}

const icon = (type) => svg('svg', { viewBox: '0 0 24 24', 'aria-hidden': 'true', class: 'product-card__icon' },
  svg('path', { d: TYPE_ICONS[type] || TYPE_ICONS.personal, fill: 'none', stroke: 'currentColor', 'stroke-width': 1.8, 'stroke-linecap': 'round', 'stroke-linejoin': 'round' }));

function productCard(p) {
  return h('article', { class: 'card product-card', 'data-testid': 'product-card', 'data-product-id': p.id },
    h('div', { class: 'product-card__top' }, icon(p.type), h('span', { class: 'tag' }, p.type)),
    h('h3', { class: 'product-card__name' }, entered(p.name)),
    h('p', { class: 'product-card__rate' }, h('strong', {}, rate(p.annual_rate)), ' a year'),
    h('dl', { class: 'pairs pairs--compact' },
      h('div', {}, h('dt', {}, 'Amount'), h('dd', {}, `${money(p.min_amount)} – ${money(p.max_amount)}`)),
      h('div', {}, h('dt', {}, 'Term'), h('dd', {}, `${p.min_term_months}–${p.max_term_months} months`)),
      h('div', {}, h('dt', {}, 'Processing fee'), h('dd', {}, rate(p.processing_fee_percent)))),
    p.required_documents?.length ? h('p', { class: 'product-card__docs' }, 'Needs: ', p.required_documents.map(documentName).join(', ')) : null,
    h('a', { class: 'btn btn--primary btn--block', href: `/app/#/portal/apply?product=${encodeURIComponent(p.id)}` }, 'Apply for this loan'));
}

async function showProducts() {
  const grid = document.querySelector('[data-testid="product-list"]');
  const calc = document.querySelector('[data-testid="calculator"]');
  mount(grid, loading('Loading products…'));
  let list = [];
  try {
    list = await products();
    mount(grid, list.length ? list.map(productCard) : empty('No products are open right now.', 'Please come back soon.'));
  } catch (error) {
    mount(grid, failure(error, showProducts));
  }
  mount(calc, calculator(list));
}

foldingMenu(document.querySelector('.menu-toggle'), document.getElementById('site-nav'));
showStats();
showProducts();
