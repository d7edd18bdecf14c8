// The findings of one commissioner's area, or of one ICB's sub-ICB locations, worst first; choosing
// a finding shows it on the map. Choosing an ICB narrows the commissioners offered and the map.

import * as api from './api.js';
import { h, clear, num, severityBadge } from './fmt.js';
import { state, emit, showError } from './state.js';

let seq = 0;

export function fillCommissionerSelect(sel, { includeAll = false, allLabel = 'All of England' } = {}) {
  const keep = sel.value;
  clear(
    sel,
    includeAll ? h('option', { value: '' }, allLabel) : null,
    state.commissioners.map((c) => h('option', { value: c.code }, `${c.code} — ${c.name || ''} (${num(c.networks)} networks)`)),
  );
  if (keep && [...sel.options].some((o) => o.value === keep)) sel.value = keep;
}

/** The ICB chosen in the findings panel ('' for none) and its row of /api/icbs. */
function chosenIcb() {
  const code = document.getElementById('findings-icb').value;
  return { code, icb: state.icbs.items.find((i) => i.code === code) || null };
}

/** Fill the ICB picker from /api/icbs (the tier is named for the snapshot's date: ICB or STP). */
export function fillIcbSelect() {
  const sel = document.getElementById('findings-icb');
  const keep = sel.value;
  const tier = state.icbs.parent_tier || 'ICB';
  document.getElementById('findings-icb-label').textContent = tier;
  document.getElementById('findings-commissioner-label').textContent = state.icbs.commissioner_tier
    ? state.icbs.commissioner_tier.charAt(0).toUpperCase() + state.icbs.commissioner_tier.slice(1)
    : 'Commissioner';
  clear(
    sel,
    h('option', { value: '' }, `Any ${tier}`),
    state.icbs.items
      .filter((i) => i.code)
      .map((i) => h('option', { value: i.code }, `${i.code} — ${i.name || ''} (${num(i.sub_icbs.length)} ${state.icbs.commissioner_tier || 'commissioner'}s, ${num(i.networks)} networks)`)),
  );
  if (keep && [...sel.options].some((o) => o.value === keep)) sel.value = keep;
}

/** The commissioner picker: every commissioner, or the chosen ICB's with "all of it" first. */
function fillCommissioners(sel) {
  const { code, icb } = chosenIcb();
  fillCommissionerSelect(sel);
  if (!icb) return;
  const mine = new Set(icb.sub_icbs);
  for (const o of [...sel.options]) if (!mine.has(o.value)) o.remove();
  sel.prepend(h('option', { value: '' }, `All of ${state.icbs.parent_tier || 'ICB'} ${code}`));
}

function load(sel) {
  const { code } = chosenIcb();
  if (sel.value) loadFindings(sel.value);
  else if (code) loadFindings(null, code);
}

export function initFindings() {
  const sel = document.getElementById('findings-commissioner');
  const icbSel = document.getElementById('findings-icb');
  sel.addEventListener('change', () => load(sel));
  icbSel.addEventListener('change', () => {
    fillCommissioners(sel);
    if (icbSel.value) sel.value = '';
    emit('icb-changed', icbSel.value || null);
    load(sel);
  });
}

export function setFindingsCommissioner(code) {
  const sel = document.getElementById('findings-commissioner');
  fillIcbSelect();
  fillCommissioners(sel);
  if (code && [...sel.options].some((o) => o.value === code)) sel.value = code;
  load(sel);
}

export async function loadFindings(commissioner, icb = null) {
  const where = commissioner || `${state.icbs.parent_tier || 'ICB'} ${icb}`;
  const summary = document.getElementById('findings-summary');
  const list = document.getElementById('findings-list');
  const mine = ++seq;
  clear(summary, h('p', { class: 'hint' }, `Checking ${where}…`));
  clear(list);
  list.dataset.loaded = 'false';
  let res;
  try {
    res = await api.get('/api/check', commissioner ? { commissioner, per_page: 500, snapshot: state.snapshot } : { icb, per_page: 500, snapshot: state.snapshot });
  } catch (e) {
    if (mine !== seq) return;
    clear(summary, h('p', { class: 'error-inline' }, e.message));
    showError(e, `Findings of ${where}`);
    return;
  }
  if (mine !== seq) return;
  // Worst first, whatever order the page came in (stable: the server's order within a severity).
  const rank = { error: 0, warning: 1, info: 2 };
  res.findings = res.findings.map((f, i) => [f, i]).sort((a, b) => (rank[a[0].severity] ?? 9) - (rank[b[0].severity] ?? 9) || a[1] - b[1]).map(([f]) => f);
  clear(
    summary,
    h('span', { class: 'count count-error', 'data-testid': 'findings-errors' }, `${num(res.errors)} errors`),
    h('span', { class: 'count count-warning' }, `${num(res.warnings)} warnings`),
    h('span', { class: 'count count-info' }, `${num(res.infos)} notes`),
    res.total > res.findings.length ? h('span', { class: 'muted' }, ` (showing the worst ${num(res.findings.length)} of ${num(res.total)})`) : null,
  );
  clear(
    list,
    res.findings.length
      ? res.findings.map((f) =>
          h(
            'li',
            { class: `finding finding-${f.severity}` },
            h(
              'button',
              {
                type: 'button',
                class: 'finding-btn',
                'data-testid': 'finding',
                'data-network': f.network || '',
                'data-commissioner': f.commissioner || '',
                'data-icb': f.icb || '',
                'data-severity': f.severity,
                onclick: (e) => {
                  for (const b of list.querySelectorAll('[aria-current]')) b.removeAttribute('aria-current');
                  e.currentTarget.setAttribute('aria-current', 'true');
                  if (f.network) emit('open-network', { code: f.network, zoom: !f.practices.length, practices: f.practices });
                  if (f.practices.length) emit('focus-practices', f.practices);
                },
              },
              severityBadge(f.severity),
              h('code', {}, f.rule),
              f.network ? h('strong', {}, ` ${f.network}`) : null,
              h('span', { class: 'msg' }, f.message),
              f.practices.length ? h('span', { class: 'muted' }, ` · ${f.practices.join(', ')}`) : null,
            ),
          ),
        )
      : h('li', { class: 'ok' }, '✓ No findings in this area.'),
  );
  list.dataset.area = commissioner || `icb:${icb}`;
  list.dataset.loaded = 'true';
}
