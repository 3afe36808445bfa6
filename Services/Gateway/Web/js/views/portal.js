// The client's portal: overview, profile (personal, financial, employment) and applying.
import { api, ApiError } from '../api.js';
import { products } from '../catalog.js';
import { h, mount } from '../dom.js';
import { emi } from '../emi.js';
import { form } from '../forms.js';
import { date, label, money, percent, rate } from '../format.js';
import { go } from '../router.js';
import * as session from '../session.js';
import { badge, card, empty, entered, fill, figure, loading, pageHead, toast } from '../ui.js';
import { table } from '../table.js';

/** A client file part, or null when it was never saved (404). */
const part = (path) => api(path).catch((error) => {
  if (error instanceof ApiError && error.status === 404) return null;
  throw error;
});

const fileParts = () => Promise.all([part('/me/profile'), part('/me/financial'), part('/me/employment')]);

function checklist([profile, financial, employment]) {
  const items = [['Personal details', profile], ['Income and expenses', financial], ['Employment', employment]];
  return h('ul', { class: 'checklist', 'data-testid': 'file-checklist' }, items.map(([name, done]) =>
    h('li', { class: done ? 'is-done' : '' },
      h('span', { class: 'checklist__mark', 'aria-hidden': 'true' }, done ? '✓' : '•'),
      name, h('span', { class: 'visually-hidden' }, done ? ': complete' : ': to do'))));
}

/** The hooks of an application's table row. */
export const applicationRow = (a) => ({ 'data-testid': 'application-row', 'data-application-id': a.id, 'data-status': a.status });

/** Columns of an application list; `productName(id)` names the product. The compact ones fit a
 * side card: amount and term in one column, no date. */
export const applicationColumns = (productName, { compact = false } = {}) => [
  { label: 'Product', className: 'wrap', render: (a) => h('a', { href: `#/portal/applications/${a.id}` }, entered(productName(a.product_id)) || 'Loan') },
  compact
    ? { label: 'Amount', className: 'wrap', render: (a) => `${money(a.amount)} over ${a.term_months} months` }
    : { label: 'Amount', numeric: true, render: (a) => money(a.amount) },
  compact ? null : { label: 'Term', render: (a) => `${a.term_months} months` },
  compact ? null : { label: 'Submitted', render: (a) => date(a.created_at) },
  { label: 'Status', render: (a) => badge(a.status) },
].filter(Boolean);

export function overviewView() {
  const file = h('div');
  const apps = h('div');
  const loans = h('div');
  const hello = h('h1', { tabindex: '-1' }, 'Your overview');
  session.currentUser().then((u) => { if (u?.full_name) hello.textContent = `Hello, ${u.full_name.split(' ')[0]}`; }).catch(() => {});
  fill(file, fileParts, (parts) => h('div', {}, checklist(parts),
    parts.every(Boolean) ? h('p', { class: 'muted' }, 'Your file is complete: you can apply.')
      : h('a', { class: 'btn btn--primary', href: '#/portal/profile', 'data-testid': 'complete-profile' }, 'Complete your file')));
  fill(apps, () => Promise.all([api('/applications', { query: { page_size: 5 } }), products()]), ([page, catalogue]) =>
    (page.items.length ? table({
      caption: 'Latest applications', rows: page.items,
      rowProps: applicationRow,
      columns: applicationColumns((id) => catalogue.find((p) => p.id === id)?.name, { compact: true }),
    })
      : empty('No applications yet.', 'Choose a product and apply in a few minutes.', h('a', { class: 'btn btn--primary', href: '#/portal/apply' }, 'Apply now'))));
  fill(loans, () => api('/loans', { query: { page_size: 5 } }), (page) =>
    (page.items.length ? h('div', { class: 'mini-cards' }, page.items.map((l) => h('a', { class: 'mini-card', href: `#/portal/loans/${l.id}` },
      h('span', { class: 'mini-card__title' }, `Loan of ${money(l.principal)}`),
      h('span', {}, 'Outstanding ', h('strong', {}, money(l.outstanding_principal))),
      l.next_due ? h('span', { class: 'muted' }, `Next ${money(l.next_due.amount)} on ${date(l.next_due.due_date)}`) : badge(l.status))))
      : empty('No loans yet.', 'Approved applications become loans once they are paid out.')));
  return h('div', { class: 'page' },
    h('header', { class: 'page-head' }, h('div', {}, h('p', { class: 'eyebrow' }, 'Client portal'), hello,
      h('p', { class: 'lead' }, 'Your applications, loans and file at a glance.')),
    h('div', { class: 'page-head__actions' }, h('a', { class: 'btn btn--primary', href: '#/portal/apply' }, 'Apply for a loan'))),
    h('div', { class: 'grid grid--sidebar' },
      card('Applications', apps, { actions: h('a', { href: '#/portal/applications' }, 'All applications') }),
      card('Your file', file)),
    card('Loans', loans, { actions: h('a', { href: '#/portal/loans' }, 'All loans') }));
}

/** One part of the client's file: a form that PUTs with If-Match and keeps the new version. */
function filePart({ title, path, testid, fields, data, lead }) {
  let version = data?.version;
  const el = form({
    submit: `Save ${title.toLowerCase()}`,
    props: { 'data-testid': testid, 'aria-label': title },
    fields: fields(data || {}),
    onSubmit: async (values) => {
      const { _action, ...body } = values;
      const saved = await api(path, { method: 'PUT', body, version, queue: { label: title, entity: 'profile' } });
      if (saved.queued) {
        el.dataset.saved = 'queued';
        toast(`${title} saved on this device: sent when you are back online.`);
        return;
      }
      version = saved.version;
      el.dataset.saved = 'true';
      toast(`${title} saved.`, 'ok');
    },
  });
  if (data) el.dataset.saved = 'true';
  return card(title, [lead ? h('p', { class: 'muted' }, lead) : null, el]);
}

export function profileView() {
  const body = h('div', { class: 'stack' }, loading());
  fill(body, fileParts, ([profile, financial, employment]) => [
    filePart({
      title: 'Personal details', path: '/me/profile', testid: 'profile-form', data: profile,
      fields: (d) => [
        { name: 'full_name', label: 'Full name', required: true, value: d.full_name, autocomplete: 'name' },
        { name: 'phone', label: 'Phone', type: 'tel', required: true, value: d.phone, autocomplete: 'tel', hint: 'International format, e.g. +447700900123.' },
        { name: 'date_of_birth', label: 'Date of birth', type: 'date', required: true, value: d.date_of_birth, autocomplete: 'bday', hint: 'You must be 18 or over.' },
        { name: 'national_id', label: 'National ID number', value: d.national_id, hint: 'Optional.' },
        { name: 'address', label: 'Address', required: true, value: d.address, autocomplete: 'street-address', wide: true, hint: 'One line: street, town, postcode.' },
      ],
    }),
    filePart({
      title: 'Income and expenses', path: '/me/financial', testid: 'financial-form', data: financial,
      lead: 'Monthly amounts, after tax. Existing debt is what you already repay each month.',
      fields: (d) => [
        { name: 'monthly_income', label: 'Monthly income', decimal: true, required: true, value: d.monthly_income },
        { name: 'monthly_expenses', label: 'Monthly expenses', decimal: true, required: true, value: d.monthly_expenses },
        { name: 'existing_monthly_debt', label: 'Existing monthly debt payments', decimal: true, required: true, value: d.existing_monthly_debt ?? '0.00' },
      ],
    }),
    filePart({
      title: 'Employment', path: '/me/employment', testid: 'employment-form', data: employment,
      fields: (d) => [
        {
          name: 'employment_type', label: 'Employment', type: 'select', required: true, value: d.employment_type || 'salaried',
          options: ['salaried', 'self_employed', 'unemployed', 'retired', 'student'].map((t) => [t, label(t)]),
        },
        { name: 'years_employed', label: 'Years in this work', integer: true, required: true, value: d.years_employed ?? '', min: 0 },
        { name: 'employer', label: 'Employer', value: d.employer, autocomplete: 'organization' },
        { name: 'job_title', label: 'Job title', value: d.job_title, autocomplete: 'organization-title' },
      ],
    }),
    h('p', { class: 'next-step' }, h('a', { class: 'btn btn--primary', href: '#/portal/apply', 'data-testid': 'go-apply' }, 'Continue to apply →')),
  ]);
  return h('div', { class: 'page' }, pageHead('Your file', { eyebrow: 'Client portal', lead: 'Saved once, used for every application. Only you and our staff see it.' }), body);
}

function productOption(p) {
  return h('span', { class: 'choice' },
    h('span', { class: 'choice__title' }, entered(p.name)),
    h('span', { class: 'choice__meta' }, `${rate(p.annual_rate)} · ${money(p.min_amount)}–${money(p.max_amount)} · ${p.min_term_months}–${p.max_term_months} months`));
}

/** The instalment and eligibility for what is typed so far, recomputed after a pause. */
function preview(formEl, catalogue, financial) {
  const out = h('div', { class: 'preview', 'aria-live': 'polite', 'data-testid': 'apply-preview' },
    h('p', { class: 'muted' }, 'Choose a product, an amount and a term to see your instalment.'));
  let timer = null;
  const update = async () => {
    const data = new FormData(formEl);
    const p = catalogue.find((x) => x.id === data.get('product_id'));
    const amount = String(data.get('amount') || '').replace(/[,\s]/g, '');
    const term = Number.parseInt(data.get('term_months'), 10);
    if (!p || !/^\d+(\.\d{1,2})?$/.test(amount) || !(term > 0)) return;
    try {
      const [quote, check] = await Promise.all([
        emi(amount, p.annual_rate, term),
        financial ? api('/eligibility/check', {
          method: 'POST', anonymous: true,
          body: {
            monthly_income: financial.monthly_income, monthly_expenses: financial.monthly_expenses,
            existing_monthly_debt: financial.existing_monthly_debt, amount, term_months: term, product_id: p.id,
          },
        }) : null,
      ]);
      mount(out,
        figure('Monthly instalment', money(quote.emi), { 'data-testid': 'apply-emi' }, `${term} payments at ${rate(p.annual_rate)}`),
        figure('Total interest', money(quote.total_interest)),
        check ? h('div', { class: `eligibility ${check.eligible ? 'is-ok' : 'is-bad'}` },
          h('p', {}, h('strong', {}, check.eligible ? 'Looks affordable' : 'May be hard to approve'),
            check.dti ? ` · debt-to-income ${percent(check.dti)}` : ''),
          h('p', { class: 'muted' }, `Up to ${money(check.max_eligible_amount)} on your declared income.`),
          check.reasons?.length ? h('ul', { class: 'chips' }, check.reasons.map((r) => h('li', { class: 'chip' }, label(r)))) : null) : null);
    } catch { /* the preview is a convenience; the submission says what is wrong */ }
  };
  formEl.addEventListener('input', () => { clearTimeout(timer); timer = setTimeout(update, 700); });
  formEl.addEventListener('change', () => { clearTimeout(timer); timer = setTimeout(update, 300); });
  return out;
}

export function applyView({ query }) {
  const body = h('div', {}, loading());
  fill(body, () => Promise.all([products({ fresh: true }), fileParts()]), ([catalogue, parts]) => {
    if (!catalogue.length) return empty('No products are open right now.');
    const missing = !parts[0] || !parts[1];
    const chosen = catalogue.find((p) => p.id === query.product) || catalogue[0];
    const el = form({
      submit: 'Submit application',
      props: { 'data-testid': 'apply-form', 'aria-label': 'Apply for a loan' },
      fields: [
        { name: 'product_id', label: 'Product', type: 'radios', required: true, value: chosen.id, wide: true, options: catalogue.map((p) => [p.id, productOption(p)]) },
        { name: 'amount', label: 'Amount', decimal: true, required: true, hint: `Between ${money(chosen.min_amount)} and ${money(chosen.max_amount)}.` },
        { name: 'term_months', label: 'Term (months)', integer: true, required: true, hint: `${chosen.min_term_months} to ${chosen.max_term_months} months.` },
        { name: 'purpose', label: 'What is the loan for?', type: 'textarea', required: true, rows: 3, wide: true },
      ],
      onSubmit: async (values) => {
        const chosenProduct = catalogue.find((p) => p.id === values.product_id);
        const created = await api('/applications', {
          method: 'POST', idempotent: true,
          body: { product_id: values.product_id, amount: values.amount, term_months: values.term_months, purpose: values.purpose },
          queue: { label: `Application for ${money(values.amount)} (${chosenProduct?.name || 'loan'})`, entity: 'application' },
        });
        if (created.queued) {
          toast('Your application is saved on this device: it is submitted when you are back online.');
          go('/sync');
          return;
        }
        toast('Application submitted. We are analysing it now.', 'ok');
        go(`/portal/applications/${created.id}`);
      },
    });
    el.addEventListener('change', (event) => {
      if (event.target.name !== 'product_id') return;
      const p = catalogue.find((x) => x.id === event.target.value);
      el.querySelector('[data-field="amount"] .field__hint').textContent = `Between ${money(p.min_amount)} and ${money(p.max_amount)}.`;
      el.querySelector('[data-field="term_months"] .field__hint').textContent = `${p.min_term_months} to ${p.max_term_months} months.`;
    });
    return h('div', { class: 'grid grid--sidebar' },
      card('Your application', [
        missing ? h('p', { class: 'notice notice--warn', role: 'note' }, 'Complete your personal and financial details first. ',
          h('a', { href: '#/portal/profile' }, 'Go to your file')) : null,
        el,
      ]),
      card('Your estimate', preview(el, catalogue, parts[1]), { className: 'card--sticky' }));
  });
  return h('div', { class: 'page' }, pageHead('Apply for a loan', { eyebrow: 'Client portal', lead: 'A decision usually takes hours. You can follow it live.' }), body);
}
