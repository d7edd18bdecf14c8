// Small charts as inline SVG, drawn here (no chart library): the IMD decile distribution of a network
// beside its commissioner and England, a stacked rurality bar per area, and a dot plot of a network's
// prevalence against its commissioner's and England's. Every chart is an image with a <title> and a
// <desc>, every mark has its own <title> (a tooltip, and read out by screen readers); the numbers are
// also in tables next to the charts.

const NS = 'http://www.w3.org/2000/svg';
let uid = 0;

/** An SVG element: s('rect', {x: 1, ...}, child, 'text'). */
export function s(tag, attrs = {}, ...children) {
  const el = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === 'text') el.textContent = v;
    else el.setAttribute(k, String(v));
  }
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

const title = (t) => s('title', {}, t);

/** An accessible chart: <svg role="img"> labelled by its <title> and described by its <desc>. */
function chart(width, height, label, desc, testid, cls) {
  const id = `chart-${++uid}`;
  return s(
    'svg',
    {
      xmlns: NS,
      viewBox: `0 0 ${width} ${height}`,
      width,
      height,
      role: 'img',
      class: `chart ${cls || ''}`,
      'aria-labelledby': `${id}-t`,
      'aria-describedby': desc ? `${id}-d` : null,
      'data-testid': testid,
      preserveAspectRatio: 'xMinYMin meet',
    },
    s('title', { id: `${id}-t` }, label),
    desc ? s('desc', { id: `${id}-d` }, desc) : null,
  );
}

/** Per cent of a fraction: 0.1234 → "12.3%". */
export function pct(f, digits = 1) {
  if (f === null || f === undefined || Number.isNaN(f)) return '—';
  return `${(f * 100).toFixed(digits)}%`;
}

/** A round axis for values up to `max`: a step of 1, 2, 2.5 or 5 × 10^k, about four of them. */
function niceAxis(max) {
  if (!(max > 0)) return { top: 1, step: 0.25 };
  const raw = max / 4;
  const p = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * p).find((v) => v >= raw - 1e-12);
  return { top: Math.ceil(max / step - 1e-9) * step, step };
}

export const COLOURS = {
  network: '#005eb8',
  commissioner: '#1f2a37',
  england: '#d5281b',
};

/**
 * The IMD decile distribution: a bar per decile for the network, a line across it for the
 * commissioner and a diamond for England. `rows` are the API's deprivation rows (class "1".."10").
 */
export function decileChart(rows, { network, commissioner }) {
  const W = 420;
  const H = 188;
  const m = { l: 36, r: 8, t: 10, b: 44 };
  const pw = W - m.l - m.r;
  const ph = H - m.t - m.b;
  const { top, step } = niceAxis(Math.max(...rows.flatMap((r) => [r.share, r.commissioner_share, r.england_share])));
  const y = (f) => m.t + ph - (Math.min(f, top) / top) * ph;
  const gw = pw / rows.length;
  const svg = chart(
    W,
    H,
    `Patients by IMD 2019 decile: ${network} beside ${commissioner || 'its commissioner'} and England`,
    'Bars: the network’s share of its patients in each decile of deprivation (1 = most deprived). Line: the commissioner’s share. Diamond: England’s share.',
    'profile-deprivation-chart',
    'chart-deciles',
  );
  const axis = s('g', { class: 'axis' });
  const ticks = Math.round(top / step);
  for (let i = 0; i <= ticks; i++) {
    const v = step * i;
    const yy = y(v);
    axis.append(
      s('line', { x1: m.l, x2: W - m.r, y1: yy, y2: yy, class: i ? 'grid' : 'base' }),
      s('text', { x: m.l - 4, y: yy + 3.5, 'text-anchor': 'end' }, `${Math.round(v * 10000) / 100}%`),
    );
  }
  svg.append(axis);
  rows.forEach((r, i) => {
    const gx = m.l + i * gw;
    const tip = `Decile ${r.class}${r.class === '1' ? ' (most deprived)' : r.class === '10' ? ' (least deprived)' : ''}: ${network} ${pct(r.share)} (${Number(r.patients).toLocaleString('en-GB')} patients), ${commissioner || 'commissioner'} ${pct(r.commissioner_share)}, England ${pct(r.england_share)}`;
    const bw = gw * 0.56;
    const bx = gx + (gw - bw) / 2;
    const cy = y(r.commissioner_share);
    const ey = y(r.england_share);
    const d = 4.5;
    svg.append(
      s(
        'g',
        { class: 'decile', 'data-decile': r.class },
        title(tip),
        // The whole column is the hover target, so small bars are easy to point at.
        s('rect', { x: gx, y: m.t, width: gw, height: ph, class: 'hit' }),
        s('rect', { x: bx, y: y(r.share), width: bw, height: Math.max(0, m.t + ph - y(r.share)), class: 'bar', fill: COLOURS.network }),
        s('line', { x1: gx + gw * 0.1, x2: gx + gw * 0.9, y1: cy, y2: cy, class: 'mark-commissioner', stroke: COLOURS.commissioner }),
        s('path', { d: `M${gx + gw / 2} ${ey - d}l${d} ${d}l${-d} ${d}l${-d} ${-d}z`, class: 'mark-england', fill: COLOURS.england }),
        s('text', { x: gx + gw / 2, y: m.t + ph + 13, 'text-anchor': 'middle', class: 'tick' }, r.class),
      ),
    );
  });
  svg.append(
    s('text', { x: m.l, y: H - 16, class: 'axis-note' }, '← most deprived'),
    s('text', { x: W - m.r, y: H - 16, 'text-anchor': 'end', class: 'axis-note' }, 'least deprived →'),
    s('text', { x: m.l + pw / 2, y: H - 16, 'text-anchor': 'middle', class: 'axis-note' }, 'IMD 2019 decile'),
  );
  // Legend.
  const lg = s('g', { class: 'legend', transform: `translate(${m.l}, ${H - 4})` });
  lg.append(
    s('rect', { x: 0, y: -8, width: 10, height: 9, fill: COLOURS.network }),
    s('text', { x: 14, y: 0 }, network),
    s('line', { x1: 80, x2: 96, y1: -4, y2: -4, class: 'mark-commissioner', stroke: COLOURS.commissioner }),
    s('text', { x: 100, y: 0 }, commissioner ? `commissioner ${commissioner}` : 'commissioner'),
    s('path', { d: 'M226 -8.5l4.5 4.5l-4.5 4.5l-4.5 -4.5z', class: 'mark-england', fill: COLOURS.england }),
    s('text', { x: 235, y: 0 }, 'England'),
  );
  svg.append(lg);
  return svg;
}

/** ONS 2011 rural-urban classes of LSOAs, urban first, with a colour each (urban blues, rural greens). */
export const RUC = [
  { class: 'A1', name: 'Urban major conurbation', colour: '#1d3f7a' },
  { class: 'B1', name: 'Urban minor conurbation', colour: '#3566b0' },
  { class: 'C1', name: 'Urban city and town', colour: '#6c9ad6' },
  { class: 'C2', name: 'Urban city and town, sparse setting', colour: '#a9c6ec' },
  { class: 'D1', name: 'Rural town and fringe', colour: '#c98a12' },
  { class: 'D2', name: 'Rural town and fringe, sparse setting', colour: '#ecc46c' },
  { class: 'E1', name: 'Rural village and dispersed', colour: '#2f7d3a' },
  { class: 'E2', name: 'Rural village and dispersed, sparse setting', colour: '#8cc68a' },
];
const rucInfo = (c) => RUC.find((r) => r.class === c) || { class: c, name: c, colour: '#999' };

/**
 * The rurality mix: one stacked bar per area (network, commissioner, England), a segment per class.
 * `bars` = [{label, key: 'share'|'commissioner_share'|'england_share', known: bool}].
 */
export function rurality(rows, bars) {
  const W = 420;
  const lw = 96;
  const bh = 20;
  const gap = 9;
  const H = bars.length * (bh + gap) + 4;
  const pw = W - lw - 6;
  const svg = chart(
    W,
    H,
    `Patients by rural-urban class: ${bars.map((b) => b.label).join(', ')}`,
    'One bar per area, split by the ONS 2011 rural-urban class of the practices’ nearest LSOA: urban classes (A, B, C) in blues, rural (D, E) in amber and greens.',
    'profile-rurality-chart',
    'chart-rurality',
  );
  bars.forEach((b, i) => {
    const y0 = 2 + i * (bh + gap);
    const g = s('g', { class: 'rural-bar', 'data-area': b.key });
    g.append(s('text', { x: lw - 6, y: y0 + bh / 2 + 4, 'text-anchor': 'end', class: 'bar-label' }, b.label));
    if (!b.known) {
      g.append(
        s('rect', { x: lw, y: y0, width: pw, height: bh, class: 'unknown' }, title(`${b.label}: no practice has a rural-urban class`)),
        s('text', { x: lw + pw / 2, y: y0 + bh / 2 + 4, 'text-anchor': 'middle', class: 'seg-label dark' }, 'not known'),
      );
    } else {
      let x = lw;
      const total = rows.reduce((a, r) => a + (r[b.key] || 0), 0) || 1;
      for (const r of rows) {
        const f = (r[b.key] || 0) / total; // shares are rounded to 4 places: rescale so the bar is full
        if (f <= 0) continue;
        const w = f * pw;
        const info = rucInfo(r.class);
        const seg = s(
          'g',
          { class: 'seg', 'data-class': r.class },
          title(`${b.label}: ${r.class} ${info.name} ${pct(r[b.key])}${b.key === 'share' ? ` (${Number(r.patients).toLocaleString('en-GB')} patients)` : ''}`),
          s('rect', { x, y: y0, width: Math.max(w, 0.5), height: bh, fill: info.colour }),
        );
        if (w >= 34) {
          const dark = ['C2', 'D2', 'E2'].includes(r.class);
          seg.append(s('text', { x: x + w / 2, y: y0 + bh / 2 + 4, 'text-anchor': 'middle', class: `seg-label${dark ? ' dark' : ''}` }, w >= 62 ? `${r.class} ${pct(r[b.key], 0)}` : r.class));
        }
        g.append(seg);
        x += w;
      }
    }
    svg.append(g);
  });
  return svg;
}

/** The ratio scale of the prevalence dot plots: from half to twice England's, England in the middle. */
export const RATIO_MIN = 0.5;
export const RATIO_MAX = 2;

/**
 * A one-line dot plot of a prevalence against England's, on a log scale of the ratio (½× to 2×,
 * the same for every row so that rows compare): England the red tick in the middle, the band of
 * ordinary ratios (`band`, e.g. [0.8, 1.25]) shaded, the commissioner a ring, the network a dot.
 * Ratios beyond the scale sit at its end as an arrow.
 */
export function dotPlot({ group, network, commissioner, england }, labels, band = [0.8, 1.25]) {
  const W = 84;
  const H = 22;
  const pad = 6;
  const lo = Math.log(RATIO_MIN);
  const hi = Math.log(RATIO_MAX);
  const x = (ratio) => pad + ((Math.log(Math.min(Math.max(ratio, RATIO_MIN), RATIO_MAX)) - lo) / (hi - lo)) * (W - 2 * pad);
  const f = (v) => (v === null || v === undefined ? '—' : `${v.toFixed(2)}%`);
  const r = (v) => (v === null || v === undefined || !england ? null : v / england);
  const svg = chart(
    W,
    H,
    `${group} prevalence: ${labels.network} ${f(network)}, ${labels.commissioner} ${f(commissioner)}, England ${f(england)}`,
    'On a scale from half to twice England’s prevalence.',
    'prevalence-plot',
    'chart-dots',
  );
  svg.append(
    s('rect', { x: x(band[0]), y: 4, width: x(band[1]) - x(band[0]), height: H - 8, class: 'band' }),
    s('line', { x1: pad, x2: W - pad, y1: H / 2, y2: H / 2, class: 'track' }),
  );
  if (england) svg.append(s('line', { x1: x(1), x2: x(1), y1: 2, y2: H - 2, class: 'mark-england', stroke: COLOURS.england }, title(`England ${f(england)}`)));
  const beyond = (ratio) => ratio < RATIO_MIN || ratio > RATIO_MAX;
  const arrow = (ratio, cls, colour, tip) => {
    const xx = x(ratio);
    const d = ratio < RATIO_MIN ? `M${xx - 4} ${H / 2}l6 -4.5v9z` : `M${xx + 4} ${H / 2}l-6 -4.5v9z`;
    return s('path', { d, class: cls, fill: colour }, title(tip));
  };
  const rc = r(commissioner);
  if (rc != null) {
    const tip = `${labels.commissioner} ${f(commissioner)} (${rc.toFixed(2)}× England)`;
    svg.append(beyond(rc) ? arrow(rc, 'mark-commissioner-dot', COLOURS.commissioner, tip) : s('circle', { cx: x(rc), cy: H / 2, r: 4.3, class: 'mark-commissioner-dot', stroke: COLOURS.commissioner }, title(tip)));
  }
  const rn = r(network);
  if (rn != null) {
    const tip = `${labels.network} ${f(network)} (${rn.toFixed(2)}× England)`;
    svg.append(beyond(rn) ? arrow(rn, 'mark-network', COLOURS.network, tip) : s('circle', { cx: x(rn), cy: H / 2, r: 3.4, fill: COLOURS.network, class: 'mark-network' }, title(tip)));
  }
  return svg;
}

/**
 * Beds per 1,000 registered patients: one horizontal bar per area (network, commissioner, England),
 * on one scale. `bars` = [{label, value (null when not known), key}].
 */
export function bedsChart(bars) {
  const W = 420;
  const lw = 96;
  const bh = 18;
  const gap = 8;
  const H = bars.length * (bh + gap) + 4;
  const pw = W - lw - 54;
  const top = niceAxis(Math.max(...bars.map((b) => b.value || 0))).top;
  const svg = chart(
    W,
    H,
    `Care home beds per 1,000 registered patients: ${bars.map((b) => `${b.label} ${b.value == null ? 'not known' : b.value.toFixed(1)}`).join(', ')}`,
    'One bar per area: beds in the CQC-registered care homes nearest its practices, per 1,000 patients on its lists.',
    'profile-beds-chart',
    'chart-beds',
  );
  bars.forEach((b, i) => {
    const y0 = 2 + i * (bh + gap);
    const g = s('g', { class: 'beds-bar', 'data-area': b.key });
    g.append(s('text', { x: lw - 6, y: y0 + bh / 2 + 4, 'text-anchor': 'end', class: 'bar-label' }, b.label));
    const w = b.value == null ? 0 : (b.value / top) * pw;
    g.append(
      s('rect', { x: lw, y: y0, width: Math.max(w, 0.5), height: bh, fill: COLOURS[b.key] || COLOURS.network }, title(`${b.label}: ${b.value == null ? 'not known' : `${b.value.toFixed(1)} beds per 1,000 patients`}`)),
      s('text', { x: lw + w + 4, y: y0 + bh / 2 + 4, class: 'seg-label dark' }, b.value == null ? '—' : b.value.toFixed(1)),
    );
    svg.append(g);
  });
  return svg;
}
