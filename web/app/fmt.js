// Formatting and small DOM helpers shared by the app's modules.

/** Integer pence to "£1,234.56", exact (no floating point on the amount). */
export function pounds(pence) {
  if (pence === null || pence === undefined) return '—';
  const p = BigInt(pence);
  const neg = p < 0n;
  const abs = neg ? -p : p;
  const whole = (abs / 100n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const frac = (abs % 100n).toString().padStart(2, '0');
  return `${neg ? '−' : ''}£${whole}.${frac}`;
}

/** A signed change in pence: "+£12.00", "−£3.50", "£0.00". */
export function deltaPounds(pence) {
  const p = BigInt(pence);
  return p > 0n ? `+${pounds(p)}` : pounds(p);
}

export function num(n) {
  if (n === null || n === undefined) return '—';
  return Number(n).toLocaleString('en-GB');
}

export function signed(n) {
  return n > 0 ? `+${num(n)}` : n < 0 ? `−${num(-n)}` : '0';
}

/** Build an element: h('div', {class: 'x', 'data-testid': 'y', onclick: f}, child, 'text', ...). */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else if (k === 'text') el.textContent = v;
    else if (v === true) el.setAttribute(k, '');
    else el.setAttribute(k, String(v));
  }
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

export function clear(el, ...children) {
  el.replaceChildren(...children.flat(Infinity).filter((c) => c !== null && c !== undefined && c !== false));
  return el;
}

export function severityBadge(sev) {
  return h('span', { class: `sev sev-${sev}`, title: sev }, sev);
}

/** A human name for a funding stream id such as "core_pcn_funding". */
export function streamLabel(s) {
  const t = String(s)
    .replace(/[_-]+/g, ' ')
    .replace(/\b(arrs|pcn|des|iif|wte|gp|qof|ccg|icb)\b/gi, (w) => w.toUpperCase());
  return t.charAt(0).toUpperCase() + t.slice(1);
}

export function today() {
  return new Date().toISOString().slice(0, 10);
}

/** The first day of next month, ISO: the usual effective date of a membership change. */
export function firstOfNextMonth() {
  const d = new Date();
  const n = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1));
  return n.toISOString().slice(0, 10);
}
