// A client's applications: the list, and one application followed live (status, progress,
// timeline, documents and the reviewer's requests). The timeline and document pieces are shared
// with the staff console.
import { api } from '../api.js';
import { DOCUMENT_TYPES, documentName, product, products } from '../catalog.js';
import { h, mount } from '../dom.js';
import { field, form } from '../forms.js';
import { date, dateTime, fileSize, label, money, sameId, shortId } from '../format.js';
import * as live from '../live.js';
import { pagedTable } from '../table.js';
import { announce, badge, card, confirm, details, entered, loading, pageHead, toast } from '../ui.js';
import { reasons } from '../wording.js';
import { applicationColumns, applicationRow } from './portal.js';

const MEANING = {
  submitted: 'Application received.',
  under_analysis: 'Automatic credit analysis running.',
  pending_approval: 'Waiting for a reviewer’s decision.',
  documents_requested: 'The reviewer asked for more documents.',
  approved: 'Approved.',
  rejected: 'Not approved: the reasons are shown at the top of this page.',
  withdrawn: 'Withdrawn.',
  disbursed: 'Paid out: the loan is active.',
  closed: 'Repaid and closed.',
};
const PATH = ['submitted', 'under_analysis', 'pending_approval', 'approved', 'disbursed'];
const FINAL = ['approved', 'rejected', 'withdrawn', 'disbursed', 'closed'];
const WITHDRAWABLE = ['submitted', 'under_analysis', 'pending_approval', 'documents_requested'];

/** The application's history, oldest first. */
export function timeline(app) {
  const entries = [...(app.timeline || [])].sort((a, b) => a.at.localeCompare(b.at));
  return h('ol', { class: 'timeline', 'data-testid': 'timeline' }, entries.map((entry, index) =>
    h('li', { class: ['timeline__entry', index === entries.length - 1 && 'is-current'], 'data-testid': 'timeline-entry', 'data-status': entry.status },
      h('span', { class: `timeline__dot tone-${entry.status}`, 'aria-hidden': 'true' }),
      h('div', {},
        h('p', { class: 'timeline__title' }, label(entry.status)),
        h('p', { class: 'timeline__text' }, MEANING[entry.status] || ''),
        h('p', { class: 'timeline__time' }, h('time', { datetime: entry.at }, dateTime(entry.at)))))));
}

const STOPS = { rejected: 'Not approved', withdrawn: 'Withdrawn' };

/** Where the application stands on the usual path; one that stopped shows the steps it really
 * passed (from its timeline) and where it stopped. */
export function progress(app) {
  const step = (status) => (status === 'documents_requested' ? 'pending_approval' : status);
  let steps;
  if (STOPS[app.status]) {
    const passed = new Set((app.timeline || []).map((entry) => step(entry.status)));
    steps = [...PATH.filter((status) => passed.has(status)).map((status) => [status, 'done']), [app.status, 'stopped']];
  } else {
    const reached = PATH.indexOf(step(app.status));
    steps = PATH.map((status, index) => [status, index < reached ? 'done' : index === reached ? 'current' : 'todo']);
  }
  return h('ol', { class: 'progress', 'aria-label': 'Progress', 'data-testid': 'progress' }, steps.map(([status, state], index) =>
    h('li', { class: `progress__step is-${state}`, 'aria-current': state === 'current' || state === 'stopped' ? 'step' : null, 'data-status': status },
      h('span', { class: 'progress__dot', 'aria-hidden': 'true' }, state === 'done' ? '✓' : state === 'stopped' ? '✕' : String(index + 1)),
      h('span', { class: 'progress__label' }, STOPS[status] || label(status)))));
}

/** Why an application was not approved: the principal reasons, as an adverse-action notice
 * gives them, and what the client can do next. */
function declineNotice(app) {
  if (app.status !== 'rejected') return null;
  const codes = app.analysis?.reason_codes || [];
  return h('section', { class: 'notice notice--bad decline', 'aria-labelledby': 'decline-title', 'data-testid': 'decline-reasons' },
    h('h2', { id: 'decline-title', class: 'decline__title' }, 'Why we could not approve this application'),
    codes.length
      ? [h('p', {}, 'The principal reasons for our decision:'), h('ul', {}, reasons(codes).map((text) => h('li', { 'data-testid': 'decline-reason' }, text)))]
      : h('p', {}, 'Our reviewer decided after reading your file and documents; no single factor of our credit assessment was decisive.'),
    h('p', {}, 'What you can do: ', h('a', { href: '#/portal/tickets' }, 'ask us about this decision'),
      ', correct your file if something in it is out of date, or apply again, for example for a smaller amount or a longer term.'));
}

/** The approval chain: one step per level with its role, state and decision. */
export function stageChain(app) {
  if (!app.stages?.length) return h('p', { class: 'muted' }, 'The approval chain is built when the analysis completes.');
  return h('ol', { class: 'chain', 'data-testid': 'stage-chain' }, app.stages.map((s) =>
    h('li', { class: `chain__stage is-${s.status}`, 'data-testid': 'stage', 'data-status': s.status },
      h('p', { class: 'chain__role' }, `Level ${s.level} · ${label(s.role)}`),
      badge(s.awaiting_documents ? 'documents_requested' : s.status),
      s.decision ? h('p', { class: 'chain__decision' }, `${label(s.decision)}${s.decided_at ? ` · ${dateTime(s.decided_at)}` : ''}`) : null,
      s.comment ? h('blockquote', { class: 'chain__comment' }, entered(s.comment)) : null,
      s.status === 'open' && s.due_at ? h('p', { class: ['chain__due', s.overdue && 'is-overdue'] }, `Due ${dateTime(s.due_at)}${s.overdue ? ' (overdue)' : ''}`) : null)));
}

async function download(app, doc) {
  try {
    const blob = await api(`/applications/${app.id}/documents/${doc.id}`, { blob: true });
    const url = URL.createObjectURL(blob);
    const a = h('a', { href: url, download: doc.filename });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  } catch (error) {
    toast(error.friendly || error.message, 'error');
  }
}

/** Uploaded documents, each downloadable. */
export function documentsList(app) {
  if (!app.documents?.length) return h('p', { class: 'muted', 'data-testid': 'no-documents' }, 'No documents uploaded yet.');
  return h('ul', { class: 'docs', 'data-testid': 'documents' }, app.documents.map((doc) =>
    h('li', { class: 'docs__item', 'data-testid': 'document', 'data-document-type': doc.document_type },
      h('span', { class: 'docs__icon', 'aria-hidden': 'true' }, doc.content_type === 'application/pdf' ? 'PDF' : 'IMG'),
      h('span', { class: 'docs__name' }, h('strong', {}, documentName(doc.document_type)), h('span', { class: 'muted' }, entered(doc.filename), ` · ${fileSize(doc.size)}`)),
      h('button', { class: 'btn btn--ghost btn--small', type: 'button', onClick: () => download(app, doc) }, 'Download', h('span', { class: 'visually-hidden' }, ` ${doc.filename}`)))));
}

/** What the client still has to upload: required by the product, or asked for by a reviewer. */
function checklist(app, required) {
  const wanted = [...new Set([...required, ...(app.requested_documents || [])])];
  if (!wanted.length) return null;
  const have = new Set((app.documents || []).map((d) => d.document_type));
  return h('ul', { class: 'checklist', 'data-testid': 'required-documents' }, wanted.map((type) =>
    h('li', { class: have.has(type) ? 'is-done' : '', 'data-testid': 'required-document', 'data-document-type': type, 'data-uploaded': String(have.has(type)) },
      h('span', { class: 'checklist__mark', 'aria-hidden': 'true' }, have.has(type) ? '✓' : '•'),
      documentName(type), h('span', { class: 'visually-hidden' }, have.has(type) ? ': uploaded' : ': missing'))));
}

function uploadForm(app, onUploaded) {
  const el = form({
    submit: 'Upload',
    props: { 'data-testid': 'upload-form', 'aria-label': 'Upload a document' },
    fields: [
      { name: 'document_type', label: 'Document', type: 'select', required: true, options: DOCUMENT_TYPES.map((t) => [t, documentName(t)]) },
      field({ name: 'file', label: 'File', type: 'file', required: true, accept: 'application/pdf,image/png,image/jpeg,.pdf,.png,.jpg,.jpeg', hint: 'PDF, PNG or JPEG, up to 10 MiB.' }),
    ],
    onSubmit: async (values) => {
      const body = new FormData();
      body.append('document_type', values.document_type);
      body.append('file', values.file, values.file.name);
      await api(`/applications/${app.id}/documents`, { method: 'POST', body });
      el.reset();
      toast(`${documentName(values.document_type)} uploaded.`, 'ok');
      await onUploaded();
    },
  });
  return el;
}

/** Points the upload form's document choice at the first thing still missing. */
function preselect(formEl, app, required) {
  const have = new Set((app.documents || []).map((d) => d.document_type));
  const next = [...(app.requested_documents || []), ...required].find((t) => !have.has(t));
  if (next) formEl.querySelector('select[name="document_type"]').value = next;
}

function requestNotice(app) {
  if (app.status !== 'documents_requested') return null;
  const stage = (app.stages || []).find((s) => s.awaiting_documents) || (app.stages || []).find((s) => s.decision === 'request_documents');
  return h('div', { class: 'notice notice--warn', role: 'alert', 'data-testid': 'documents-requested' },
    h('p', {}, h('strong', {}, 'The reviewer needs more documents: '), (app.requested_documents || []).map(documentName).join(', ') || 'see below'),
    stage?.comment ? h('blockquote', {}, entered(stage.comment)) : null,
    h('p', {}, 'Upload them below; the same reviewer picks your application up again.'));
}

export function myApplicationsView() {
  let catalogue = [];
  const { el } = pagedTable({
    caption: 'Your applications',
    columns: applicationColumns((id) => catalogue.find((p) => p.id === id)?.name),
    rowProps: applicationRow,
    load: async (page, pageSize) => {
      catalogue = await products();
      return api('/applications', { query: { page, page_size: pageSize } });
    },
    emptyText: 'You have not applied yet.',
  });
  return h('div', { class: 'page' }, pageHead('Your applications', {
    eyebrow: 'Client portal', actions: h('a', { class: 'btn btn--primary', href: '#/portal/apply' }, 'New application'),
  }), card(null, el));
}

export function applicationView({ params, signal }) {
  const id = params.id;
  const title = h('h1', { tabindex: '-1' }, 'Application');
  const statusSlot = h('div', { class: 'status-slot', 'aria-live': 'polite' });
  const progressSlot = h('div');
  const noticeSlot = h('div');
  const docsSlot = h('div');
  const checklistSlot = h('div');
  const timelineSlot = h('div', {}, loading());
  const summarySlot = h('div');
  const uploadSlot = h('div', { class: 'upload-slot' });
  const actions = h('div', { class: 'page-head__actions' }, statusSlot);
  let upload = null;
  let required = [];
  let lastStatus = null;
  let poll = null;

  async function refresh() {
    const app = await api(`/applications/${id}`);
    if (signal.aborted) return;
    if (!upload) {
      const p = await product(app.product_id);
      required = p?.required_documents || [];
      mount(title, entered(p?.name) || 'Loan', ` · ${money(app.amount)}`);
      upload = uploadForm(app, refresh);
      mount(uploadSlot, upload);
    }
    mount(statusSlot, badge(app.status, { 'data-testid': 'application-status' }));
    if (lastStatus && lastStatus !== app.status) announce(`Your application is now ${label(app.status).toLowerCase()}.`);
    lastStatus = app.status;
    mount(progressSlot, progress(app));
    mount(noticeSlot, requestNotice(app) || declineNotice(app));
    mount(checklistSlot, checklist(app, required));
    mount(docsSlot, documentsList(app));
    preselect(upload, app, required);
    uploadSlot.hidden = FINAL.includes(app.status);
    mount(timelineSlot, timeline(app));
    mount(summarySlot, details([
      ['Reference', shortId(app.id)],
      ['Amount', money(app.amount)],
      ['Term', `${app.term_months} months`],
      ['Purpose', entered(app.purpose)],
      ['Submitted', date(app.created_at)],
      ['Last change', dateTime(app.updated_at)],
    ]), WITHDRAWABLE.includes(app.status) ? h('button', {
      class: 'btn btn--danger-ghost', type: 'button', 'data-testid': 'withdraw',
      onClick: async () => {
        if (!await confirm('Withdraw this application?', 'It stops here and cannot be resumed. You can apply again later.', { action: 'Withdraw', danger: true })) return;
        try { await api(`/applications/${id}/withdraw`, { method: 'POST' }); toast('Application withdrawn.'); refresh(); } catch (error) { toast(error.friendly, 'error'); }
      },
    }, 'Withdraw application') : null);
    // Without a live socket, look again now and then (the socket is the normal path).
    clearTimeout(poll);
    if (!FINAL.includes(app.status) && live.connection() !== 'live') poll = setTimeout(refresh, 10_000);
  }

  const mine = (push) => sameId(push.data?.application_id, id);
  live.on('application_status_changed', (push) => { if (mine(push)) refresh(); }, signal);
  live.on('documents_requested', (push) => { if (mine(push)) refresh(); }, signal);
  live.on('state', (state) => { if (state === 'live') refresh(); }, signal);
  signal.addEventListener('abort', () => clearTimeout(poll));

  const page = h('div', { class: 'page', 'data-testid': 'application-page', 'data-application-id': id },
    h('header', { class: 'page-head' }, h('div', {}, h('p', { class: 'eyebrow' }, `Application ${shortId(id)}`), title,
      h('p', { class: 'lead' }, 'This page updates by itself as your application moves.')), actions),
    progressSlot,
    noticeSlot,
    h('div', { class: 'grid grid--sidebar' },
      h('div', { class: 'stack' },
        card('Documents', [checklistSlot, docsSlot, uploadSlot]),
        card('Details', summarySlot)),
      card('Timeline', timelineSlot)));
  refresh().catch((error) => mount(timelineSlot, h('p', { role: 'alert' }, error.friendly || error.message)));
  return page;
}
