// The EMI calculator: the API computes the instalment and the amortisation schedule (exact
// decimals); this shows them with a principal/interest donut, the balance curve and the table.
import { api } from './api.js';
import { donutChart, lineChart } from './charts.js';
import { h, mount } from './dom.js';
import { form } from './forms.js';
import { count, magnitude, money, rate } from './format.js';
import { failure, figure, loading } from './ui.js';
import { table } from './table.js';

export function emi(principal, annualRate, termMonths, includeSchedule = false) {
  return api('/calculators/emi', {
    method: 'POST', anonymous: true,
    body: { principal, annual_rate: annualRate, term_months: termMonths, include_schedule: includeSchedule },
  });
}

function result(answer, principal) {
  const rows = answer.schedule || [];
  return h('div', { class: 'emi__result' },
    h('div', { class: 'figures figures--3' },
      figure('Monthly instalment', money(answer.emi), { 'data-testid': 'emi-value' }),
      figure('Total interest', money(answer.total_interest)),
      figure('Total to repay', money(answer.total_payment))),
    h('div', { class: 'emi__charts' },
      donutChart('Principal and interest', [
        { label: 'Principal', value: magnitude(principal), display: money(principal) },
        { label: 'Interest', value: magnitude(answer.total_interest), display: money(answer.total_interest) },
      ], { centre: money(answer.emi).replace(/\.\d\d$/, ''), centreLabel: 'a month', valueLabel: 'Amount' }),
      lineChart('Balance after each instalment', rows.map((r) => ({ label: `Instalment ${r.number}`, value: magnitude(r.balance), display: money(r.balance) })), {
        valueLabel: 'Balance',
        summary: `The balance falls from ${money(principal)} to zero over ${count(rows.length)} instalments.`,
      })),
    h('details', { class: 'emi__schedule', open: rows.length <= 12 },
      h('summary', {}, `Repayment schedule (${rows.length} instalments)`),
      table({
        caption: 'Repayment schedule',
        rows,
        rowProps: () => ({ 'data-testid': 'schedule-row' }),
        columns: [
          { label: 'No.', render: (r) => String(r.number) },
          { label: 'Payment', numeric: true, render: (r) => money(r.payment) },
          { label: 'Principal', numeric: true, render: (r) => money(r.principal) },
          { label: 'Interest', numeric: true, render: (r) => money(r.interest) },
          { label: 'Balance', numeric: true, render: (r) => money(r.balance) },
        ],
      })));
}

/** The calculator widget; `products` presets the rate and limits. */
export function calculator(products = []) {
  const output = h('div', { class: 'emi__output', 'aria-live': 'polite' });
  const first = products[0];
  const productField = products.length ? {
    name: 'product', label: 'Product', type: 'select', wide: true,
    options: [['', 'Any (enter a rate)'], ...products.map((p) => [p.id, `${p.name} · ${rate(p.annual_rate)}`])],
    value: first?.id || '',
  } : null;
  const calc = form({
    submit: 'Calculate',
    className: 'emi__form',
    props: { 'data-testid': 'emi-form', 'aria-label': 'EMI calculator' },
    fields: [
      productField,
      { name: 'principal', label: 'Amount', decimal: true, required: true, value: '10000', autocomplete: 'off' },
      { name: 'annual_rate', label: 'Annual rate (%)', decimal: true, required: true, value: first?.annual_rate || '11.50' },
      { name: 'term_months', label: 'Term (months)', integer: true, required: true, value: '24', min: 1, max: 480 },
    ].filter(Boolean),
    onSubmit: async (values) => {
      mount(output, loading('Calculating…'));
      try {
        const answer = await emi(values.principal, values.annual_rate, values.term_months, true);
        mount(output, result(answer, values.principal));
      } catch (error) {
        mount(output, failure(error));
      }
    },
  });
  // The form marks refused input before it would ask the API: no answer for other numbers may
  // stay beside the error. (The form's own listener runs first and checks synchronously.)
  calc.addEventListener('submit', () => { if (calc.querySelector('[aria-invalid="true"]')) output.replaceChildren(); });
  const select = calc.querySelector('select[name="product"]');
  select?.addEventListener('change', () => {
    const chosen = products.find((p) => p.id === select.value);
    if (chosen) calc.querySelector('[name="annual_rate"]').value = chosen.annual_rate;
  });
  // Show the default example at once (a form in the document can be submitted programmatically).
  requestAnimationFrame(() => { if (calc.isConnected) calc.requestSubmit(); });
  return h('div', { class: 'emi' }, calc, output);
}
