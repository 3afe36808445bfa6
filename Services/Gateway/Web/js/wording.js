// What the app says in words that the API says in codes: the principal reasons behind a credit
// decision, the live updates, and the API's field messages (written for developers) retold for
// the people filling in the form. The one place for this wording in the app; the emailed and
// inbox notices are worded by the notification service's templates.
import { label, money, shortId as ref } from './format.js';

/** The scorecard's reason codes (docs/CREDIT.md) as an adverse-action notice states them. */
const REASONS = {
  DTI_TOO_HIGH: 'Your monthly debt payments, with this loan, would be more than 60 % of your income.',
  DTI_HIGH: 'Your monthly debt payments, with this loan, would take a large share of your income.',
  NO_INCOME: 'You did not declare a regular income.',
  LOW_INCOME: 'Your declared monthly income is low for the amount requested.',
  LOAN_TO_INCOME_HIGH: 'The amount requested is large compared with a year of your income.',
  INSUFFICIENT_DISPOSABLE_INCOME: 'After your expenses and debt payments, too little of your income would be left.',
  NO_EMPLOYMENT: 'You are not currently employed.',
  STUDENT: 'Student income is usually too uncertain for this loan.',
  SHORT_EMPLOYMENT: 'You have been in your current work for less than a year.',
  MANY_ACTIVE_LOANS: 'You already have more than two loans with us.',
  ARREARS: 'An instalment of one of your loans with us is overdue.',
  BUREAU_SCORE_LOW: 'Your credit record at the credit reference agency is weak.',
  RISK_TOO_HIGH: 'Our assessment put the risk of this loan above what we can lend at.',
};

/** The principal reasons for a decision, in plain sentences (unknown codes still say something). */
export const reasons = (codes = []) => codes.map((code) => REASONS[code] || `${label(code)}.`);

/** An audit action ("application.status_changed") in words ("Application status changed"). */
export const actionName = (action) => label(String(action || '').replace(/\./g, ' '));

/** A toast for a live push, or null for pushes that need none. */
export function pushText(push) {
  const d = push.data || {};
  switch (push.type) {
    case 'application_status_changed': return `Your application ${ref(d.application_id)} is now ${label(d.status).toLowerCase()}.`;
    case 'documents_requested': return `More documents are needed for application ${ref(d.application_id)}.`;
    case 'stage_assigned': return `An application (${ref(d.application_id)}) is waiting for your decision.`;
    case 'new_application': return `An application (${ref(d.application_id)}) is waiting for a ${label(d.role).toLowerCase()}.`;
    case 'ticket_updated': return 'One of your support tickets changed.';
    case 'system_maintenance': return d.message || 'Maintenance is planned: some actions may pause.';
    default: return null;
  }
}

// The API's field messages that read like a specification, said for a person instead.
const FIELD_MESSAGES = [
  [/E\.164/, () => 'Enter the number in international format: a + and the country code, such as +44 7700 900123.'],
  [/^must be at least min_amount$/, () => 'Must be at least the smallest amount.'],
  [/^must be at least min_term_months$/, () => 'Must be at least the shortest term.'],
  [/^must be between ([\d.]+) and ([\d.]+) for this product$/, (m, field) => (field === 'amount'
    ? `Choose an amount between ${money(m[1])} and ${money(m[2])} for this product.`
    : `Choose between ${m[1]} and ${m[2]} months for this product.`)],
  [/^must be completed first \(PUT \/me\/profile\)$/, () => 'Complete your personal details first.'],
  [/^must be completed first \(PUT \/me\/financial\)$/, () => 'Complete your income and expenses first.'],
  [/^must be an email address$/, () => 'Enter an email address such as name@example.com.'],
  [/^must be at least (\d+) characters$/, (m) => `Use at least ${m[1]} characters.`],
  [/^must not contain your email's name/, () => 'Choose a password that does not contain your email address.'],
  [/^must be at least (\d+) years ago$/, (m) => `You must be ${m[1]} or older.`],
];

/** A field message from the API, worded for the form's reader. */
export function fieldMessage(field, message) {
  const text = String(message || '');
  for (const [pattern, say] of FIELD_MESSAGES) {
    const match = pattern.exec(text);
    if (match) return say(match, field);
  }
  // Otherwise: the API's words without its field names in snake_case, as a sentence.
  const plain = text.replace(/\b[a-z]+(?:_[a-z]+)+\b/g, (code) => label(code).toLowerCase());
  return plain ? `${plain.charAt(0).toUpperCase()}${plain.slice(1)}${/[.!?]$/.test(plain) ? '' : '.'}` : '';
}
