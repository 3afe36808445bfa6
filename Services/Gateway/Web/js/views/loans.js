// Loans: the list, and one loan with its schedule, payments, a payment form and the
// pre-closure quote. Clients see their own; staff read any (admins may also pay).
import { api } from '../api.js';
import { h, mount } from '../dom.js';
import { form } from '../forms.js';
import { date, dateTime, decimal, money, pence, rate, shortId, toDecimal } from '../format.js';
import { allocation } from '../payments.js';
import { ADMINS } from '../roles.js';
import * as session from '../session.js';
import { pagedTable } from '../table.js';
import { badge, card, confirm, details, entered, fill, figure, pageHead, toast } from '../ui.js';

export function loansView() {
  const { el } = pagedTable({
    caption: 'Your loans',
    load: (page, pageSize) => api('/loans', { query: { page, page_size: pageSize } }),
    rowProps: () => ({ 'data-testid': 'loan-row' }),
    emptyText: 'No loans yet: approved applications become loans when they are paid out.',
    columns: [
      { label: 'Loan', render: (l) => h('a', { href: `#/portal/loans/${l.id}` }, `${money(l.principal)} · ${shortId(l.id)}`) },
      { label: 'Rate', render: (l) => rate(l.annual_rate) },
      { label: 'Instalment', numeric: true, render: (l) => money(l.emi) },
      { label: 'Outstanding', numeric: true, render: (l) => money(l.outstanding_principal) },
      { label: 'Next due', render: (l) => (l.next_due?.due_date ? `${money(l.next_due.amount)} on ${date(l.next_due.due_date)}` : '—') },
      { label: 'Status', render: (l) => badge(l.status) },
    ],
  });
  return h('div', { class: 'page' }, pageHead('Your loans', { eyebrow: 'Client portal' }), card(null, el));
}

function quoteCard(loan, reload) {
  const body = h('div', { 'aria-live': 'polite' },
    h('p', { class: 'muted' }, 'What closing the loan today would cost: the outstanding principal, interest to the day and the prepayment fee.'),
    h('button', {
      class: 'btn btn--ghost', type: 'button', 'data-testid': 'get-quote',
      onClick: () => fill(body, () => api(`/loans/${loan.id}/pre-closure-quote`), (quote) => [
        details([
          ['Outstanding principal', money(quote.outstanding_principal)],
          ['Accrued interest', money(quote.accrued_interest)],
          ['Prepayment fee', money(quote.fee)],
          ['Total to close', h('strong', { 'data-testid': 'quote-total' }, money(quote.total))],
          ['Valid until', date(quote.valid_until)],
        ]),
        h('button', {
          class: 'btn btn--primary', type: 'button', 'data-testid': 'pre-close',
          onClick: async () => {
            if (!await confirm('Close this loan now?', `You pay ${money(quote.total)} and the loan closes today.`, { action: 'Pay and close' })) return;
            try {
              await api(`/loans/${loan.id}/pre-close`, { method: 'POST', body: { amount: quote.total, reference: `pre-close-${Date.now()}` } });
              toast('Loan closed. Thank you!', 'ok');
              reload();
            } catch (error) { toast(error.friendly, 'error'); }
          },
        }, `Close the loan for ${money(quote.total)}`),
      ]),
    }, 'Get a quote'));
  return card('Repay early', body);
}

function allocationView(loan, amount) {
  const split = allocation(loan, amount);
  return h('div', { class: 'allocation', 'data-testid': 'payment-allocation' },
    h('p', { class: 'allocation__title' }, `How ${money(decimal(amount))} will be used`),
    details(split.lines.map(([text, part]) => [text, money(decimal(part))])),
    split.short > 0n ? h('p', { class: 'notice notice--warn', role: 'note', 'data-testid': 'payment-short' },
      `Instalment ${split.number} stays partly unpaid: ${money(decimal(split.short))} still due.`) : null);
}

function payForm(loan, reload) {
  const due = loan.next_due;
  const preview = h('div', { 'aria-live': 'polite' });
  const el = form({
    submit: 'Review payment',
    props: { 'data-testid': 'payment-form', 'aria-label': 'Make a payment' },
    fields: [
      {
        name: 'amount', label: 'Amount', decimal: true, required: true, value: due?.amount || loan.emi,
        hint: due ? `Due next: ${money(due.amount)} on ${date(due.due_date)}${loan.outstanding_fees !== '0.00' ? `, of which ${money(loan.outstanding_fees)} fees` : ''}.` : null,
      },
      { name: 'reference', label: 'Reference', required: true, value: `payment-${new Date().toISOString().slice(0, 10)}`, hint: 'Shown on your statement.' },
    ],
    onSubmit: async (values) => {
      const amount = pence(values.amount);
      if (!await confirm(`Pay ${money(values.amount)}?`, allocationView(loan, amount), { action: `Pay ${money(values.amount)}` })) return;
      const paid = await api(`/loans/${loan.id}/payments`, { method: 'POST', idempotent: true, body: { amount: values.amount, reference: values.reference } });
      toast(`Paid ${money(paid.amount)}: ${money(paid.allocation.fees)} fees, ${money(paid.allocation.interest)} interest, ${money(paid.allocation.principal)} principal.`, 'ok');
      reload();
    },
  });
  // The split follows what is typed, before anyone presses a button.
  const show = () => {
    const amount = pence(toDecimal(el.querySelector('[name="amount"]').value));
    mount(preview, amount && amount > 0n ? allocationView(loan, amount) : null);
  };
  el.addEventListener('input', show);
  show();
  return [el, preview];
}

export function loanView({ params }) {
  const host = h('div', { class: 'stack' });
  const canPay = ['client', ...ADMINS].includes(session.role());
  const head = h('div', {}, pageHead('Loan', { eyebrow: `Loan ${shortId(params.id)}` }));
  const load = () => fill(host, () => api(`/loans/${params.id}`), (loan) => {
    mount(head, pageHead(`Loan of ${money(loan.principal)}`, { eyebrow: `Loan ${shortId(loan.id)}`, actions: badge(loan.status) }));
    const schedule = pagedTable({
      caption: 'Repayment schedule',
      pageSize: 24,
      load: (page, pageSize) => api(`/loans/${loan.id}/schedule`, { query: { page, page_size: pageSize } }),
      rowProps: (r) => ({ 'data-testid': 'schedule-row', 'data-status': r.status }),
      columns: [
        { label: 'No.', render: (r) => String(r.number) },
        { label: 'Due', render: (r) => date(r.due_date) },
        { label: 'Payment', numeric: true, render: (r) => money(r.payment) },
        { label: 'Principal', numeric: true, render: (r) => money(r.principal) },
        { label: 'Interest', numeric: true, render: (r) => money(r.interest) },
        { label: 'Balance', numeric: true, render: (r) => money(r.balance) },
        { label: 'Status', render: (r) => badge(r.status) },
      ],
    });
    const payments = pagedTable({
      caption: 'Payments',
      load: (page, pageSize) => api(`/loans/${loan.id}/payments`, { query: { page, page_size: pageSize } }),
      emptyText: 'No payments yet.',
      columns: [
        { label: 'Date', render: (p) => dateTime(p.created_at) },
        { label: 'Reference', render: (p) => entered(p.reference) },
        { label: 'Amount', numeric: true, render: (p) => money(p.amount) },
        { label: 'Fees', numeric: true, render: (p) => money(p.allocation.fees) },
        { label: 'Interest', numeric: true, render: (p) => money(p.allocation.interest) },
        { label: 'Principal', numeric: true, render: (p) => money(p.allocation.principal) },
      ],
    });
    const open = loan.status === 'active';
    return [
      h('div', { class: 'figures figures--4' },
        figure('Principal', money(loan.principal)),
        figure('Monthly instalment', money(loan.emi), {}, `${loan.term_months} months at ${rate(loan.annual_rate)}`),
        figure('Outstanding', money(loan.outstanding_principal), { 'data-testid': 'loan-outstanding' }, loan.outstanding_fees !== '0.00' ? `plus fees ${money(loan.outstanding_fees)}` : null),
        figure('Next payment', loan.next_due?.due_date ? money(loan.next_due.amount) : '—', { 'data-testid': 'payment-due' },
          loan.next_due?.due_date ? `instalment ${loan.next_due.number}, due ${date(loan.next_due.due_date)}${loan.outstanding_fees !== '0.00' ? `, with ${money(loan.outstanding_fees)} fees` : ''}` : badge(loan.status))),
      open && canPay ? h('div', { class: 'grid grid--2' }, card('Make a payment', payForm(loan, load)), quoteCard(loan, load)) : null,
      card('Payments', payments.el),
      card('Schedule', schedule.el),
    ];
  });
  load();
  return h('div', { class: 'page' }, head, host);
}
