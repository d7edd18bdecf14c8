// The findings of one commissioner's area, worst first; choosing a finding shows it on the map.

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

export function initFindings() {
  const sel = document.getElementById('findings-commissioner');
  sel.addEventListener('change', () => loadFindings(sel.value));
}

export function setFindingsCommissioner(code) {
  const sel = document.getElementById('findings-commissioner');
  fillCommissionerSelect(sel);
  if (code && [...sel.options].some((o) => o.value === code)) sel.value = code;
  if (sel.value) loadFindings(sel.value);
}

export async function loadFindings(commissioner) {
  const summary = document.getElementById('findings-summary');
  const list = document.getElementById('findings-list');
  const mine = ++seq;
  clear(summary, h('p', { class: 'hint' }, `Checking ${commissioner}…`));
  clear(list);
  list.dataset.loaded = 'false';
  let res;
  try {
    res = await api.get('/api/check', { commissioner, per_page: 500, snapshot: state.snapshot });
  } catch (e) {
    if (mine !== seq) return;
    clear(summary, h('p', { class: 'error-inline' }, e.message));
    showError(e, `Findings of ${commissioner}`);
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
  list.dataset.loaded = 'true';
}
