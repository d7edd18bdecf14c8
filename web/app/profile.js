// A network's profile (GET /api/networks/{code}/profile): its lists and practices, the deprivation
// (IMD decile) and rurality mix of its patients and its QOF prevalence, each beside its commissioner
// and England; charts drawn as inline SVG by charts.js, with the numbers in tables.

import * as api from './api.js';
import { h, clear, num, pounds } from './fmt.js';
import { state, showError, emit } from './state.js';
import { decileChart, rurality, dotPlot, bedsChart, pct, RUC, COLOURS } from './charts.js';

/** QOF groups shown first, in this order; the rest follow, collapsed. */
export const MAIN_GROUPS = ['HYP', 'DM', 'COPD', 'AST', 'CHD', 'DEM', 'DEP', 'CKD'];

const GROUP_NAMES = {
  AF: 'Atrial fibrillation',
  AST: 'Asthma (6+)',
  CAN: 'Cancer',
  CHD: 'Coronary heart disease',
  CKD: 'Chronic kidney disease (18+)',
  COPD: 'COPD',
  CVDPP: 'CVD primary prevention',
  DEM: 'Dementia',
  DEP: 'Depression (18+)',
  DM: 'Diabetes (17+)',
  EP: 'Epilepsy (18+)',
  HF: 'Heart failure',
  HYP: 'Hypertension',
  LD: 'Learning disability',
  MH: 'Mental health',
  NDH: 'Non-diabetic hyperglycaemia (18+)',
  OB: 'Obesity (18+)',
  OST: 'Osteoporosis (50+)',
  PAD: 'Peripheral arterial disease',
  PC: 'Palliative care',
  RA: 'Rheumatoid arthritis (16+)',
  SMOK: 'Smoking (15+)',
  STIA: 'Stroke and TIA',
};

/** A ratio to England this far from 1 is flagged. */
export const LOW = 0.8;
export const HIGH = 1.25;

const decimals = (v, d = 2) => (v === null || v === undefined ? '—' : Number(v).toFixed(d));
const percent = (v) => (v === null || v === undefined ? '—' : `${Number(v).toFixed(2)}%`);

/** Load and draw the profile of `code` into `box`; `current()` says whether the panel still wants it. */
export async function renderProfile(code, box, current) {
  box.dataset.loaded = 'false';
  clear(box, h('p', { class: 'hint' }, `Loading the profile of ${code}…`));
  let res;
  try {
    res = await api.get(`/api/networks/${encodeURIComponent(code)}/profile`, { snapshot: state.snapshot });
  } catch (e) {
    if (!current()) return;
    clear(box, h('p', { class: 'error-inline', 'data-testid': 'profile-error' }, `Profile: ${e.message}`));
    box.dataset.loaded = 'error';
    showError(e, `Profile of ${code}`);
    return;
  }
  if (!current()) return;
  const p = res.profile;
  const comm = p.commissioner || 'commissioner';
  const classified = p.registered - p.unclassified_patients;
  clear(
    box,
    h(
      'dl',
      { class: 'facts profile-facts', 'data-testid': 'profile-facts' },
      h('div', {}, h('dt', {}, 'Registered'), h('dd', { 'data-testid': 'profile-registered' }, num(p.registered))),
      h('div', {}, h('dt', { title: 'The latest weighted list of the members that have one' }, 'Weighted (latest)'), h('dd', { 'data-testid': 'profile-weighted' }, p.weighted == null ? '—' : num(p.weighted))),
      h('div', {}, h('dt', {}, 'Practices'), h('dd', { 'data-testid': 'profile-practices' }, num(p.practices))),
      h(
        'div',
        {},
        h('dt', { title: 'Patient-weighted mean IMD 2019 decile (1 = most deprived): network / commissioner / England' }, 'Mean IMD decile'),
        h('dd', { 'data-testid': 'profile-mean-imd' }, decimals(p.mean_imd_decile[0], 1), h('span', { class: 'muted small' }, ` / ${decimals(p.mean_imd_decile[1], 1)} / ${decimals(p.mean_imd_decile[2], 1)}`)),
      ),
    ),
    h('p', { class: 'muted small' }, `Snapshot #${res.snapshot}. Mean IMD decile: network / ${comm} / England. Deprivation and rurality are those of each practice’s nearest LSOA, counted in registered patients.`),
    p.unclassified_patients > 0
      ? h(
          'p',
          { class: 'missing', 'data-testid': 'profile-unclassified' },
          classified > 0
            ? `${num(p.unclassified_patients)} of ${num(p.registered)} patients are at practices with no LSOA class (not located, or no LSOA near): the shares below are of the other ${num(classified)}.`
            : `None of the ${num(p.registered)} patients is at a practice with an LSOA class (the snapshot has no LSOA data, or the practices are not located).`,
        )
      : null,
    promptsSection(res),
    changeSection(code, res, p, current),
    deprivationSection(p),
    ruralitySection(p),
    prevalenceSection(res, p),
    careHomesSection(res, p),
  );
  box.dataset.loaded = 'true';
}

/** A URL with its query (empty values left out). */
function link(path, params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== null && v !== undefined && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}

export const printableUrl = (code, snapshot, against) => link(`/api/networks/${encodeURIComponent(code)}/profile.html`, { snapshot, against });
export const profilesCsvUrl = (snapshot, commissioner) => link('/api/profiles.csv', { snapshot, commissioner });

/** A change-table figure: counts whole with separators, the rest to two decimals (per cent where the measure is). */
export function changeFigure(measure, v) {
  if (v === null || v === undefined) return '—';
  if (COUNTS.includes(measure)) return num(v);
  return `${Number(v).toFixed(2)}${measure.endsWith(' %') ? '%' : ''}`;
}

/** The signed change: "+1,200", "−0.58", "0" (per-cent measures in points). */
export function changeText(measure, v) {
  if (v === null || v === undefined) return '—';
  if (v === 0) return '0';
  const mag = COUNTS.includes(measure) ? num(Math.abs(v)) : Math.abs(v).toFixed(2);
  return `${v > 0 ? '+' : '−'}${mag}${measure.endsWith(' %') ? ' pts' : ''}`;
}

/** The measures that are counts (whole numbers). */
const COUNTS = ['practices', 'registered', 'weighted'];

/** How a measure reads: "HYP prevalence %" → "HYP prevalence (Hypertension)". */
function measureLabel(m) {
  const g = /^(\S+) prevalence %$/.exec(m);
  if (g) return GROUP_NAMES[g[1]] ? `${g[1]} prevalence (${GROUP_NAMES[g[1]]})` : `${g[1]} prevalence`;
  if (m === 'rural share %') return 'Rural share (classes D and E)';
  if (m === 'mean IMD decile') return 'Mean IMD decile';
  return m.charAt(0).toUpperCase() + m.slice(1);
}

const snapLabel = (id) => {
  const s = state.snapshots.find((x) => x.id === id);
  return s ? `${s.as_of} (#${id})` : `#${id}`;
};

function changeTable(c) {
  return h(
    'table',
    { class: 'change-table', 'data-testid': 'profile-change-table', 'data-then': c.then_snapshot, 'data-now': c.now_snapshot },
    h('caption', { class: 'sr-only' }, `${c.network}: snapshot ${snapLabel(c.then_snapshot)} then, ${snapLabel(c.now_snapshot)} now`),
    h(
      'thead',
      {},
      h('tr', {}, h('th', { scope: 'col' }, 'Measure'), h('th', { scope: 'col', class: 'num' }, 'Then', h('span', { class: 'sub' }, snapLabel(c.then_snapshot))), h('th', { scope: 'col', class: 'num' }, 'Now', h('span', { class: 'sub' }, snapLabel(c.now_snapshot))), h('th', { scope: 'col', class: 'num' }, 'Change')),
    ),
    h(
      'tbody',
      {},
      c.rows.map((r) => {
        const sign = r.change === null || r.change === undefined ? 'none' : r.change > 0 ? 'up' : r.change < 0 ? 'down' : 'same';
        return h(
          'tr',
          { 'data-testid': 'profile-change-row', 'data-measure': r.measure, 'data-sign': sign },
          h('th', { scope: 'row' }, measureLabel(r.measure)),
          h('td', { class: 'num', 'data-testid': 'change-then' }, changeFigure(r.measure, r.then)),
          h('td', { class: 'num', 'data-testid': 'change-now' }, changeFigure(r.measure, r.now)),
          h(
            'td',
            { class: `num change-${sign}`, 'data-testid': 'change-value' },
            sign === 'up' || sign === 'down' ? h('span', { class: 'change-arrow', 'aria-hidden': 'true' }, sign === 'up' ? '▲ ' : '▼ ') : null,
            h('span', { 'data-testid': 'change-text' }, changeText(r.measure, r.change)),
            sign === 'up' || sign === 'down' ? h('span', { class: 'sr-only' }, sign === 'up' ? ' (up)' : ' (down)') : null,
          ),
        );
      }),
    ),
  );
}

/** The links (printable page, every profile as CSV) and, with more than one snapshot, the change since another. */
function changeSection(code, res, p, current) {
  const print = h('a', { href: printableUrl(code, res.snapshot), target: '_blank', rel: 'noopener', 'data-testid': 'profile-print' }, 'Printable page');
  const csv = h(
    'a',
    { href: profilesCsvUrl(res.snapshot, p.commissioner), download: '', 'data-testid': 'profile-csv', title: p.commissioner ? `A row per network of ${p.commissioner} in snapshot #${res.snapshot}` : `A row per network in snapshot #${res.snapshot}` },
    'All profiles (CSV)',
  );
  const links = h('p', { class: 'profile-links small' }, print, ' · ', csv);
  const others = state.snapshots.filter((s) => s.id !== res.snapshot);
  if (state.snapshots.length < 2 || !others.length) return h('div', { class: 'profile-part profile-compare' }, links);
  const box = h('div', { 'data-testid': 'profile-change', 'data-state': 'none' });
  const select = h(
    'select',
    { id: `profile-compare-${code}`, 'data-testid': 'profile-compare-select' },
    h('option', { value: '' }, 'No comparison'),
    others.map((s) => h('option', { value: s.id }, `${s.as_of} (#${s.id})`)),
  );
  let asked = 0;
  select.addEventListener('change', async () => {
    const against = select.value ? Number(select.value) : null;
    const mine = ++asked;
    print.href = printableUrl(code, res.snapshot, against);
    if (against === null) {
      clear(box);
      box.dataset.state = 'none';
      return;
    }
    box.dataset.state = 'loading';
    clear(box, h('p', { class: 'hint' }, `Loading the change since ${snapLabel(against)}…`));
    try {
      const r = await api.get(`/api/networks/${encodeURIComponent(code)}/profile`, { snapshot: res.snapshot, against });
      if (!current() || mine !== asked) return;
      clear(box, changeTable(r.change), h('p', { class: 'muted small' }, `Then is snapshot ${snapLabel(against)}, now ${snapLabel(res.snapshot)}; the change is now minus then (prevalence and rural share in percentage points).`));
      box.dataset.state = 'ready';
    } catch (e) {
      if (!current() || mine !== asked) return;
      clear(box, h('p', { class: 'error-inline', 'data-testid': 'profile-change-error' }, `Change: ${e.message}`));
      box.dataset.state = 'error';
    }
  });
  return h(
    'section',
    { class: 'profile-part profile-compare', 'data-testid': 'profile-compare' },
    links,
    h('label', { for: select.id, class: 'small' }, 'Compare with '),
    select,
    box,
  );
}

/** Is there anything to chart in a mix: any share for the network, commissioner or England? */
const anyShare = (rows, key) => rows.some((r) => (r[key] || 0) > 0);

function mixTable(rows, p, label, testid, name) {
  return h(
    'details',
    { class: 'numbers' },
    h('summary', {}, 'The numbers'),
    h(
      'table',
      { class: 'mix', 'data-testid': testid },
      h('caption', { class: 'sr-only' }, label),
      h(
        'thead',
        {},
        h('tr', {}, h('th', { scope: 'col' }, 'Class'), h('th', { scope: 'col', class: 'num' }, 'Patients'), h('th', { scope: 'col', class: 'num' }, p.network), h('th', { scope: 'col', class: 'num' }, p.commissioner || 'Commissioner'), h('th', { scope: 'col', class: 'num' }, 'England')),
      ),
      h(
        'tbody',
        {},
        rows.map((r) =>
          h('tr', { 'data-class': r.class }, h('th', { scope: 'row' }, name(r.class)), h('td', { class: 'num' }, num(r.patients)), h('td', { class: 'num' }, pct(r.share)), h('td', { class: 'num' }, pct(r.commissioner_share)), h('td', { class: 'num' }, pct(r.england_share))),
        ),
      ),
    ),
  );
}

function deprivationSection(p) {
  const rows = [...p.deprivation].sort((a, b) => Number(a.class) - Number(b.class));
  const known = anyShare(rows, 'share') || anyShare(rows, 'commissioner_share') || anyShare(rows, 'england_share');
  return h(
    'section',
    { class: 'profile-part', 'data-testid': 'profile-deprivation' },
    h('h4', {}, 'Deprivation'),
    known
      ? [
          h('div', { class: 'chart-box' }, decileChart(rows, { network: p.network, commissioner: p.commissioner })),
          mixTable(rows, p, 'Patients by IMD 2019 decile (1 = most deprived)', 'profile-deprivation-table', (c) => `Decile ${c}${c === '1' ? ' (most deprived)' : c === '10' ? ' (least deprived)' : ''}`),
        ]
      : h('p', { class: 'muted', 'data-testid': 'profile-deprivation-none' }, 'No IMD deciles: this snapshot has no LSOA data for the practices.'),
  );
}

function ruralitySection(p) {
  const order = RUC.map((r) => r.class);
  const rows = [...p.rurality].sort((a, b) => order.indexOf(a.class) - order.indexOf(b.class));
  const bars = [
    { label: p.network, key: 'share' },
    { label: p.commissioner ? `${p.commissioner} (comm.)` : 'Commissioner', key: 'commissioner_share' },
    { label: 'England', key: 'england_share' },
  ].map((b) => ({ ...b, known: anyShare(rows, b.key) }));
  const known = bars.some((b) => b.known);
  const present = new Set(rows.filter((r) => r.share > 0 || r.commissioner_share > 0 || r.england_share > 0).map((r) => r.class));
  return h(
    'section',
    { class: 'profile-part', 'data-testid': 'profile-rurality' },
    h('h4', {}, 'Rurality'),
    known
      ? [
          h(
            'p',
            { class: 'small', 'data-testid': 'profile-rural-share' },
            'Rural (classes D and E): ',
            h('strong', {}, pct(p.rural_share[0])),
            ` of ${p.network}’s patients; ${pct(p.rural_share[1])} in ${p.commissioner || 'its commissioner'}, ${pct(p.rural_share[2])} in England.`,
          ),
          h('div', { class: 'chart-box' }, rurality(rows, bars)),
          h(
            'ul',
            { class: 'chart-legend', 'aria-label': 'Rural-urban classes' },
            RUC.filter((r) => present.has(r.class)).map((r) => h('li', {}, h('span', { class: 'key-box', style: `background:${r.colour}` }), h('b', {}, r.class), ` ${r.name}`)),
          ),
          mixTable(rows, p, 'Patients by rural-urban class', 'profile-rurality-table', (c) => `${c} ${(RUC.find((r) => r.class === c) || {}).name || ''}`),
        ]
      : h('p', { class: 'muted', 'data-testid': 'profile-rurality-none' }, 'No rural-urban classes: this snapshot has no LSOA data for the practices.'),
  );
}

function ratioCell(r) {
  if (r === null || r === undefined) return h('td', { class: 'num ratio' }, '—');
  const far = r < LOW ? 'low' : r > HIGH ? 'high' : null;
  return h(
    'td',
    { class: 'num ratio', 'data-testid': 'prevalence-ratio', 'data-far': far },
    h(
      'span',
      { class: far ? `ratio-badge ratio-${far}` : 'ratio-plain', title: far ? `${far === 'low' ? 'Well below' : 'Well above'} England (ratio ${r < LOW ? `under ${LOW}` : `over ${HIGH}`})` : 'Ratio to England' },
      `${decimals(r)}×`,
    ),
    far ? h('span', { class: 'sr-only' }, far === 'low' ? ' well below England' : ' well above England') : null,
  );
}

function prevalenceRow(g, p) {
  const name = GROUP_NAMES[g.group];
  return h(
    'tr',
    { 'data-testid': 'prevalence-row', 'data-group': g.group },
    h('th', { scope: 'row' }, h('abbr', { title: name || g.group }, g.group), name ? h('span', { class: 'group-name' }, name) : null),
    h('td', { class: 'num' }, h('strong', {}, percent(g.percent)), h('span', { class: 'sub', title: 'register / list counted against' }, `${num(g.register)} / ${num(g.list)}`)),
    h('td', { class: 'num' }, percent(g.commissioner_percent)),
    h('td', { class: 'num' }, percent(g.england_percent)),
    h('td', { class: 'plot' }, dotPlot({ group: g.group, network: g.percent, commissioner: g.commissioner_percent, england: g.england_percent }, { network: p.network, commissioner: p.commissioner || 'commissioner' }, [LOW, HIGH])),
    ratioCell(g.ratio_to_england),
  );
}

function prevalenceSection(res, p) {
  const head = h('h4', {}, 'QOF prevalence');
  if (!res.qof_registers) {
    return h('section', { class: 'profile-part', 'data-testid': 'profile-prevalence' }, head, h('p', { class: 'muted', 'data-testid': 'profile-prevalence-none' }, 'No QOF prevalence: this snapshot has no QOF registers (import the QOF prevalence files to see it).'));
  }
  if (!p.prevalence.length) {
    return h('section', { class: 'profile-part', 'data-testid': 'profile-prevalence' }, head, h('p', { class: 'muted', 'data-testid': 'profile-prevalence-none' }, `No QOF registers for ${p.network}’s practices in this snapshot.`));
  }
  const main = MAIN_GROUPS.map((c) => p.prevalence.find((g) => g.group === c)).filter(Boolean);
  const rest = p.prevalence.filter((g) => !MAIN_GROUPS.includes(g.group)).sort((a, b) => a.group.localeCompare(b.group));
  const far = p.prevalence.filter((g) => g.ratio_to_england != null && (g.ratio_to_england < LOW || g.ratio_to_england > HIGH));
  const restBody = h('tbody', { id: `prevalence-rest-${p.network}`, 'data-testid': 'prevalence-rest', hidden: true }, rest.map((g) => prevalenceRow(g, p)));
  const toggle = rest.length
    ? h('button', { type: 'button', class: 'link small', 'aria-expanded': 'false', 'aria-controls': restBody.id, 'data-testid': 'prevalence-more' }, `Show ${rest.length} more group${rest.length === 1 ? '' : 's'}`)
    : null;
  if (toggle) {
    toggle.addEventListener('click', () => {
      const open = restBody.hidden;
      restBody.hidden = !open;
      toggle.setAttribute('aria-expanded', String(open));
      toggle.textContent = open ? 'Show the main groups only' : `Show ${rest.length} more group${rest.length === 1 ? '' : 's'}`;
    });
  }
  return h(
    'section',
    { class: 'profile-part', 'data-testid': 'profile-prevalence' },
    head,
    h(
      'p',
      { class: 'small muted' },
      'Register over the list QOF counts it against. Plot, from half to twice England’s: ',
      h('span', { class: 'legend-dot', style: `background:${COLOURS.network}` }),
      ` ${p.network}, `,
      h('span', { class: 'legend-ring', style: `border-color:${COLOURS.commissioner}` }),
      ` ${p.commissioner || 'commissioner'}, `,
      h('span', { class: 'legend-tick', style: `background:${COLOURS.england}` }),
      ' England. Ratios to England under ',
      String(LOW),
      ' or over ',
      String(HIGH),
      ' are highlighted',
      far.length ? ` (${far.length} here).` : ' (none here).',
    ),
    h(
      'table',
      { class: 'prevalence', 'data-testid': 'prevalence-table' },
      h('caption', { class: 'sr-only' }, `QOF prevalence of ${p.network} beside ${p.commissioner || 'its commissioner'} and England`),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', { scope: 'col' }, 'Group'),
          h('th', { scope: 'col', class: 'num' }, p.network),
          h('th', { scope: 'col', class: 'num' }, p.commissioner || 'Comm.'),
          h('th', { scope: 'col', class: 'num' }, 'England'),
          h('th', { scope: 'col', class: 'plot-head', title: 'Against England’s prevalence (the red tick), from half to twice it; the shaded band is 0.8× to 1.25×' }, h('span', { 'aria-hidden': 'true' }, '½×', h('span', {}, '1×'), '2×'), h('span', { class: 'sr-only' }, 'Plot against England')),
          h('th', { scope: 'col', class: 'num', title: 'Network prevalence over England’s' }, '×Eng.'),
        ),
      ),
      h('tbody', { 'data-testid': 'prevalence-main' }, main.map((g) => prevalenceRow(g, p))),
      restBody,
    ),
    toggle,
  );
}

/** What the profile suggests the network look at (CVD case-finding, care-home alignment gaps). */
function promptsSection(res) {
  const list = res.prompts || [];
  if (!list.length) return null;
  const names = { 'cvd.case-finding': 'CVD case-finding', 'ehch.alignment-gap': 'Care-home alignment' };
  return h(
    'section',
    { class: 'profile-part profile-prompts', 'data-testid': 'profile-prompts' },
    h('h4', {}, 'Prompts'),
    h(
      'ul',
      { class: 'prompts' },
      list.map((x) => h('li', { 'data-testid': 'profile-prompt', 'data-id': x.id }, h('strong', {}, `${names[x.id] || x.id}: `), x.message)),
    ),
  );
}

/** The CQC care homes nearest the network's practices: beds per 1,000 against the commissioner and England, the premium paid, and the homes. */
function careHomesSection(res, p) {
  const c = res.care_homes;
  const head = h('h4', {}, 'Care homes');
  if (!c) {
    return h('section', { class: 'profile-part', 'data-testid': 'profile-care-homes' }, head, h('p', { class: 'muted', 'data-testid': 'profile-care-homes-none' }, 'No care homes: this snapshot has no CQC directory (import the HSCA active locations file to see them).'));
  }
  const per = c.beds_per_1000;
  const show = h('button', { type: 'button', class: 'secondary small', 'data-testid': 'care-homes-show', disabled: !c.list.length }, 'Show on the map');
  show.addEventListener('click', () => emit('show-care-homes', { network: p.network, homes: c.list }));
  return h(
    'section',
    { class: 'profile-part', 'data-testid': 'profile-care-homes' },
    head,
    h(
      'p',
      { class: 'small', 'data-testid': 'care-homes-summary' },
      h('strong', {}, `${num(c.homes)} care home${c.homes === 1 ? '' : 's'}, ${num(c.beds)} beds`),
      ` (${num(c.nursing_beds)} with nursing) ${c.homes === 1 ? 'is' : 'are'} nearest ${p.network}’s practices. This estimates the homes it would align under Enhanced Health in Care Homes; alignments are agreed locally and may differ.`,
    ),
    h(
      'div',
      { class: 'chart-box' },
      bedsChart([
        { label: p.network, value: per[0], key: 'network' },
        { label: p.commissioner ? `${p.commissioner} (comm.)` : 'Commissioner', value: per[1], key: 'commissioner' },
        { label: 'England', value: per[2], key: 'england' },
      ]),
    ),
    c.premium_paid.length
      ? h('p', { class: 'small', 'data-testid': 'care-homes-premium' }, 'Care Home Premium paid: ', c.premium_paid.map((x, i) => [i ? '; ' : '', h('strong', {}, pounds(x.paid)), ` for ${x.year}`]))
      : null,
    show,
    c.list.length
      ? h(
          'details',
          { class: 'numbers' },
          h('summary', {}, `The ${c.list.length} home${c.list.length === 1 ? '' : 's'}`),
          h(
            'table',
            { class: 'mix', 'data-testid': 'care-homes-table' },
            h('caption', { class: 'sr-only' }, `Care homes nearest ${p.network}’s practices`),
            h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Care home'), h('th', { scope: 'col', class: 'num' }, 'Beds'), h('th', { scope: 'col' }, 'Nursing'), h('th', { scope: 'col' }, 'Nearest practice'), h('th', { scope: 'col', class: 'num' }, 'km'))),
            h(
              'tbody',
              {},
              c.list.map((x) =>
                h('tr', { 'data-testid': 'care-home-row', 'data-id': x.location_id }, h('th', { scope: 'row' }, x.name, h('span', { class: 'sub' }, x.postcode || '')), h('td', { class: 'num' }, num(x.beds)), h('td', {}, x.nursing ? 'yes' : 'no'), h('td', {}, x.nearest_practice), h('td', { class: 'num' }, Number(x.distance_km).toFixed(1))),
              ),
            ),
          ),
        )
      : null,
  );
}
