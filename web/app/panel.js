// The network panel: who the network is, its members and their lists, what the rules find, what it
// is entitled to for a year (to the penny) and its ARRS headroom.

import * as api from './api.js';
import { h, clear, num, pounds, severityBadge, streamLabel } from './fmt.js';
import { state, emit, showError, canEdit } from './state.js';
import { networkColour } from './map.js';

export const YEARS = ['2019/20', '2020/21', '2021/22', '2022/23', '2023/24', '2024/25', '2025/26'];

const sevOrder = { error: 0, warning: 1, info: 2 };
let ticket = 0;

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
    YEARS.map((y) => h('option', { value: y, selected: y === state.year }, y)),
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
  if (arrs.status === 'fulfilled') {
    const a = arrs.value;
    // The server hides claims and staff (null) from callers who are neither the network's manager nor its commissioner.
    const hidden = a.claimed_pence == null && a.headroom_pence == null && a.staff == null;
    parts.push(
      h('h3', {}, 'ARRS'),
      h(
        'dl',
        { class: 'facts arrs', 'data-testid': 'arrs' },
        h('div', {}, h('dt', {}, 'Maximum'), h('dd', { 'data-testid': 'arrs-maximum' }, a.maximum_pence == null ? '—' : pounds(a.maximum_pence))),
        h('div', {}, h('dt', {}, 'Claimed'), h('dd', {}, a.claimed_pence == null ? '—' : pounds(a.claimed_pence))),
        h(
          'div',
          {},
          h('dt', {}, 'Headroom'),
          h('dd', { 'data-testid': 'arrs-headroom', class: a.headroom_pence == null ? '' : a.headroom_pence < 0 ? 'bad' : 'good' }, a.headroom_pence == null ? '—' : pounds(a.headroom_pence)),
        ),
      ),
      a.maximum_pence == null ? h('p', { class: 'muted' }, 'No maximum: the network has no weighted list for the year.') : null,
      hidden
        ? h('p', { class: 'muted', 'data-testid': 'arrs-hidden' }, 'Claims, staff and headroom are shown to the network’s manager and its commissioner: sign in to see them.')
        : a.staff && a.staff.length
          ? h(
              'table',
              { class: 'staff', 'data-testid': 'arrs-staff' },
              h('thead', {}, h('tr', {}, h('th', {}, 'Role'), h('th', { class: 'num' }, 'WTE'), h('th', {}, 'In post'), h('th', { class: 'num' }, 'Claimable'))),
              h(
                'tbody',
                {},
                a.staff.map((s) =>
                  h(
                    'tr',
                    {},
                    h('td', {}, streamLabel(s.role), s.cuts && s.cuts.length ? h('div', { class: 'muted small' }, s.cuts.join('; ')) : null),
                    h('td', { class: 'num' }, String(s.wte)),
                    h('td', {}, `${s.start}${s.end ? ` – ${s.end}` : ' –'}`),
                    h('td', { class: 'num' }, s.claimable_pence != null ? pounds(s.claimable_pence) : s.monthly_pence != null ? `${pounds(s.monthly_pence)}/month` : '—'),
                  ),
                ),
              ),
            )
          : h('p', { class: 'muted' }, 'No ARRS staff recorded for the year.'),
    );
  } else {
    parts.push(h('p', { class: 'error-inline', 'data-testid': 'arrs-error' }, `ARRS: ${arrs.reason.message}`));
    showError(arrs.reason, `ARRS of ${code}`);
  }
  clear(box, parts);
}
