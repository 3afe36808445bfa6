// The navigation that folds behind a menu button on narrow screens (the public site and the app):
// the button opens and closes it, choosing a link or pressing Escape folds it again.
export function foldingMenu(toggle, nav) {
  const fold = () => { toggle.setAttribute('aria-expanded', 'false'); nav.classList.remove('is-open'); };
  toggle.addEventListener('click', () => {
    const open = toggle.getAttribute('aria-expanded') !== 'true';
    toggle.setAttribute('aria-expanded', String(open));
    nav.classList.toggle('is-open', open);
  });
  nav.addEventListener('click', (event) => { if (event.target.closest('a')) fold(); });
  document.addEventListener('keydown', (event) => {
    if (event.key === 'Escape' && nav.classList.contains('is-open')) { fold(); toggle.focus(); }
  });
}
