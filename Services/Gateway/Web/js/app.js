// The signed-in app: the shell (header, role navigation, live status, unread count), the routes
// and the guard that sends each role to its own area.
import { api, configureOffline } from './api.js';
import * as reads from './offline/reads.js';
import * as sync from './offline/sync.js';
import { h, mount } from './dom.js';
import { foldingMenu } from './menu.js';
import * as live from './live.js';
import { ADMINS, ANYONE_SIGNED_IN, STAFF, SUPERVISORS, landing, navigation, roleName } from './roles.js';
import { fallback, route, setGuard, start } from './router.js';
import * as session from './session.js';
import { announce, confirm, empty, entered, pageHead, toast } from './ui.js';
import { pushText } from './wording.js';
import { registerView, signInView, verifyView } from './views/auth.js';
import { applicationView, myApplicationsView } from './views/applications.js';
import { dashboardView, deadLettersView, auditView, trafficView } from './views/dashboard.js';
import { loanView, loansView } from './views/loans.js';
import { READ_CHANGED, notificationsView } from './views/notifications.js';
import { applyView, overviewView, profileView } from './views/portal.js';
import { policyView, productsView, usersView } from './views/admin.js';
import { reviewView, staffApplicationsView, tasksView } from './views/staff.js';
import { banner, conflictView, syncView } from './views/sync.js';
import { ticketView, ticketsView } from './views/tickets.js';

const CLIENT = ['client'];
const SUPER = ['super_admin'];

route('/sign-in', signInView, { guest: true });
route('/register', registerView, { guest: true });
route('/verify', verifyView, { guest: true });
route('/portal', overviewView, { roles: CLIENT });
route('/portal/profile', profileView, { roles: CLIENT });
route('/portal/apply', applyView, { roles: CLIENT });
route('/portal/applications', myApplicationsView, { roles: CLIENT });
route('/portal/applications/:id', applicationView, { roles: CLIENT });
route('/portal/loans', loansView, { roles: CLIENT });
route('/portal/loans/:id', loanView, { roles: CLIENT });
route('/portal/tickets', ticketsView, { roles: CLIENT });
route('/portal/tickets/:id', ticketView, { roles: CLIENT });
route('/notifications', notificationsView, { roles: ANYONE_SIGNED_IN });
route('/sync', syncView, { roles: ANYONE_SIGNED_IN });
route('/sync/conflicts/:id', conflictView, { roles: ANYONE_SIGNED_IN });
route('/staff/tasks', tasksView, { roles: STAFF });
route('/staff/applications', staffApplicationsView, { roles: STAFF });
route('/staff/applications/:id', reviewView, { roles: STAFF });
route('/staff/loans/:id', loanView, { roles: STAFF });
route('/staff/tickets', ticketsView, { roles: ADMINS });
route('/staff/tickets/:id', ticketView, { roles: ADMINS });
route('/admin/products', productsView, { roles: ADMINS });
route('/admin/users', usersView, { roles: ADMINS });
route('/admin/policy', policyView, { roles: ADMINS });
route('/dashboard', dashboardView, { roles: SUPERVISORS });
route('/dashboard/traffic', trafficView, { roles: SUPER });
route('/dashboard/audit', auditView, { roles: SUPER });
route('/dashboard/dead-letters', deadLettersView, { roles: SUPER });
route('/', () => h('div'), { roles: ANYONE_SIGNED_IN });
fallback(() => h('div', { class: 'page' }, pageHead('Page not found'),
  empty('There is no page at this address.', null, h('a', { class: 'btn btn--primary', href: '#/' }, 'Go to your start page'))));

setGuard((meta, path) => {
  const role = session.role();
  if (meta.guest) return role ? landing(role) : null;
  if (!meta.roles) return null;
  if (!role) return `#/sign-in?next=${encodeURIComponent(location.hash.slice(1))}`;
  if (path === '/' || !meta.roles.includes(role)) return landing(role);
  return null;
});

configureOffline({ reached: sync.reached, answer: reads.answer, remember: reads.remember, enqueue: sync.enqueue });
document.getElementById('toasts').before(banner());
// The app shell is cached by a service worker, so the app opens without a network.
navigator.serviceWorker?.register('/app/sw.js', { scope: '/app/' })
  .then(() => navigator.serviceWorker.ready)
  .then((registration) => registration.active?.postMessage({
    shell: [location.pathname, ...performance.getEntriesByType('resource').map((entry) => entry.name)],
  }))
  .catch(() => { /* without a service worker the app still works online */ });

const nav = document.getElementById('app-nav');
const menu = document.querySelector('.app-menu');
foldingMenu(menu, nav);
const tools = document.getElementById('header-tools');
const unread = h('span', { class: 'count', 'data-testid': 'unread-count', hidden: true });
const liveStatus = h('span', { class: 'live', 'data-testid': 'live-status', 'data-state': live.connection(), role: 'status' });

function showLiveState(state) {
  liveStatus.dataset.state = state;
  liveStatus.textContent = { live: 'Live', connecting: 'Connecting…', offline: 'Offline' }[state];
  liveStatus.title = state === 'live' ? 'Updates arrive as they happen' : 'Reconnecting: updates will resume shortly';
}
live.on('state', showLiveState);
showLiveState(live.connection());

async function refreshUnread() {
  if (!session.isSignedIn()) return;
  try {
    const page = await api('/notifications', { query: { unread: true, page_size: 1 } });
    mount(unread, page.total > 99 ? '99+' : String(page.total), h('span', { class: 'visually-hidden' }, ' unread'));
    unread.hidden = !page.total;
    // Folded away on a phone, the navigation still says there is something new.
    menu.dataset.unread = String(Boolean(page.total));
    menu.querySelector('.visually-hidden').textContent = page.total ? `Menu, ${page.total} unread notifications` : 'Menu';
  } catch { /* the badge is a convenience */ }
}

window.addEventListener(READ_CHANGED, refreshUnread);
live.on('*', (push) => {
  const text = pushText(push);
  if (text) toast(text);
  refreshUnread();
});

async function renderShell() {
  const role = session.role();
  document.body.classList.toggle('is-signed-in', Boolean(role));
  if (!role) {
    mount(nav);
    mount(tools,
      h('a', { class: 'btn btn--ghost btn--small', href: '#/sign-in' }, 'Sign in'),
      h('a', { class: 'btn btn--primary btn--small', href: '#/register' }, 'Register'));
    return;
  }
  mount(nav, h('ul', { class: 'app-nav__list' }, navigation(role).map(([href, text]) =>
    h('li', {}, h('a', { class: 'app-nav__link', href }, text, href === '#/notifications' ? unread : null)))));
  const user = await session.currentUser().catch(() => null);
  // Without IndexedDB (some private windows) the app simply works online only.
  if (user) sync.start(user).catch(() => {});
  mount(tools, liveStatus,
    h('span', { class: 'who' }, h('span', { class: 'who__name', 'data-testid': 'user-name' }, entered(user?.full_name || user?.email)),
      h('span', { class: 'who__role', 'data-testid': 'user-role' }, roleName(role))),
    h('button', {
      class: 'btn btn--ghost btn--small', type: 'button', 'data-testid': 'sign-out',
      onClick: async () => {
        const waiting = (await sync.queue()).filter((op) => op.state !== 'synced').length;
        if (waiting && !await confirm('Sign out with unsent changes?', `${waiting} change${waiting === 1 ? ' has' : 's have'} not reached us yet. Signing out deletes this device's copy, and them with it.`, { action: 'Sign out anyway', danger: true })) return;
        await session.signOut();
        location.hash = '#/sign-in';
      },
    }, 'Sign out'));
  live.connect();
  refreshUnread();
}

session.onChange(({ signedIn, reason }) => {
  if (!signedIn) {
    live.disconnect();
    sync.stop();
    if (reason === 'expired') {
      toast('Your session ended. Please sign in again.', 'error');
      location.hash = `#/sign-in?next=${encodeURIComponent(location.hash.slice(1))}`;
    }
  }
  renderShell();
});

let first = true;
start(document.getElementById('main'), () => {
  const hash = location.hash || '#/';
  const links = [...nav.querySelectorAll('a')];
  const best = links.filter((a) => hash === a.getAttribute('href') || hash.startsWith(`${a.getAttribute('href')}/`) || hash.startsWith(`${a.getAttribute('href')}?`))
    .sort((a, b) => b.getAttribute('href').length - a.getAttribute('href').length)[0];
  links.forEach((a) => (a === best ? a.setAttribute('aria-current', 'page') : a.removeAttribute('aria-current')));
  const heading = document.querySelector('#main h1');
  document.title = `${heading ? heading.textContent : 'Northwind Lending'} · Northwind Lending`;
  if (!first) {
    heading?.focus({ preventScroll: true });
    window.scrollTo({ top: 0 });
    if (heading) announce(heading.textContent);
  }
  first = false;
});
renderShell();
