// How a payment will be used, shown before the client confirms it. The loans service decides
// (PaymentAllocation: fees first, then instalment by instalment); this follows the same rule on
// what the loan's own view says is owed, in whole pence. Pure, unit-tested without a browser.
import { date, pence } from './format.js';

/**
 * Where a payment of `amount` goes, by the loan's own rule: outstanding fees first, then the next
 * instalment, then the ones after it. Lines of [text, amount]; `short` is what the next
 * instalment would still lack. All in pence.
 */
export function allocation(loan, amount) {
  const fees = pence(loan.outstanding_fees) || 0n;
  const due = loan.next_due ? pence(loan.next_due.amount) : 0n;
  const instalmentDue = due > fees ? due - fees : 0n;
  const toFees = amount < fees ? amount : fees;
  const rest = amount - toFees;
  const toInstalment = rest < instalmentDue ? rest : instalmentDue;
  const ahead = rest - toInstalment;
  const n = loan.next_due?.number;
  return {
    lines: [
      toFees > 0n ? ['Fees due (taken first)', toFees] : null,
      toInstalment > 0n ? [`Instalment ${n}${loan.next_due ? `, due ${date(loan.next_due.due_date)}` : ''}`, toInstalment] : null,
      ahead > 0n ? ['Paid ahead: the instalments after it', ahead] : null,
    ].filter(Boolean),
    short: loan.next_due && toInstalment < instalmentDue ? instalmentDue - toInstalment : 0n,
    number: n,
  };
}
