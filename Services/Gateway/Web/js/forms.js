// Forms: labelled fields, client checks, and the API's 422 `errors` shown on the fields they
// name (aria-invalid, aria-describedby) with a summary in an alert.
import { h, mount, uid } from './dom.js';
import { label, toDecimal } from './format.js';
import { ApiError } from './api.js';
import { fieldMessage } from './wording.js';

/**
 * One labelled control. spec: {name, label, type, value, required, options: [[value, text]],
 * hint, decimal, integer, rows, ...attributes}. Types: text, email, password, tel, date, number,
 * select, textarea, checkbox, checks (a group of checkboxes → array), radios (one of a group), file.
 */
export function field(spec) {
  const { name, label, type = 'text', value, required, options = [], hint, decimal, integer, rows, wide, ...attrs } = spec;
  const id = uid(`f-${name}`);
  const hintId = hint ? `${id}-hint` : null;
  const errorId = `${id}-error`;
  let control;
  if (type === 'checks' || type === 'radios') {
    const multiple = type === 'checks';
    control = h('fieldset', { class: multiple ? 'checks' : 'checks radios', id, 'aria-describedby': hintId },
      h('legend', {}, label, required ? h('span', { class: 'req', 'aria-hidden': 'true' }, ' *') : null),
      options.map(([optionValue, text]) => {
        const optionId = uid(`${id}-o`);
        const on = multiple ? (value || []).includes(optionValue) : String(value) === String(optionValue);
        return h('div', { class: 'check' },
          h('input', { type: multiple ? 'checkbox' : 'radio', id: optionId, name, value: optionValue, checked: on, required: !multiple && required ? true : null }),
          h('label', { for: optionId }, text));
      }));
    return h('div', { class: ['field', wide && 'field--wide'], 'data-field': name },
      control, hint ? h('p', { class: 'field__hint', id: hintId }, hint) : null,
      h('p', { class: 'field__error', id: errorId, hidden: true }));
  }
  const common = { id, name, required: required || null, 'aria-describedby': hintId, ...attrs };
  if (type === 'select') {
    control = h('select', common, options.map(([optionValue, text]) => h('option', { value: optionValue, selected: String(value) === String(optionValue) }, text)));
  } else if (type === 'textarea') {
    control = h('textarea', { ...common, rows: rows || 4 }, value ?? '');
  } else if (type === 'checkbox') {
    control = h('input', { ...common, type, checked: Boolean(value) });
  } else {
    const inputmode = decimal ? 'decimal' : integer ? 'numeric' : undefined;
    control = h('input', { inputmode, ...common, type, value: value ?? '' });
  }
  control.dataset.kind = decimal ? 'decimal' : integer ? 'integer' : type;
  const labelEl = h('label', { for: id }, label, required ? h('span', { class: 'req', 'aria-hidden': 'true' }, ' *') : null);
  return h('div', { class: ['field', type === 'checkbox' && 'field--check', wide && 'field--wide'], 'data-field': name },
    type === 'checkbox' ? [control, labelEl] : [labelEl, control],
    hint ? h('p', { class: 'field__hint', id: hintId }, hint) : null,
    h('p', { class: 'field__error', id: errorId, hidden: true }));
}

function setError(wrapper, message) {
  const error = wrapper.querySelector('.field__error');
  const control = wrapper.querySelector('input, select, textarea, fieldset');
  const hint = wrapper.querySelector('.field__hint');
  error.textContent = message || '';
  error.hidden = !message;
  wrapper.classList.toggle('field--invalid', Boolean(message));
  if (message) control.setAttribute('aria-invalid', 'true');
  else control.removeAttribute('aria-invalid');
  const describedBy = [hint?.id, message ? error.id : null].filter(Boolean).join(' ');
  if (describedBy) control.setAttribute('aria-describedby', describedBy);
  else control.removeAttribute('aria-describedby');
}

function readValue(wrapper) {
  const name = wrapper.dataset.field;
  const group = wrapper.querySelector('fieldset.checks');
  if (group?.classList.contains('radios')) {
    const chosen = group.querySelector('input:checked');
    if (!chosen && group.querySelector('input[required]')) return { error: 'Choose one.' };
    return { value: chosen?.value };
  }
  if (group) return { value: [...group.querySelectorAll('input:checked')].map((box) => box.value) };
  const control = wrapper.querySelector(`[name="${name}"]`);
  const raw = control.type === 'checkbox' ? control.checked : control.type === 'file' ? control.files[0] || null : control.value.trim();
  const missing = raw === '' || raw === null;
  if (control.required && missing) return { error: 'This field is required.' };
  if (missing) return { value: control.type === 'file' ? null : undefined };
  if (control.dataset.kind === 'decimal') {
    const decimal = toDecimal(raw);
    return decimal ? { value: decimal } : { error: 'Enter an amount such as 12500 or 12500.50.' };
  }
  if (control.dataset.kind === 'integer') {
    return /^-?\d+$/.test(raw) ? { value: Number.parseInt(raw, 10) } : { error: 'Enter a whole number.' };
  }
  return { value: raw };
}

/** Shows an error (ApiError or any Error) on `form`: on the named fields, and as a summary. */
export function showErrors(form, error) {
  const alert = form.querySelector('.form__alert');
  const wrappers = [...form.querySelectorAll('[data-field]')];
  const unplaced = [];
  for (const { field: name, message: said } of error instanceof ApiError ? error.fieldErrors : []) {
    const key = String(name || '');
    const message = fieldMessage(key, said);
    const leaf = key.split('.').pop().replace(/\[\d+\]$/, '');
    const wrapper = wrappers.find((w) => w.dataset.field === key) || wrappers.find((w) => w.dataset.field === leaf);
    if (wrapper) setError(wrapper, message);
    else unplaced.push(leaf ? `${label(leaf)}: ${message}` : message);
  }
  const invalid = form.querySelector('[aria-invalid="true"]');
  const summary = error instanceof ApiError && error.status === 422 && invalid ? 'Please correct the highlighted fields.' : (error.friendly || error.message);
  mount(alert, h('p', {}, summary), unplaced.length ? h('ul', {}, unplaced.map((text) => h('li', {}, text))) : null);
  alert.hidden = false;
  (invalid || alert).focus?.();
}

function clearErrors(form) {
  form.querySelectorAll('[data-field]').forEach((wrapper) => setError(wrapper, ''));
  const alert = form.querySelector('.form__alert');
  alert.hidden = true;
  alert.replaceChildren();
}

/**
 * A form: fields (specs or ready elements), a submit button, and `onSubmit(values, event)`
 * which may return a promise. While it runs the button is busy; errors land on the fields.
 * Extra buttons in `actions` may carry `data-action`; the clicked one arrives as values._action.
 */
export function form({ fields, submit = 'Save', onSubmit, actions = [], className = '', props = {}, columns = 2 }) {
  const submitButton = h('button', { class: 'btn btn--primary', type: 'submit' }, submit);
  const el = h('form', { class: ['form', `form--cols-${columns}`, className], novalidate: true, ...props },
    h('div', { class: 'form__alert', role: 'alert', tabindex: '-1', hidden: true }),
    h('div', { class: 'form__grid' }, fields.map((spec) => (spec instanceof Node ? spec : field(spec)))),
    h('div', { class: 'form__actions' }, actions, submit ? submitButton : null));
  el.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (el.getAttribute('aria-busy') === 'true') return;
    clearErrors(el);
    const values = { _action: event.submitter?.dataset.action || null };
    let invalid = false;
    for (const wrapper of el.querySelectorAll('[data-field]')) {
      const { value, error } = readValue(wrapper);
      if (error) { setError(wrapper, error); invalid = true; } else if (value !== undefined) values[wrapper.dataset.field] = value;
    }
    if (invalid) {
      showErrors(el, new Error('Please correct the highlighted fields.'));
      return;
    }
    const buttons = el.querySelectorAll('button');
    el.setAttribute('aria-busy', 'true');
    buttons.forEach((b) => { b.disabled = true; });
    try {
      await onSubmit(values, event);
    } catch (error) {
      showErrors(el, error);
    } finally {
      el.removeAttribute('aria-busy');
      buttons.forEach((b) => { b.disabled = false; });
    }
  });
  return el;
}
