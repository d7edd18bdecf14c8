// The network panel: who the network is, its members and their lists, what the rules find, what it
// is entitled to for a year (to the penny) and its ARRS headroom; the network's manager (or an admin)
// keeps its ARRS staff records here, its commissioner reads them.

import * as api from './api.js';
import { h, clear, num, pounds, severityBadge, streamLabel } from './fmt.js';
import { state, on, emit, showError, canEdit, mayKeepRecords, years, serviceYears } from './state.js';
import { networkColour } from './map.js';
import { renderProfile } from './profile.js';
import { renderServices } from './services.js';


const sevOrder = { error: 0, warning: 1, info: 2 };
let ticket = 0;

/** The panel's views of a network; the one chosen is kept from network to network. */
const VIEWS = [
  { id: 'overview', label: 'Overview' },
  { id: 'profile', label: 'Profile' },
  { id: 'services', label: 'Services' },
];
let view = 'overview';

export function findingsList(findings, testid) {
  if (!findings.length) return h('p', { class: 'ok', 'data-testid': `${testid}-none` }, '✓ No findings: every rule passes.');
  const sorted = [...findings].sort((a, b) => (sevOrder[a.severity] ?? 9) - (sevOrder[b.severity] ?? 9));
  return h(
    'ul',
    { class: 'findings', 'data-testid': testid },
    sorted.map((f) =>
      h('li', { class: `finding finding-${f.severity}`, 'data-severity': f.severity }, severityBadge(f.severity), ' ', h('code', {}, f.rule), ' ', f.message),
    ),
  );
}

/** Open a network in the panel. */
export async function showNetwork(code, { practice } = {}) {
  const panel = document.getElementById('panel-network');
  const mine = ++ticket;
  state.network = code;
  panel.dataset.network = code;
  panel.dataset.loaded = 'false';
  clear(panel, h('p', { class: 'hint' }, `Loading network ${code}…`));
  let detail;
  try {
    detail = await api.get(`/api/networks/${encodeURIComponent(code)}`, { snapshot: state.snapshot });
  } catch (e) {
    if (mine !== ticket) return;
    clear(panel, h('p', { class: 'error-inline', 'data-testid': 'network-error' }, e.message));
    showError(e, `Network ${code}`);
    return;
  }
  if (mine !== ticket) return;

  const money = h('div', { 'data-testid': 'network-money' });
  const yearSel = h(
    'select',
    { id: 'year-select', 'data-testid': 'year-select' },
    years().map((y) => h('option', { value: y, selected: y === state.year }, y)),
  );
  yearSel.addEventListener('change', () => {
    state.year = yearSel.value;
    loadMoney(code, money, mine);
  });

  const pickedCode = practice || (state.practice && state.practice.network === code ? state.practice.code : null);
  const members = h(
    'table',
    { class: 'members', 'data-testid': 'network-members' },
    h('caption', { class: 'sr-only' }, 'Member practices'),
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Practice'), h('th', { scope: 'col', class: 'num' }, 'List'))),
    h(
      'tbody',
      {},
      detail.members.map((m) =>
        h(
          'tr',
          { 'data-practice': m.code, class: m.code === pickedCode ? 'picked' : null },
          h(
            'td',
            {},
            h('button', { type: 'button', class: 'link', onclick: () => emit('focus-practices', [m.code]), title: 'Show on the map' }, m.name || m.code),
            h('span', { class: 'muted' }, ` ${m.code}`),
          ),
          h('td', { class: 'num' }, num(m.registered)),
        ),
      ),
    ),
    h('tfoot', {}, h('tr', {}, h('th', { scope: 'row' }, `${detail.members.length} practices`), h('td', { class: 'num' }, num(detail.registered)))),
  );

  const errors = detail.findings.filter((f) => f.severity === 'error').length;
  const warnings = detail.findings.filter((f) => f.severity === 'warning').length;
  const current = () => mine === ticket && state.network === code;
  const overview = h(
    'div',
    {},
    h('div', { class: 'actions' },
      h('button', { type: 'button', class: 'secondary', onclick: () => emit('focus-network', code) }, 'Zoom to network'),
      canEdit() ? h('button', { type: 'button', class: 'secondary', 'data-testid': 'edit-from-panel', onclick: () => emit('edit-network', { network: code, practice: pickedCode }) }, 'Edit membership…') : null,
    ),
    h('h3', {}, 'Members'),
    members,
    h('h3', {}, 'Findings'),
    findingsList(detail.findings, 'network-findings'),
    h('div', { class: 'year-row' }, h('h3', {}, 'Entitlements'), h('label', { for: 'year-select' }, 'Year '), yearSel),
    money,
  );
  const bodies = {
    overview,
    profile: h('div', { class: 'profile', 'data-testid': 'profile-section', 'data-loaded': 'false' }),
    services: h('div', { class: 'services', 'data-testid': 'services-section', 'data-loaded': 'false' }),
  };
  const loaders = {
    profile: () => renderProfile(code, bodies.profile, current),
    services: () => renderServices(code, bodies.services, { years: serviceYears(), canMark: mayKeepStaff(code), current }),
  };
  const started = new Set(['overview']);
  const tabs = VIEWS.map((v) =>
    h('button', { type: 'button', role: 'tab', id: `net-view-${v.id}`, 'aria-controls': `net-body-${v.id}`, 'data-view': v.id, 'data-testid': `net-view-${v.id}` }, v.label),
  );
  const panes = VIEWS.map((v) => h('section', { role: 'tabpanel', id: `net-body-${v.id}`, 'aria-labelledby': `net-view-${v.id}`, class: 'net-body', 'data-testid': `net-body-${v.id}` }, bodies[v.id]));
  const choose = (id, focus = false) => {
    view = id;
    tabs.forEach((t, i) => {
      const on = VIEWS[i].id === id;
      t.setAttribute('aria-selected', String(on));
      t.tabIndex = on ? 0 : -1;
      panes[i].hidden = !on;
      if (on && focus) t.focus();
    });
    panel.dataset.view = id;
    if (!started.has(id)) {
      started.add(id);
      loaders[id]();
    }
  };
  tabs.forEach((t, i) => {
    t.addEventListener('click', () => choose(VIEWS[i].id));
    t.addEventListener('keydown', (e) => {
      const k = { ArrowRight: 1, ArrowLeft: -1 }[e.key];
      if (!k) return;
      e.preventDefault();
      choose(VIEWS[(i + k + VIEWS.length) % VIEWS.length].id, true);
    });
  });

  clear(
    panel,
    h(
      'header',
      { class: 'net-head' },
      h('span', { class: 'swatch', style: `background:${networkColour(detail.code)}` }),
      h('div', {}, h('h2', { 'data-testid': 'network-name' }, detail.name || detail.code), h('div', { class: 'muted' }, h('code', { 'data-testid': 'network-code' }, detail.code), ' · commissioner ', h('span', { 'data-testid': 'network-commissioner' }, detail.commissioner || '—'))),
    ),
    h(
      'dl',
      { class: 'facts' },
      h('div', {}, h('dt', {}, 'Registered'), h('dd', { 'data-testid': 'network-registered' }, num(detail.registered))),
      h('div', {}, h('dt', {}, detail.year ? `Weighted ${detail.year}` : 'Weighted'), h('dd', { 'data-testid': 'network-weighted' }, detail.weighted == null ? '—' : num(Math.round(detail.weighted)))),
      h('div', {}, h('dt', {}, 'Errors'), h('dd', { class: errors ? 'bad' : '' }, String(errors))),
      h('div', {}, h('dt', {}, 'Warnings'), h('dd', { class: warnings ? 'warn' : '' }, String(warnings))),
    ),
    h('nav', { class: 'subtabs', role: 'tablist', 'aria-label': `Views of ${detail.code}` }, tabs),
    panes,
  );
  choose(VIEWS.some((v) => v.id === view) ? view : 'overview');
  panel.dataset.loaded = 'true';
  await loadMoney(code, money, mine);
}

async function loadMoney(code, box, mine) {
  const year = state.year;
  clear(box, h('p', { class: 'hint' }, `Loading ${year}…`));
  const [pay, arrs] = await Promise.allSettled([
    api.get(`/api/networks/${encodeURIComponent(code)}/pay`, { year, snapshot: state.snapshot }),
    api.get(`/api/networks/${encodeURIComponent(code)}/arrs`, { year, snapshot: state.snapshot }),
  ]);
  if (mine !== ticket || year !== state.year) return;
  const parts = [];
  if (pay.status === 'fulfilled') {
    const p = pay.value;
    parts.push(
      h(
        'table',
        { class: 'money', 'data-testid': 'pay-table' },
        h('caption', {}, `${p.year} entitlements (lists at ${p.list_size_date})`),
        h('tbody', {}, p.streams.map((s) => h('tr', { 'data-stream': s.stream }, h('th', { scope: 'row' }, streamLabel(s.stream)), h('td', { class: 'num' }, pounds(s.pence))))),
        h('tfoot', {}, h('tr', {}, h('th', { scope: 'row' }, 'Total'), h('td', { class: 'num', 'data-testid': 'pay-total' }, pounds(p.total_pence)))),
      ),
    );
    if (p.missing && p.missing.length) {
      parts.push(h('div', { class: 'missing', 'data-testid': 'pay-missing' }, h('strong', {}, 'Not computed: '), h('ul', {}, p.missing.map((m) => h('li', {}, m)))));
    }
  } else {
    parts.push(h('p', { class: 'error-inline', 'data-testid': 'pay-error' }, `Entitlements: ${pay.reason.message}`));
    showError(pay.reason, `Entitlements of ${code}`);
  }
  const arrsBox = h('div', { 'data-testid': 'arrs-section' });
  parts.push(arrsBox);
  clear(box, parts);
  if (arrs.status === 'fulfilled') renderArrs(code, arrsBox, arrs.value, () => mine === ticket && year === state.year && state.network === code);
  else {
    clear(arrsBox, h('h3', {}, 'ARRS'), h('p', { class: 'error-inline', 'data-testid': 'arrs-error' }, `ARRS: ${arrs.reason.message}`));
    showError(arrs.reason, `ARRS of ${code}`);
  }
}

// ---------- ARRS: headroom and staff records ----------

/** The ARRS role keys, from the server's vocabulary. */
async function staffRoles() {
  if (!state.vocabulary.arrs_roles.length) throw new Error('the server sent no ARRS roles');
  return state.vocabulary.arrs_roles;
}

// Posts as last saved from this page, per network: the ARRS answer gives back each post's role, WTE
// and dates but not its salary, on-costs or baseline flag, which a PUT of the whole list needs.
const saved = new Map();
// Unsaved edits per network, so that a change of year (which re-reads the claims) keeps them.
const drafts = new Map();
on('session-changed', () => {
  saved.clear();
  drafts.clear();
});

/** May the signed-in user write this network's staff records? Its manager, or an admin (the server says). */
export function mayKeepStaff(code) {
  return mayKeepRecords(code);
}

function yearStart(year) {
  const m = /^(\d{4})\//.exec(year || '');
  return m ? `${m[1]}-04-01` : '';
}

const blankToEmpty = (v) => (v === null || v === undefined ? '' : String(v));

/** Editor rows from the ARRS answer, with the money fields from what this page saved (if it matches). */
function rowsFrom(code, staff) {
  const mine = saved.get(code);
  const matches = mine && mine.length === staff.length && mine.every((r, i) => r.role === staff[i].role && r.start === staff[i].start);
  return staff.map((s, i) => {
    const k = matches ? mine[i] : null;
    return {
      role: s.role,
      wte: blankToEmpty(s.wte),
      start: s.start || '',
      end: s.end || '',
      salary: s.salary != null ? String(s.salary) : k ? k.salary : '',
      on_costs: s.on_costs != null ? String(s.on_costs) : k ? k.on_costs : '',
      baseline: s.baseline != null ? !!s.baseline : k ? k.baseline : false,
      claim: { claimable_pence: s.claimable_pence, cuts: s.cuts || [] },
      reenter: s.salary == null && !k, // saved earlier, its money not given back
    };
  });
}

function facts(a) {
  return h(
    'dl',
    { class: 'facts arrs', 'data-testid': 'arrs' },
    h('div', {}, h('dt', {}, 'Maximum'), h('dd', { 'data-testid': 'arrs-maximum' }, a.maximum_pence == null ? '—' : pounds(a.maximum_pence))),
    h('div', {}, h('dt', {}, 'Claimed'), h('dd', { 'data-testid': 'arrs-claimed' }, a.claimed_pence == null ? '—' : pounds(a.claimed_pence))),
    h(
      'div',
      {},
      h('dt', {}, 'Headroom'),
      h('dd', { 'data-testid': 'arrs-headroom', class: a.headroom_pence == null ? '' : a.headroom_pence < 0 ? 'bad' : 'good' }, a.headroom_pence == null ? '—' : pounds(a.headroom_pence)),
    ),
  );
}

function cutsList(cuts, testid) {
  return cuts && cuts.length ? h('ul', { class: 'cuts muted small', 'data-testid': testid }, cuts.map((c) => h('li', {}, c))) : null;
}

function readOnlyStaff(a) {
  if (!a.staff.length) return h('p', { class: 'muted', 'data-testid': 'arrs-staff-none' }, 'No ARRS staff recorded.');
  return h(
    'table',
    { class: 'staff', 'data-testid': 'arrs-staff' },
    h('caption', {}, `Staff records (claims for ${a.year}; kept by the network’s manager)`),
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Role'), h('th', { scope: 'col', class: 'num' }, 'WTE'), h('th', { scope: 'col' }, 'In post'), h('th', { scope: 'col', class: 'num' }, 'Claimable'))),
    h(
      'tbody',
      {},
      a.staff.map((s) =>
        h(
          'tr',
          { 'data-testid': 'arrs-staff-row', 'data-role': s.role },
          h('td', {}, streamLabel(s.role), cutsList(s.cuts, 'arrs-staff-cuts')),
          h('td', { class: 'num' }, String(s.wte)),
          h('td', {}, `${s.start}${s.end ? ` – ${s.end}` : ' –'}`),
          h('td', { class: 'num', 'data-testid': 'arrs-staff-claimable' }, s.claimable_pence != null ? pounds(s.claimable_pence) : '—'),
        ),
      ),
    ),
    h('tfoot', {}, h('tr', {}, h('th', { scope: 'row', colspan: 3 }, `${a.staff.length} post${a.staff.length === 1 ? '' : 's'}`), h('td', { class: 'num' }, pounds(a.claimed_pence ?? 0)))),
  );
}

/** The ARRS section: the figures, and the staff records as the caller may see (or keep) them. */
async function renderArrs(code, box, a, current, flash = null) {
  const hidden = a.claimed_pence == null && a.headroom_pence == null && a.staff == null;
  const head = [
    h('h3', {}, 'ARRS'),
    facts(a),
    a.maximum_pence == null ? h('p', { class: 'muted' }, 'No maximum: the network has no weighted list for the year.') : null,
  ];
  if (mayKeepStaff(code) && a.staff != null) {
    const editor = h('div', { class: 'staff-editor', 'data-testid': 'staff-editor', 'data-loaded': 'false' }, h('p', { class: 'hint' }, 'Loading the ARRS roles…'));
    clear(box, head, editor);
    let roles = [];
    let rolesError = null;
    try {
      roles = await staffRoles();
    } catch (e) {
      rolesError = e;
    }
    if (!current()) return;
    staffEditor(code, box, editor, a, roles, rolesError, current, flash);
    return;
  }
  clear(
    box,
    head,
    hidden
      ? h('p', { class: 'muted', 'data-testid': 'arrs-hidden' }, 'Claims, staff and headroom are shown to the network’s manager and its commissioner: sign in to see them.')
      : a.staff
        ? readOnlyStaff(a)
        : null,
  );
}

function staffEditor(code, box, editor, a, roles, rolesError, current, flash) {
  const draft = drafts.get(code);
  // With unsaved edits, keep them (their claims are recomputed on saving); else the records as saved.
  const rows = draft ? draft.map((r) => ({ ...r, claim: null })) : rowsFrom(code, a.staff);
  const missingMoney = rows.some((r) => r.reenter && (r.salary === '' || r.on_costs === ''));
  const roleKeys = [...roles];
  for (const r of rows) if (r.role && !roleKeys.includes(r.role)) roleKeys.push(r.role);

  const list = h('ol', { class: 'staff-posts', 'data-testid': 'staff-table', 'aria-label': 'ARRS staff posts' });
  const errorBox = h('p', { class: 'error-inline', 'data-testid': 'staff-error', role: 'alert', hidden: true });
  const status = h('span', { class: 'muted small', 'data-testid': 'staff-status', 'aria-live': 'polite' }, flash || '');
  if (flash) status.className = 'ok small';
  const count = h('span', { class: 'muted', 'data-testid': 'staff-count' });

  const markDirty = () => {
    drafts.set(code, rows.map((r) => ({ ...r })));
    status.className = 'warn small';
    status.textContent = 'Unsaved changes';
    editor.dataset.dirty = 'true';
  };
  const showProblem = (message, errCode, index = null) => {
    errorBox.hidden = false;
    errorBox.dataset.code = errCode || 'invalid';
    clear(errorBox, message);
    for (const li of list.children) li.classList.toggle('invalid', index !== null && Number(li.dataset.index) === index);
    if (index !== null && list.children[index]) list.children[index].setAttribute('aria-invalid', 'true');
  };
  const hideProblem = () => {
    errorBox.hidden = true;
    delete errorBox.dataset.code;
    for (const li of list.children) {
      li.classList.remove('invalid');
      li.removeAttribute('aria-invalid');
    }
  };

  function field(label, input, cls) {
    return h('label', { class: `staff-field ${cls || ''}` }, h('span', {}, label), input);
  }

  function postItem(r, i) {
    const id = (f) => `staff-${code}-${i}-${f}`;
    const claimCell = h('div', { class: 'staff-claim', 'data-testid': 'staff-claim' });
    const showClaim = () => {
      clear(
        claimCell,
        r.claim
          ? [
              h('span', { class: 'muted' }, `Claimable ${a.year} `),
              h('strong', { 'data-testid': 'staff-claimable', 'data-pence': r.claim.claimable_pence }, pounds(r.claim.claimable_pence)),
              cutsList(r.claim.cuts, 'staff-cuts'),
            ]
          : h('span', { class: 'muted', 'data-testid': 'staff-claimable-pending' }, 'Claimable: save to work it out'),
      );
    };
    const edited = (f, v) => {
      r[f] = v;
      r.claim = null;
      showClaim();
      markDirty();
    };
    const text = (f, attrs) => {
      const el = h('input', { id: id(f), type: 'text', value: r[f], autocomplete: 'off', spellcheck: 'false', 'data-testid': `staff-${f.replace('_', '-')}`, ...attrs });
      el.addEventListener('input', () => edited(f, el.value));
      return el;
    };
    const date = (f, attrs) => {
      const el = h('input', { id: id(f), type: 'date', value: r[f], 'data-testid': `staff-${f}`, ...attrs });
      el.addEventListener('input', () => edited(f, el.value));
      return el;
    };
    const roleSel = h(
      'select',
      { id: id('role'), 'data-testid': 'staff-role' },
      roleKeys.map((k) => h('option', { value: k, selected: k === r.role }, streamLabel(k))),
    );
    roleSel.addEventListener('change', () => edited('role', roleSel.value));
    const baseline = h('input', { id: id('baseline'), type: 'checkbox', checked: !!r.baseline, 'aria-describedby': id('baseline-label'), 'data-testid': 'staff-baseline' });
    baseline.addEventListener('change', () => edited('baseline', baseline.checked));
    const remove = h('button', { type: 'button', class: 'danger small', 'data-testid': 'staff-remove', title: `Remove post ${i + 1}` }, 'Remove');
    remove.addEventListener('click', () => {
      rows.splice(i, 1);
      markDirty();
      hideProblem();
      draw();
    });
    showClaim();
    return h(
      'li',
      { class: 'staff-post', 'data-testid': 'staff-row', 'data-index': i, 'data-role': r.role },
      h('span', { class: 'staff-no', 'aria-hidden': 'true' }, String(i + 1)),
      field('Role', roleSel, 'span-9'),
      field('WTE', text('wte', { inputmode: 'decimal', placeholder: '1.0' }), 'span-3'),
      field('Start', date('start', { required: true }), 'span-6'),
      field('End (if left)', date('end'), 'span-6'),
      field('Salary £ a year', text('salary', { inputmode: 'decimal', placeholder: r.reenter ? 're-enter' : 'e.g. 40000' }), 'span-4'),
      field('On-costs £ a year', text('on_costs', { inputmode: 'decimal', placeholder: r.reenter ? 're-enter' : 'e.g. 10000' }), 'span-4'),
      h(
        'div',
        { class: 'staff-field span-4' },
        h('span', { id: id('baseline-label') }, 'Baseline'),
        h('label', { class: 'staff-baseline', title: 'In post on 31 March 2019 in a role that existed then: part of the additionality baseline, not claimable' }, baseline, 'in post 31/3/2019'),
      ),
      h('div', { class: 'span-9' }, claimCell),
      h('div', { class: 'span-3 staff-remove' }, remove),
    );
  }

  function draw() {
    clear(list, rows.map((r, i) => postItem(r, i)));
    count.textContent = `${rows.length} post${rows.length === 1 ? '' : 's'}`;
    if (!rows.length) list.append(h('li', { class: 'muted staff-empty', 'data-testid': 'staff-none' }, 'No ARRS staff recorded: add a post.'));
  }

  const add = h('button', { type: 'button', class: 'secondary', 'data-testid': 'staff-add' }, '+ Add post');
  add.addEventListener('click', () => {
    rows.push({ role: roleKeys.includes('clinical_pharmacist') ? 'clinical_pharmacist' : roleKeys[0] || '', wte: '1.0', start: yearStart(a.year), end: '', salary: '', on_costs: '', baseline: false, claim: null, reenter: false });
    markDirty();
    draw();
    const last = list.querySelector('li:last-child select');
    if (last) last.focus();
  });
  const save = h('button', { type: 'button', 'data-testid': 'staff-save' }, 'Save staff records');
  save.addEventListener('click', async () => {
    hideProblem();
    // Blank fields are caught here; everything else is for the server to judge, and its message shown.
    const need = [['role', 'role'], ['wte', 'WTE'], ['start', 'start'], ['salary', 'salary'], ['on_costs', 'on-costs']];
    for (let i = 0; i < rows.length; i++) {
      const miss = need.filter(([f]) => String(rows[i][f] ?? '').trim() === '').map(([, l]) => l);
      if (miss.length) {
        showProblem(`post ${i + 1}: ${miss.join(', ')} ${miss.length === 1 ? 'is' : 'are'} missing`, 'missing', i);
        return;
      }
    }
    const body = rows.map((r) => {
      const p = { role: r.role, wte: String(r.wte).trim(), start: r.start, salary: String(r.salary).trim(), on_costs: String(r.on_costs).trim(), baseline: !!r.baseline };
      if (r.end) p.end = r.end;
      return p;
    });
    save.disabled = add.disabled = true;
    status.className = 'muted small';
    status.textContent = 'Saving…';
    editor.dataset.saving = 'true';
    let res;
    try {
      res = await api.put(`/api/networks/${encodeURIComponent(code)}/staff`, body);
    } catch (e) {
      save.disabled = add.disabled = false;
      delete editor.dataset.saving;
      status.className = 'warn small';
      status.textContent = 'Not saved';
      const m = /^post (\d+)\b/.exec(e.message || '');
      showProblem(e.message, e.code, m ? Number(m[1]) - 1 : null);
      return;
    }
    saved.set(code, body.map((p) => ({ role: p.role, start: p.start, salary: p.salary, on_costs: p.on_costs, baseline: p.baseline })));
    drafts.delete(code);
    const note = `Saved ${res.posts} post${res.posts === 1 ? '' : 's'} for ${res.network}.`;
    // Re-read the headroom: the claims, the claimed total and the headroom follow the saved records.
    try {
      const fresh = await api.get(`/api/networks/${encodeURIComponent(code)}/arrs`, { year: a.year, snapshot: state.snapshot });
      if (!current()) return;
      await renderArrs(code, box, fresh, current, note);
    } catch (e) {
      if (!current()) return;
      save.disabled = add.disabled = false;
      delete editor.dataset.saving;
      status.className = 'warn small';
      status.textContent = `${note} The claims could not be re-read.`;
      showProblem(`ARRS: ${e.message}`, e.code);
    }
  });

  draw();
  clear(
    editor,
    h('div', { class: 'staff-head' }, h('h4', {}, 'Staff records'), count),
    h('p', { class: 'muted small' }, `Saving replaces ${code}’s whole list. Claimable amounts are for ${a.year}; salary and on-costs are a year’s, at the post’s WTE.`),
    rolesError ? h('p', { class: 'error-inline', 'data-testid': 'staff-roles-error' }, `The ARRS roles could not be read: ${rolesError.message}`) : null,
    missingMoney ? h('p', { class: 'missing', 'data-testid': 'staff-money-note' }, 'The server does not give back salaries, on-costs or the baseline flag of saved posts: enter them again before saving.') : null,
    list,
    errorBox,
    h('div', { class: 'actions staff-actions' }, add, save, status),
  );
  if (draft) {
    status.className = 'warn small';
    status.textContent = 'Unsaved changes';
    editor.dataset.dirty = 'true';
  }
  editor.dataset.loaded = 'true';
  editor.dataset.posts = String(rows.length);
}
