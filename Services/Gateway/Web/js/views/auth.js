// Sign in, register, verify the emailed code.
import { api, ApiError } from '../api.js';
import { h } from '../dom.js';
import { field, form, showErrors } from '../forms.js';
import { landing } from '../roles.js';
import { go, link } from '../router.js';
import * as session from '../session.js';
import { toast } from '../ui.js';

function authPage(title, lead, content, aside) {
  return h('div', { class: 'auth' },
    h('div', { class: 'auth__card card' },
      h('h1', { tabindex: '-1' }, title),
      lead ? h('p', { class: 'lead' }, lead) : null,
      content,
      aside ? h('div', { class: 'auth__aside' }, aside) : null),
    h('aside', { class: 'auth__art', 'aria-label': 'Why Northwind' },
      h('p', { class: 'auth__quote' }, 'Every step of your loan, visible as it happens.'),
      h('ul', { class: 'auth__points' },
        h('li', {}, 'A decision in hours, by a named reviewer'),
        h('li', {}, 'Your timeline updates live: no refreshing'),
        h('li', {}, 'Clear rates, fees and schedule before you sign'))));
}

function notice(text) {
  return h('p', { class: 'notice notice--ok', role: 'status' }, text);
}

export function signInView({ query }) {
  const totp = field({ name: 'totp', label: 'Authenticator code', autocomplete: 'one-time-code', inputmode: 'numeric', hint: 'Six digits from your authenticator app.' });
  totp.hidden = true;
  const el = form({
    submit: 'Sign in',
    columns: 1,
    props: { 'data-testid': 'sign-in-form', 'aria-label': 'Sign in' },
    fields: [
      { name: 'email', label: 'Email', type: 'email', required: true, autocomplete: 'username', value: query.email || '' },
      { name: 'password', label: 'Password', type: 'password', required: true, autocomplete: 'current-password' },
      totp,
    ],
    onSubmit: async (values) => {
      try {
        const user = await session.signIn(values.email, values.password, values.totp);
        toast(`Welcome, ${user.full_name || user.email}.`, 'ok');
        location.hash = query.next && !query.next.startsWith('/sign-in') ? `#${query.next}` : landing(user.role);
      } catch (error) {
        if (error instanceof ApiError && error.status === 401 && error.type.endsWith('mfa-required')) {
          totp.hidden = false;
          totp.querySelector('input').focus();
          throw new ApiError(401, { detail: 'Enter the code from your authenticator app.' });
        }
        if (error instanceof ApiError && error.status === 403) {
          throw new ApiError(403, { detail: 'Your email is not verified yet: enter the code we sent you.', errors: [] });
        }
        throw error;
      }
    },
  });
  return authPage('Sign in', 'Welcome back. Clients and staff sign in here.', h('div', {},
    query.verified ? notice('Your email is verified. You can sign in now.') : null,
    el),
  h('p', {}, 'New here? ', h('a', { href: '#/register' }, 'Open an account'), ' · ',
    h('a', { href: link('/verify', { email: query.email }) }, 'Enter a verification code')));
}

export function registerView() {
  const el = form({
    submit: 'Create account',
    columns: 1,
    props: { 'data-testid': 'register-form', 'aria-label': 'Register' },
    fields: [
      { name: 'full_name', label: 'Full name', required: true, autocomplete: 'name' },
      { name: 'email', label: 'Email', type: 'email', required: true, autocomplete: 'email' },
      { name: 'phone', label: 'Mobile phone', type: 'tel', autocomplete: 'tel', hint: 'Optional. International format, e.g. +447700900123.' },
      { name: 'password', label: 'Password', type: 'password', required: true, autocomplete: 'new-password', minlength: 10, hint: 'At least 10 characters.' },
    ],
    onSubmit: async (values) => {
      await api('/auth/register', { method: 'POST', body: values, anonymous: true, idempotent: true });
      toast('We sent a six-digit code to your email.', 'ok');
      go('/verify', { email: values.email });
    },
  });
  return authPage('Open an account', 'It takes a minute. We will email you a code to confirm your address.', el,
    h('p', {}, 'Already registered? ', h('a', { href: '#/sign-in' }, 'Sign in')));
}

export function verifyView({ query }) {
  const resend = h('button', { class: 'btn btn--ghost', type: 'button', 'data-testid': 'resend-code' }, 'Send a new code');
  const el = form({
    submit: 'Verify',
    columns: 1,
    actions: [resend],
    props: { 'data-testid': 'verify-form', 'aria-label': 'Verify your email' },
    fields: [
      { name: 'email', label: 'Email', type: 'email', required: true, autocomplete: 'email', value: query.email || '' },
      { name: 'code', label: 'Six-digit code', required: true, inputmode: 'numeric', autocomplete: 'one-time-code', pattern: '[0-9]{6}', maxlength: 6, hint: 'From the email we just sent. It is valid for 10 minutes.' },
    ],
    onSubmit: async (values) => {
      try {
        await api('/auth/verify-otp', { method: 'POST', body: { email: values.email, code: values.code }, anonymous: true });
      } catch (error) {
        if (error instanceof ApiError && error.status === 400) {
          throw new ApiError(422, { errors: [{ field: 'code', message: 'That code is wrong or has expired. Check it, or send a new one.' }] });
        }
        throw error;
      }
      go('/sign-in', { email: values.email, verified: 1 });
    },
  });
  resend.addEventListener('click', async () => {
    const email = el.querySelector('[name="email"]').value.trim();
    if (!email) { showErrors(el, new ApiError(422, { errors: [{ field: 'email', message: 'Enter your email first.' }] })); return; }
    resend.disabled = true;
    try {
      await api('/auth/resend-otp', { method: 'POST', body: { email }, anonymous: true });
      toast('If that address has an account waiting, a new code is on its way.', 'ok');
    } catch (error) {
      showErrors(el, error);
    } finally {
      resend.disabled = false;
    }
  });
  return authPage('Verify your email', 'Enter the code we emailed you to activate your account.', el);
}
