// A network's service specification checklist on a day (GET /api/networks/{code}/services?on=):
// overdue first, then due, then done with its evidence, date and who marked it. The network's manager
// (or an admin) marks a requirement done with a date and evidence (PUT
// /api/networks/{code}/services/{requirement}), and the checklist is read again; everyone else reads.
// The specifications in force that year (GET /api/services?year=) add each requirement's kind
// (one-off or ongoing) and how sure its source is, and what the sources leave unclear.

import * as api from './api.js';
import { h, clear, today } from './fmt.js';
import { showError } from './state.js';

/** The checklist's day, kept while the page lives (null: today, within the years known). */
let chosenDay = null;
const specsByYear = new Map();

const fmtDate = (iso) => {
  if (!iso) return '—';
  const d = new Date(`${iso}T00:00:00Z`);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleDateString('en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' });
};

/** The financial year "2021/22" containing an ISO day. */
export function yearOf(iso) {
  const [y, m] = iso.split('-').map(Number);
  const start = m >= 4 ? y : y - 1;
  return `${start}/${String((start + 1) % 100).padStart(2, '0')}`;
}

/** Today, or the nearest day in the years the specifications are known for (first..last). */
export function defaultDay(years) {
  const t = today();
  if (!years || !years.length) return t;
  const first = `${years[0].slice(0, 4)}-04-01`;
  const last = `${Number(years[years.length - 1].slice(0, 4)) + 1}-03-31`;
  return t < first ? first : t > last ? last : t;
}

function specsOf(year) {
  if (!specsByYear.has(year)) {
    const p = api.get('/api/services', { year });
    p.catch(() => specsByYear.delete(year));
    specsByYear.set(year, p);
  }
  return specsByYear.get(year);
}

const WHY = {
  AfterDate: 'dated after this day',
  after_date: 'dated after this day',
  EarlierYear: 'an ongoing requirement marked in an earlier contract year: evidence it again this year',
  earlier_year: 'an ongoing requirement marked in an earlier contract year: evidence it again this year',
  NotInForce: 'the requirement does not apply in this year',
  not_in_force: 'the requirement does not apply in this year',
  UnknownRequirement: 'no requirement has this id',
  unknown_requirement: 'no requirement has this id',
};
const CONFIDENCE = {
  V: 'verbatim from a source',
  V2: 'two sources agree',
  D: 'derived',
  R: 'remembered, not verified',
  C: 'the sources conflict',
};

/**
 * Draw the checklist of `code` into `box`.
 * opts: {years: the financial years known, canMark: may the caller mark requirements done,
 *        current: () => still wanted, flash: a message to show after a change}
 */
export async function renderServices(code, box, opts) {
  const { years, canMark, current } = opts;
  const day = chosenDay || defaultDay(years);
  const t = today();
  box.dataset.loaded = 'false';
  const dateIn = h('input', {
    type: 'date',
    id: `services-on-${code}`,
    value: day,
    min: years && years.length ? `${years[0].slice(0, 4)}-04-01` : null,
    max: years && years.length ? `${Number(years[years.length - 1].slice(0, 4)) + 1}-03-31` : null,
    'data-testid': 'services-on',
  });
  const todayBtn = h('button', { type: 'button', class: 'secondary small', 'data-testid': 'services-today' }, 'Today');
  dateIn.addEventListener('change', () => {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(dateIn.value)) return;
    chosenDay = dateIn.value;
    renderServices(code, box, { ...opts, flash: null, focusDate: true });
  });
  todayBtn.addEventListener('click', () => {
    chosenDay = null;
    renderServices(code, box, { ...opts, flash: null });
  });
  const head = h(
    'div',
    { class: 'row services-when' },
    h('label', { for: dateIn.id }, 'Checklist on'),
    dateIn,
    todayBtn,
    h('span', { class: 'muted small', 'data-testid': 'services-year' }, yearOf(day)),
  );
  const note = day !== t && !chosenDay ? h('p', { class: 'missing small', 'data-testid': 'services-clamped' }, `The specifications are known for ${years[0]} to ${years[years.length - 1]}: today (${fmtDate(t)}) is outside them, so this is the checklist on ${fmtDate(day)}.`) : null;
  clear(box, head, note, h('p', { class: 'hint' }, `Loading the checklist of ${code} on ${fmtDate(day)}…`));
  if (opts.focusDate) dateIn.focus(); // the picker is drawn anew: keep the keyboard where it was

  const [list, specs] = await Promise.allSettled([api.get(`/api/networks/${encodeURIComponent(code)}/services`, { on: day }), specsOf(yearOf(day))]);
  if (!current()) return;
  if (list.status === 'rejected') {
    clear(box, head, note, h('p', { class: 'error-inline', 'data-testid': 'services-error' }, `Checklist: ${list.reason.message}`));
    box.dataset.loaded = 'error';
    if (list.reason.status !== 404) showError(list.reason, `Checklist of ${code}`);
    return;
  }
  const c = list.value;
  // Requirement id → {requirement, specification} of the year, when /api/services answered.
  const reqs = new Map();
  const specList = specs.status === 'fulfilled' ? specs.value.specifications || [] : [];
  for (const sp of specList) for (const r of sp.requirements || []) reqs.set(r.id, { r, sp });

  const flash = opts.flash ? h('p', { class: opts.flash.ok ? 'ok small' : 'missing small', 'data-testid': 'services-flash', role: 'status' }, opts.flash.text) : null;
  const counts = h(
    'div',
    { class: 'summary', 'data-testid': 'services-summary' },
    h('span', { class: `count ${c.overdue.length ? 'count-error' : 'count-neutral'}`, 'data-testid': 'services-overdue-count' }, `${c.overdue.length} overdue`),
    h('span', { class: `count ${c.due.length ? 'count-warning' : 'count-neutral'}`, 'data-testid': 'services-due-count' }, `${c.due.length} due`),
    h('span', { class: 'count count-good', 'data-testid': 'services-done-count' }, `${c.done.length} done`),
    h('span', { class: 'muted small' }, `${c.network} on ${fmtDate(c.on)} (${c.year})`),
  );
  const reload = (flashMsg) => renderServices(code, box, { ...opts, flash: flashMsg });
  const group = (status, items, label, empty) =>
    h(
      'section',
      { class: `services-group services-${status}`, 'data-testid': `services-${status}` },
      h('h4', {}, `${label} `, h('span', { class: 'muted' }, `(${items.length})`)),
      items.length
        ? h('ul', { class: 'services-list' }, items.map((it) => itemCard(code, it, reqs.get(it.requirement), { canMark, day: c.on, reload })))
        : h('p', { class: 'muted small', 'data-testid': `services-${status}-none` }, empty),
    );
  clear(
    box,
    head,
    note,
    flash,
    counts,
    canMark ? null : h('p', { class: 'muted small', 'data-testid': 'services-readonly' }, `Read only: ${code}’s network manager marks its requirements done.`),
    group('overdue', c.overdue, 'Overdue', 'Nothing overdue.'),
    group('due', c.due, 'Due', 'Nothing due that is not done or overdue.'),
    group('done', c.done, 'Done', 'Nothing marked done for this year yet.'),
    ignoredList(c.ignored),
    specs.status === 'fulfilled' ? aboutSpecs(specs.value) : h('p', { class: 'muted small' }, `The specifications of ${yearOf(day)} could not be read: ${specs.reason.message}`),
  );
  box.dataset.loaded = 'true';
  box.dataset.on = c.on;
}

function itemCard(code, it, known, { canMark, day, reload }) {
  const r = known && known.r;
  const oneOff = r ? !!r.deadline : null;
  const when =
    it.status === 'done'
      ? null
      : oneOff === false
        ? it.status === 'overdue'
          ? `Ongoing since ${fmtDate(it.due)}: not evidenced this year`
          : `Ongoing from ${fmtDate(it.due)}`
        : `${it.status === 'overdue' ? 'Overdue: was due by' : 'Due by'} ${fmtDate(it.due)}`;
  const conf = r && r.confidence && ['R', 'C', 'D'].includes(r.confidence) ? h('span', { class: `tag tag-conf conf-${r.confidence}`, title: CONFIDENCE[r.confidence] }, CONFIDENCE[r.confidence]) : null;
  const li = h(
    'li',
    { class: `service-item service-${it.status}`, 'data-testid': 'service-item', 'data-requirement': it.requirement, 'data-status': it.status },
    h('div', { class: 'service-spec muted small' }, it.specification_name, ' · ', h('code', {}, it.requirement)),
    h('div', { class: 'service-text' }, it.text),
    h(
      'div',
      { class: 'service-meta small' },
      when ? h('span', { class: it.status === 'overdue' ? 'bad' : 'warn', 'data-testid': 'service-due' }, when) : null,
      it.status === 'done'
        ? h('span', { class: 'good', 'data-testid': 'service-done-on' }, `Done ${fmtDate(it.done_on)}`, it.marked_by ? h('span', { class: 'muted', 'data-testid': 'service-marked-by' }, ` · marked by ${it.marked_by}`) : null)
        : null,
      conf,
    ),
    it.status === 'done' && it.evidence ? h('blockquote', { class: 'service-evidence', 'data-testid': 'service-evidence' }, it.evidence) : null,
    it.source ? h('div', { class: 'service-source muted small' }, `Source: ${it.source}`) : null,
  );
  if (canMark && it.status !== 'done') li.append(markForm(code, it, day, reload));
  return li;
}

function markForm(code, it, day, reload) {
  const id = (f) => `mark-${code}-${it.requirement.replace(/[^a-z0-9]+/gi, '-')}-${f}`;
  const open = h('button', { type: 'button', class: 'secondary small', 'data-testid': 'service-mark', 'aria-expanded': 'false', 'aria-controls': id('form') }, 'Mark done…');
  const t = today();
  const dateIn = h('input', { type: 'date', id: id('date'), value: t < day ? t : day, max: day, required: true, 'data-testid': 'service-mark-date' });
  const evidence = h('textarea', { id: id('evidence'), rows: 2, maxlength: 2000, required: true, placeholder: 'What shows it: a document, a minute, a link', 'data-testid': 'service-mark-evidence' });
  const save = h('button', { type: 'submit', class: 'small', 'data-testid': 'service-mark-save' }, 'Save');
  const cancel = h('button', { type: 'button', class: 'secondary small' }, 'Cancel');
  const err = h('p', { class: 'error-inline small', role: 'alert', 'data-testid': 'service-mark-error', hidden: true });
  const form = h(
    'form',
    { class: 'mark-form', id: id('form'), hidden: true, 'data-testid': 'service-mark-form', 'aria-label': `Mark ${it.requirement} done` },
    h('label', { for: id('date') }, 'Done on'),
    dateIn,
    h('label', { for: id('evidence') }, 'Evidence'),
    evidence,
    err,
    h('div', { class: 'actions' }, save, cancel),
  );
  open.addEventListener('click', () => {
    form.hidden = false;
    open.hidden = true;
    open.setAttribute('aria-expanded', 'true');
    evidence.focus();
  });
  cancel.addEventListener('click', () => {
    form.hidden = true;
    open.hidden = false;
    open.setAttribute('aria-expanded', 'false');
    err.hidden = true;
    open.focus();
  });
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    err.hidden = true;
    const text = evidence.value.trim();
    if (!/^\d{4}-\d{2}-\d{2}$/.test(dateIn.value)) {
      clear(err, 'Give the day it was done.');
      err.hidden = false;
      return;
    }
    if (!text) {
      clear(err, 'Give the evidence.');
      err.hidden = false;
      evidence.focus();
      return;
    }
    save.disabled = cancel.disabled = true;
    form.dataset.saving = 'true';
    let res;
    try {
      res = await api.put(`/api/networks/${encodeURIComponent(code)}/services/${encodeURIComponent(it.requirement)}`, { done_on: dateIn.value, evidence: text });
    } catch (x) {
      save.disabled = cancel.disabled = false;
      delete form.dataset.saving;
      clear(err, x.message);
      err.dataset.code = x.code || 'error';
      err.hidden = false;
      return;
    }
    const after = res.done_on > day ? ` It is dated after ${fmtDate(day)}, so it does not count on this day’s checklist.` : '';
    await reload({ ok: !after, text: `Marked ${res.requirement} done on ${fmtDate(res.done_on)} for ${res.network}.${after}` });
  });
  return h('div', { class: 'mark' }, open, form);
}

function ignoredList(ignored) {
  if (!ignored || !ignored.length) return null;
  return h(
    'details',
    { class: 'services-ignored', 'data-testid': 'services-ignored' },
    h('summary', {}, `${ignored.length} mark${ignored.length === 1 ? '' : 's'} that count for nothing on this day`),
    h('ul', { class: 'small' }, ignored.map((m) => h('li', {}, h('code', {}, m.requirement), ` done ${fmtDate(m.done_on)}: ${WHY[m.why] || m.why}`))),
  );
}

function aboutSpecs(s) {
  const specs = s.specifications || [];
  return h(
    'details',
    { class: 'services-about', 'data-testid': 'services-specifications' },
    h('summary', {}, `The ${specs.length} specification${specs.length === 1 ? '' : 's'} in force in ${s.year}`),
    h(
      'ul',
      { class: 'small' },
      specs.map((sp) =>
        h(
          'li',
          { 'data-spec': sp.id },
          h('strong', {}, sp.name),
          ` (${(sp.requirements || []).length} requirement${(sp.requirements || []).length === 1 ? '' : 's'} this year)`,
          sp.actual_start && sp.actual_start.when ? h('span', { class: 'muted' }, ` · started ${sp.actual_start.when}${sp.actual_start.note ? ` (${sp.actual_start.note})` : ''}`) : null,
          sp.end && sp.end.when && sp.end.when !== 'none' ? h('span', { class: 'muted' }, ` · ends ${sp.end.when}${sp.end.how ? ` (${sp.end.how}${sp.end.into ? ` into ${sp.end.into}` : ''})` : ''}`) : null,
        ),
      ),
    ),
    s.unclear && s.unclear.length
      ? h('details', { class: 'unclear' }, h('summary', {}, `What the sources leave unclear (${s.unclear.length})`), h('ul', { class: 'small' }, s.unclear.map((u) => h('li', {}, u))))
      : null,
  );
}
