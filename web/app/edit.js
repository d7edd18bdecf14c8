// Edit mode (commissioners and network managers): move a practice to another network and see at
// once what the rules and the money would say (the what-if saves nothing), save it as a proposal,
// or let the repair search suggest moves for an area and accept them one by one or all at once.

import * as api from './api.js';
import { h, clear, num, signed, pounds, deltaPounds, severityBadge, firstOfNextMonth } from './fmt.js';
import { state, emit, showError } from './state.js';
import { fillCommissionerSelect } from './findings.js';
import { networkColour } from './map.js';

let mapView = null; // the main MapView, for neighbours and drawing
let whatifSeq = 0;
const ui = {};
const edit = { practice: null, target: null, repair: null };
const LEAVE = '__leave__'; // the target "no network": the practice leaves its network

export function initEdit(view) {
  mapView = view;
  const panel = document.getElementById('panel-edit');
  ui.practice = h('div', { class: 'picked-practice', 'data-testid': 'edit-practice', 'aria-live': 'polite' });
  ui.practiceInput = h('input', { id: 'edit-practice-code', 'data-testid': 'edit-practice-input', placeholder: 'e.g. M85001', autocomplete: 'off', size: 10 });
  ui.target = h('select', { id: 'edit-target', 'data-testid': 'edit-target', disabled: true });
  ui.whatif = h('div', { class: 'whatif', 'data-testid': 'whatif', 'aria-live': 'polite' });
  ui.effective = h('input', { id: 'edit-effective', 'data-testid': 'edit-effective', type: 'date', value: firstOfNextMonth() });
  ui.reason = h('input', { id: 'edit-reason', 'data-testid': 'edit-reason', placeholder: 'Why this change', value: '' });
  ui.save = h('button', { type: 'button', 'data-testid': 'save-proposal', disabled: true }, 'Save as proposal');
  ui.saveResult = h('div', { 'data-testid': 'save-result', 'aria-live': 'polite' });
  ui.repairComm = h('select', { id: 'repair-commissioner', 'data-testid': 'repair-commissioner' });
  ui.repairSeconds = h('input', { id: 'repair-seconds', 'data-testid': 'repair-seconds', type: 'number', min: 1, max: 20, value: 5, size: 3 });
  ui.repairRun = h('button', { type: 'button', 'data-testid': 'repair-run' }, 'Repair this area');
  ui.repairResult = h('div', { class: 'repair', 'data-testid': 'repair-result', 'aria-live': 'polite' });

  ui.practiceInput.addEventListener('keydown', (e) => {
    if (e.key === 'Enter') {
      e.preventDefault();
      pickByCode(ui.practiceInput.value.trim().toUpperCase());
    }
  });
  ui.target.addEventListener('change', () => setTarget(ui.target.value || null, { fromSelect: true }));
  ui.save.addEventListener('click', save);
  ui.repairRun.addEventListener('click', repair);

  clear(
    panel,
    h('h2', {}, 'Move a practice'),
    h('p', { class: 'hint' }, 'Click a practice on the map (or type its code), then choose the network it should join, from the list or by clicking that network’s area. The what-if below saves nothing.'),
    h('div', { class: 'row' }, h('label', { for: 'edit-practice-code' }, 'Practice'), ui.practiceInput, h('button', { type: 'button', class: 'secondary', onclick: () => pickByCode(ui.practiceInput.value.trim().toUpperCase()) }, 'Use')),
    ui.practice,
    h('div', { class: 'row' }, h('label', { for: 'edit-target' }, 'Join network'), ui.target),
    ui.whatif,
    h('div', { class: 'row' }, h('label', { for: 'edit-effective' }, 'Effective'), ui.effective),
    h('div', { class: 'row' }, h('label', { for: 'edit-reason' }, 'Reason'), ui.reason),
    h('div', { class: 'row' }, ui.save),
    ui.saveResult,
    h('hr'),
    h('h2', {}, 'Repair an area'),
    h('p', { class: 'hint' }, 'Searches for practice moves that clear the area’s errors. Suggestions are only drawn on the map: nothing is saved until you accept a move.'),
    h('div', { class: 'row' }, h('label', { for: 'repair-commissioner' }, 'Commissioner'), ui.repairComm),
    h('div', { class: 'row' }, h('label', { for: 'repair-seconds' }, 'Search for up to'), ui.repairSeconds, h('span', {}, 'seconds'), ui.repairRun),
    ui.repairResult,
  );
}

/** Called when the session or the commissioners change. */
export function refreshEdit() {
  if (!ui.repairComm) return;
  fillCommissionerSelect(ui.repairComm);
  const u = state.session.user;
  let mine = u && u.commissioner;
  if (!mine && u && u.network && mapView.networks.get(u.network)) mine = mapView.networks.get(u.network).props.commissioner;
  if (mine && [...ui.repairComm.options].some((o) => o.value === mine)) ui.repairComm.value = mine;
}

/** A practice picked on the map or in search while editing. */
export function pickPractice(p, { zoom = false } = {}) {
  if (!p) return;
  const entry = mapView.practices.get(p.code);
  const props = entry ? entry.props : p;
  edit.practice = {
    code: props.code,
    name: props.name,
    network: props.network ?? null,
    commissioner: props.commissioner ?? null,
    registered: props.registered_patients ?? props.registered ?? null,
  };
  ui.practiceInput.value = edit.practice.code;
  clear(
    ui.practice,
    h('strong', { 'data-testid': 'edit-practice-name' }, edit.practice.name || edit.practice.code),
    ' ',
    h('code', {}, edit.practice.code),
    h('div', { class: 'muted' }, `now in ${edit.practice.network || 'no network'} · ${edit.practice.commissioner || ''} · list ${num(edit.practice.registered)}`),
  );
  ui.practice.dataset.code = edit.practice.code;
  fillTargets();
  edit.target = null;
  clear(ui.whatif);
  clear(ui.saveResult);
  ui.save.disabled = true;
  mapView.focusPractices([edit.practice.code], { zoom });
}

async function pickByCode(code) {
  if (!code) return;
  if (mapView.practices.get(code)) return pickPractice(mapView.practices.get(code).props, { zoom: true });
  try {
    const res = await api.get('/api/practices', { q: code, per_page: 5, snapshot: state.snapshot });
    const hit = res.items.find((x) => x.code === code) || res.items[0];
    if (!hit) throw new Error(`No practice matches ${code}.`);
    pickPractice(hit, { zoom: true });
  } catch (e) {
    showError(e, 'Practice');
  }
}

function fillTargets() {
  const p = edit.practice;
  const here = p && mapView.practices.get(p.code) ? mapView.practices.get(p.code).layer.getLatLng() : null;
  const all = [...mapView.networks.values()].map((e) => e.props).filter((n) => n.code !== p.network);
  const dist = (n) => {
    if (!here) return 0;
    const c = mapView.centreOf(n.code);
    return c ? here.distanceTo(c) : Infinity;
  };
  const withD = all.map((n) => ({ n, d: dist(n) })).sort((a, b) => a.d - b.d || a.n.code.localeCompare(b.n.code));
  const same = withD.filter((x) => x.n.commissioner === p.commissioner);
  const other = withD.filter((x) => x.n.commissioner !== p.commissioner).slice(0, 6);
  const opt = ({ n, d }) =>
    h('option', { value: n.code }, `${n.code} — ${n.name || ''}${Number.isFinite(d) && here ? ` (${(d / 1000).toFixed(1)} km)` : ''}`);
  clear(
    ui.target,
    h('option', { value: '' }, 'Choose a network…'),
    p.network ? h('option', { value: LEAVE }, `No network: leave ${p.network}`) : null,
    same.length ? h('optgroup', { label: `Same commissioner (${p.commissioner || '—'}), nearest first` }, same.map(opt)) : null,
    other.length ? h('optgroup', { label: 'Nearby, other commissioners' }, other.map(opt)) : null,
  );
  ui.target.disabled = false;
}

/** A network chosen as the target (from the list or by clicking its area on the map). */
export function setTarget(code, { fromSelect = false } = {}) {
  if (!edit.practice) {
    showError(new Error('Pick a practice first: click one on the map.'));
    return;
  }
  if (code === LEAVE && !edit.practice.network) {
    showError(new Error(`${edit.practice.code} is in no network.`));
    return;
  }
  if (code && code === edit.practice.network) {
    showError(new Error(`${edit.practice.code} is already in ${code}: choose another network.`));
    return;
  }
  if (code && !fromSelect && ![...ui.target.options].some((o) => o.value === code)) {
    const props = mapView.networks.get(code)?.props;
    ui.target.append(h('option', { value: code }, `${code} — ${props?.name || ''}`));
  }
  if (!fromSelect) ui.target.value = code || '';
  edit.target = code;
  clear(ui.saveResult);
  ui.save.disabled = true;
  if (code) {
    mapView.clearOverlay();
    mapView.drawMoves([{ practice: edit.practice.code, to: code === LEAVE ? null : code }], { zoom: code !== LEAVE });
    runWhatif();
  } else clear(ui.whatif);
}

async function runWhatif() {
  const mine = ++whatifSeq;
  const move = { practice: edit.practice.code, to: edit.target === LEAVE ? null : edit.target };
  clear(ui.whatif, h('p', { class: 'hint' }, 'Working out the what-if…'));
  ui.whatif.dataset.ready = 'false';
  const t0 = performance.now();
  let res;
  try {
    res = await api.post('/api/whatif', { moves: [move], year: state.year, snapshot: state.snapshot ?? undefined });
  } catch (e) {
    if (mine !== whatifSeq) return;
    clear(ui.whatif, h('p', { class: 'error-inline' }, e.message));
    showError(e, 'What-if');
    return;
  }
  const ms = performance.now() - t0;
  if (mine !== whatifSeq) return;
  renderWhatif(res, ms, move);
  ui.save.disabled = false;
}

function renderWhatif(res, ms, move) {
  const cards = res.networks.map((n) => {
    const b = n.before,
      a = n.after;
    // Findings compared by rule: a rule that fails before and after is not new, even if its numbers change.
    const rulesBefore = new Set(b.findings.map((f) => f.rule));
    const rulesAfter = new Set(a.findings.map((f) => f.rule));
    const added = a.findings.filter((f) => !rulesBefore.has(f.rule));
    const gone = b.findings.filter((f) => !rulesAfter.has(f.rule));
    const dPay = BigInt(a.pay_pence ?? 0) - BigInt(b.pay_pence ?? 0);
    const role = n.moved === false ? 'neighbour' : move.to && n.code === move.to ? 'gains' : 'loses';
    const row = (label, bv, av, dv, cls, attrs = {}) =>
      h('tr', attrs, h('th', { scope: 'row' }, label), h('td', { class: 'num' }, bv), h('td', { class: 'num' }, av), h('td', { class: `num delta ${cls || ''}` }, dv));
    const sevSort = { error: 0, warning: 1, info: 2 };
    const afterSorted = [...a.findings].sort((x, y) => (sevSort[x.severity] ?? 9) - (sevSort[y.severity] ?? 9));
    return h(
      'section',
      { class: 'whatif-net', 'data-testid': 'whatif-network', 'data-code': n.code },
      h('h3', {}, h('code', {}, n.code), ' ', n.name || '', h('span', { class: `tag tag-${role}` }, role === 'gains' ? `gains ${move.practice}` : role === 'loses' ? `loses ${move.practice}` : 'neighbour: its findings change')),
      h(
        'table',
        { class: 'beforeafter' },
        h('thead', {}, h('tr', {}, h('th', {}), h('th', { class: 'num' }, 'Before'), h('th', { class: 'num' }, 'After'), h('th', { class: 'num', title: 'Change' }, 'Δ'))),
        h(
          'tbody',
          {},
          row('Practices', num(b.practices), num(a.practices), signed(a.practices - b.practices)),
          row('Patients', num(b.registered), num(a.registered), signed(a.registered - b.registered)),
          row('Errors', num(b.errors), num(a.errors), signed(a.errors - b.errors), a.errors > b.errors ? 'bad' : a.errors < b.errors ? 'good' : ''),
          row('Warnings', num(b.warnings), num(a.warnings), signed(a.warnings - b.warnings), a.warnings > b.warnings ? 'warn' : ''),
          h(
            'tr',
            { class: 'pay' },
            h('th', { scope: 'row', title: `Entitlements for ${state.year}` }, `£ ${state.year}`),
            h('td', { class: 'num' }, pounds(b.pay_pence)),
            h('td', { class: 'num' }, pounds(a.pay_pence)),
            h('td', { class: `num delta ${dPay < 0n ? 'bad' : dPay > 0n ? 'good' : ''}`, 'data-testid': 'whatif-pay-delta' }, deltaPounds(dPay)),
          ),
        ),
      ),
      h(
        'div',
        { class: 'whatif-findings', 'data-testid': 'whatif-findings', 'data-new': added.length },
        afterSorted.length
          ? h(
              'ul',
              { class: 'findings', 'data-testid': 'whatif-after-findings' },
              afterSorted.map((f) =>
                h(
                  'li',
                  { class: `finding finding-${f.severity}`, 'data-new': String(!rulesBefore.has(f.rule)) },
                  severityBadge(f.severity),
                  !rulesBefore.has(f.rule) ? h('span', { class: 'tag tag-new' }, 'new') : null,
                  ' ',
                  h('code', {}, f.rule),
                  ' ',
                  f.message,
                ),
              ),
            )
          : h('p', { class: 'ok' }, '✓ No findings after the move.'),
        gone.length ? h('ul', { class: 'findings resolved' }, gone.map((f) => h('li', {}, '✓ resolved: ', h('code', {}, f.rule), ' ', f.message))) : null,
      ),
    );
  });
  const server = res.micros != null ? ` (server ${(res.micros / 1000).toFixed(1)} ms)` : '';
  // A network loses a practice only with its own commissioner's agreement: say so before it is saved.
  const approvers = res.approvers || [];
  const consent =
    approvers.length > 1
      ? h(
          'p',
          { class: 'hint', 'data-testid': 'whatif-approvers', 'data-approvers': approvers.join(' ') },
          `This move crosses commissioner areas: as a proposal it needs the agreement of the commissioners of ${andList(approvers)} before it takes effect.`,
        )
      : null;
  // What the rules say of the moved practices themselves: in no network, in a hole, in two networks.
  const px = res.practices || { before: [], after: [] };
  const pxBefore = new Set(px.before.map((f) => `${f.rule} ${f.message}`));
  const practiceFindings = px.after.length
    ? h(
        'section',
        { class: 'whatif-net', 'data-testid': 'whatif-practices' },
        h('h3', {}, 'The moved practice'),
        h(
          'ul',
          { class: 'findings' },
          px.after.map((f) =>
            h(
              'li',
              { class: `finding finding-${f.severity}`, 'data-rule': f.rule },
              severityBadge(f.severity),
              pxBefore.has(`${f.rule} ${f.message}`) ? null : h('span', { class: 'tag tag-new' }, 'new'),
              ' ',
              h('code', {}, f.rule),
              ' ',
              f.message,
            ),
          ),
        ),
      )
    : null;
  clear(
    ui.whatif,
    h('p', { class: `timing ${ms < 200 ? 'fast' : 'slow'}`, 'data-testid': 'whatif-ms', 'data-ms': ms.toFixed(1) }, `What-if answered in ${ms.toFixed(0)} ms${server}`),
    consent,
    practiceFindings,
    cards,
  );
  ui.whatif.dataset.ready = 'true';
}

async function propose(practice, network, kind = 'join') {
  const what = kind === 'join' ? `Move ${practice} to ${network}` : `${practice} leaves ${network}`;
  const body = { kind, network, practice, effective: ui.effective.value || firstOfNextMonth(), reason: ui.reason.value.trim() || what };
  return api.post('/api/proposals', body);
}

function proposalOutcome(res) {
  const errs = (res.findings && res.findings.errors) || [];
  const warns = (res.findings && res.findings.warnings) || [];
  return h(
    'div',
    { class: 'saved' },
    h('p', { class: 'good', 'data-testid': 'proposal-saved', 'data-id': res.id }, `Saved as proposal #${res.id} (${res.status}).`),
    errs.length ? h('ul', { class: 'findings' }, errs.map((e) => h('li', { class: 'finding finding-error' }, severityBadge('error'), ' ', e))) : null,
    warns.length ? h('ul', { class: 'findings' }, warns.map((w) => h('li', { class: 'finding finding-warning' }, severityBadge('warning'), ' ', h('code', {}, w.rule), ' ', w.message))) : null,
  );
}

async function save() {
  if (!edit.practice || !edit.target) return;
  ui.save.disabled = true;
  clear(ui.saveResult, h('p', { class: 'hint' }, 'Saving…'));
  try {
    const res = edit.target === LEAVE ? await propose(edit.practice.code, edit.practice.network, 'leave') : await propose(edit.practice.code, edit.target);
    clear(ui.saveResult, proposalOutcome(res));
    ui.saveResult.scrollIntoView({ block: 'nearest' });
    emit('proposals-changed');
  } catch (e) {
    clear(ui.saveResult, h('p', { class: 'error-inline', 'data-testid': 'save-error' }, e.message));
    showError(e, 'Save as proposal');
    ui.save.disabled = false;
  }
}

async function repair() {
  const commissioner = ui.repairComm.value;
  if (!commissioner) return;
  const seconds = Math.max(1, Math.min(20, Number(ui.repairSeconds.value) || 5));
  ui.repairRun.disabled = true;
  ui.repairResult.dataset.ready = 'false';
  clear(ui.repairResult, h('p', { class: 'hint' }, `Searching ${commissioner} for up to ${seconds} s…`));
  let res;
  try {
    res = await api.post('/api/repair', { commissioner, seconds });
  } catch (e) {
    clear(ui.repairResult, h('p', { class: 'error-inline' }, e.message));
    showError(e, 'Repair');
    return;
  } finally {
    ui.repairRun.disabled = false;
  }
  edit.repair = res;
  mapView.drawMoves(res.moves);
  const rows = res.moves.map((m) => {
    const status = h('span', { class: 'move-status', 'data-testid': 'repair-move-status' });
    // A move to a network is a join (leaving the old one); a move to no network is a leave.
    const kind = m.to ? 'join' : 'leave';
    const network = m.to || m.from;
    const canAccept = !!network;
    const btn = h(
      'button',
      { type: 'button', class: 'secondary small', 'data-testid': 'repair-accept', disabled: !canAccept, title: canAccept ? `Save “${m.practice} ${kind === 'join' ? `joins ${m.to}` : `leaves ${m.from}`}” as a proposal` : 'Nothing to propose' },
      'Accept',
    );
    const accept = async () => {
      btn.disabled = true;
      status.textContent = 'saving…';
      try {
        const r = await propose(m.practice, network, kind);
        status.textContent = `proposal #${r.id}`;
        status.className = 'move-status good';
        li.dataset.accepted = 'true';
        return true;
      } catch (e) {
        status.textContent = e.message;
        status.className = 'move-status bad';
        btn.disabled = false;
        showError(e, `Accept ${m.practice} → ${m.to || 'no network'}`);
        return false;
      }
    };
    btn.addEventListener('click', async () => {
      if (await accept()) emit('proposals-changed');
    });
    const li = h(
      'li',
      { 'data-testid': 'repair-move', 'data-practice': m.practice },
      h('button', { type: 'button', class: 'link', onclick: () => mapView.focusPractices([m.practice], { keep: true }) }, m.name || m.practice),
      h('span', { class: 'muted' }, ` ${m.practice}`),
      h(
        'div',
        {},
        h('code', {}, m.from || '—'),
        ' → ',
        m.to ? h('span', { class: 'dot', style: `background:${networkColour(m.to)}`, 'aria-hidden': 'true' }) : null,
        h('code', {}, m.to || 'no network'),
        m.to && !mapView.networks.has(m.to) ? h('span', { class: 'tag tag-gains' }, 'new network') : null,
        ' ',
        btn,
        ' ',
        status,
      ),
    );
    li._accept = accept;
    li._btn = btn;
    return li;
  });
  const acceptAll = h('button', { type: 'button', 'data-testid': 'repair-accept-all', disabled: !rows.length }, `Accept all ${rows.length}`);
  acceptAll.addEventListener('click', async () => {
    acceptAll.disabled = true;
    for (const li of rows) if (!li.dataset.accepted && !li._btn.disabled) await li._accept();
    emit('proposals-changed');
  });
  clear(
    ui.repairResult,
    h('p', { 'data-testid': 'repair-summary' }, `${commissioner}: errors ${num(res.before.errors)} → ${num(res.after.errors)} with ${num(res.moves.length)} suggested move${res.moves.length === 1 ? '' : 's'}. Nothing is saved until you accept.`),
    rows.length ? h('ol', { class: 'moves' }, rows) : h('p', { class: 'ok', 'data-testid': 'repair-note' }, res.note || 'No moves suggested.'),
    rows.length ? acceptAll : null,
  );
  ui.repairResult.dataset.ready = 'true';
  ui.repairResult.scrollIntoView({ block: 'nearest' });
}

function andList(xs) {
  return xs.length < 2 ? xs.join('') : `${xs.slice(0, -1).join(', ')} and ${xs[xs.length - 1]}`;
}
