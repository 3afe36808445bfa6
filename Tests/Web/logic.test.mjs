// The web app's pure logic, without a browser: money in pence, how a payment splits, the plain
// words it shows for codes and API messages, and the keys of reads kept for offline use.
// Run by deploy/local/test (`node --test Tests/Web/`).
import assert from 'node:assert/strict';
import { test } from 'node:test';

const web = new URL('../../Services/Gateway/Web/js/', import.meta.url);
const { money, compactMoney, pence, decimal, toDecimal, shortId } = await import(new URL('format.js', web));
const { allocation } = await import(new URL('payments.js', web));
const { reasons, fieldMessage, actionName, pushText } = await import(new URL('wording.js', web));
const { readKey } = await import(new URL('offline/reads.js', web));

test('amounts are grouped, in pounds, without floating point', () => {
  assert.equal(money('60000'), '£60,000.00');
  assert.equal(money('1234567.5'), '£1,234,567.50');
  assert.equal(money('-5.5'), '-£5.50');
  assert.equal(money(null), '—');
  assert.equal(compactMoney('4940000'), '£4.94M');
  assert.equal(pence('0.1') + pence('0.2'), pence('0.30'));
  assert.equal(decimal(pence('2592.86') - pence('600.00')), '1992.86');
  assert.equal(pence('12.345'), null);
  assert.equal(toDecimal('10,000'), '10000.00');
  assert.equal(toDecimal('-5'), null);
});

test('references are eight upper-case characters, never the whole id', () => {
  assert.equal(shortId('3f2a19c0-aaaa-4bbb-8ccc-0123456789ab'), '3F2A19C0');
});

const loan = { outstanding_fees: '600.00', next_due: { number: 1, amount: '2592.86', due_date: '2027-01-07' } };
const lines = (split) => split.lines.map(([text, amount]) => [text.split(',')[0], decimal(amount)]);

test('a payment of what is due settles the fees, then the instalment', () => {
  const split = allocation(loan, pence('2592.86'));
  assert.deepEqual(lines(split), [['Fees due (taken first)', '600.00'], ['Instalment 1', '1992.86']]);
  assert.equal(split.short, 0n);
});

test('paying only the instalment leaves it short by the fees', () => {
  const split = allocation(loan, pence('1992.86'));
  assert.deepEqual(lines(split), [['Fees due (taken first)', '600.00'], ['Instalment 1', '1392.86']]);
  assert.equal(decimal(split.short), '600.00');
});

test('less than the fees pays fees only; more than is due pays ahead', () => {
  assert.deepEqual(lines(allocation(loan, pence('100.00'))), [['Fees due (taken first)', '100.00']]);
  assert.deepEqual(lines(allocation(loan, pence('3000.00'))),
    [['Fees due (taken first)', '600.00'], ['Instalment 1', '1992.86'], ['Paid ahead: the instalments after it', '407.14']]);
  const noFees = allocation({ outstanding_fees: '0.00', next_due: { number: 2, amount: '443.08', due_date: '2027-02-07' } }, pence('443.08'));
  assert.deepEqual(lines(noFees), [['Instalment 2', '443.08']]);
});

test('reason codes read as the principal reasons of a decision', () => {
  const [dti, unknown] = reasons(['DTI_TOO_HIGH', 'SOMETHING_NEW']);
  assert.match(dti, /more than 60 % of your income/);
  assert.equal(unknown, 'Something new.');
});

test("the API's field messages are retold for people", () => {
  assert.match(fieldMessage('phone', 'must be an E.164 number such as +14155550123'), /^Enter the number in international format/);
  assert.equal(fieldMessage('amount', 'must be between 1000.00 and 50000.00 for this product'),
    'Choose an amount between £1,000.00 and £50,000.00 for this product.');
  assert.equal(fieldMessage('max_amount', 'must be at least min_amount'), 'Must be at least the smallest amount.');
  assert.equal(fieldMessage('x', 'must not contain control_characters'), 'Must not contain control characters.');
  for (const text of [fieldMessage('purpose', 'must be 1 to 500 characters'), actionName('application.status_changed')]) {
    assert.doesNotMatch(text, /[a-z]_[a-z]/, text);
  }
  assert.equal(actionName('application.status_changed'), 'Application status changed');
});

test('live updates say what happened in words', () => {
  const text = pushText({ type: 'application_status_changed', data: { application_id: '3f2a19c0-aaaa-4bbb-8ccc-0123456789ab', status: 'pending_approval' } });
  assert.equal(text, 'Your application 3F2A19C0 is now pending approval.');
  assert.equal(pushText({ type: 'heartbeat' }), null);
});

test('a kept read is found again whatever the order of its query', () => {
  assert.equal(readKey('/products', { page_size: 100, active: true }), readKey('/products', { active: 'true', page_size: '100', empty: '' }));
  assert.notEqual(readKey('/products', { active: true }), readKey('/products', { active: false }));
});
