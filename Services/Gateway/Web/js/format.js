// Display formatting. Money arrives as exact decimal strings ("25000.00"): it is formatted as
// text, and any sum is done in whole pence (BigInt), never in floats. The platform lends in one
// currency, pounds sterling (docs/DECISIONS.md), shown with the £ sign as the notices are.

const numberFormat = new Intl.NumberFormat('en-GB');
const dateFormat = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' });
const dateTimeFormat = new Intl.DateTimeFormat('en-GB', {
  day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit',
});
const relativeFormat = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });

const CURRENCY = '£';

/** "1234567.5" → "£1,234,567.50" (string work only). */
export function money(value) {
  if (value === null || value === undefined || value === '') return '—';
  const text = String(value).trim();
  const match = /^(-?)(\d*)(?:\.(\d*))?$/.exec(text);
  if (!match) return text;
  const [, sign, whole, cents = ''] = match;
  const grouped = (whole || '0').replace(/^0+(?=\d)/, '').replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${sign}${CURRENCY}${grouped}.${(cents + '00').slice(0, 2)}`;
}

/** An amount short enough for a headline figure ("£4.94M"); the exact one belongs in its title. */
export function compactMoney(value) {
  const amount = Number(value);
  if (value === null || value === undefined || value === '' || !Number.isFinite(amount)) return money(value);
  return `${CURRENCY}${new Intl.NumberFormat('en', { notation: 'compact', maximumFractionDigits: 2 }).format(amount)}`;
}

/** A decimal string → whole pence as a BigInt ("12.5" → 1250n); null when it is not an amount. */
export function pence(value) {
  const match = /^(-?)(\d+)(?:\.(\d{0,2}))?$/.exec(String(value ?? '').trim());
  if (!match) return null;
  const amount = BigInt(match[2]) * 100n + BigInt(((match[3] || '') + '00').slice(0, 2));
  return match[1] ? -amount : amount;
}

/** Whole pence → the API's decimal string (1250n → "12.50"). */
export function decimal(amount) {
  const sign = amount < 0n ? '-' : '';
  const abs = amount < 0n ? -amount : amount;
  return `${sign}${abs / 100n}.${String(abs % 100n).padStart(2, '0')}`;
}

/**
 * What a person typed as an amount → the API's decimal string ("10000" → "10000.00"), or null
 * when it is not an amount with at most two decimals.
 */
export function toDecimal(input) {
  const text = String(input ?? '').replace(/[,\s]/g, '');
  const match = /^(\d{1,13})(?:\.(\d{0,2}))?$/.exec(text);
  if (!match) return null;
  return `${match[1].replace(/^0+(?=\d)/, '')}.${((match[2] || '') + '00').slice(0, 2)}`;
}

/** A decimal string for charts only (geometry, never money arithmetic). */
export const magnitude = (value) => Number.parseFloat(value) || 0;

export const count = (n) => (n === null || n === undefined ? '—' : numberFormat.format(n));

/** An annual rate string "11.50" → "11.50 %". */
export const rate = (value) => (value === null || value === undefined ? '—' : `${value} %`);

/** A fraction 0…1 → "82.5 %". */
export function percent(fraction, digits = 1) {
  if (fraction === null || fraction === undefined || Number.isNaN(Number(fraction))) return '—';
  return `${(Number(fraction) * 100).toFixed(digits)} %`;
}

export function hours(value) {
  if (value === null || value === undefined) return '—';
  const n = Number(value);
  if (n * 60 < 1) return '< 1 min';
  if (n < 1) return `${Math.round(n * 60)} min`;
  return `${n.toFixed(n < 10 ? 1 : 0)} h`;
}

export const date = (iso) => (iso ? dateFormat.format(new Date(iso.length === 10 ? `${iso}T00:00:00Z` : iso)) : '—');
export const dateTime = (iso) => (iso ? dateTimeFormat.format(new Date(iso)) : '—');

/** "in 3 hours", "2 days ago". */
export function relative(iso) {
  if (!iso) return '—';
  const seconds = (new Date(iso).getTime() - Date.now()) / 1000;
  const units = [['day', 86400], ['hour', 3600], ['minute', 60]];
  for (const [unit, size] of units) {
    if (Math.abs(seconds) >= size) return relativeFormat.format(Math.round(seconds / size), unit);
  }
  return relativeFormat.format(Math.round(seconds), 'second');
}

/** "pending_approval" → "Pending approval"; "DTI_TOO_HIGH" → "DTI too high". */
export function label(code) {
  if (!code) return '—';
  const words = String(code).replace(/[_-]+/g, ' ').trim().toLowerCase();
  return (words.charAt(0).toUpperCase() + words.slice(1)).replace(/\b(dti|emi|id|sla|api)\b/gi, (w) => w.toUpperCase());
}

/** "1 application", "3 applications". */
export const plural = (n, word) => `${count(n)} ${word}${n === 1 ? '' : 's'}`;

/** Whether two UUID strings name the same thing (services may differ in letter case). */
export const sameId = (a, b) => Boolean(a && b) && String(a).toLowerCase() === String(b).toLowerCase();

/** A short reference people can read out: the id's first eight characters, upper case. */
export const shortId = (id) => (id ? String(id).slice(0, 8).toUpperCase() : '—');

/** A Date → "YYYY-MM-DD" (UTC), for date inputs and `from`/`to`. */
export const isoDate = (d) => d.toISOString().slice(0, 10);

export function fileSize(bytes) {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
