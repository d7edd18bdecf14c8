// The search box: practices and networks by code or name; choosing one zooms to it and opens its
// network in the panel.

import * as api from './api.js';
import { h, clear, num } from './fmt.js';
import { state, emit, showError } from './state.js';

export function initSearch() {
  const input = document.getElementById('search-input');
  const list = document.getElementById('search-results');
  let timer = null;
  let seq = 0;
  let items = [];
  let active = -1;

  const close = () => {
    list.hidden = true;
    input.setAttribute('aria-expanded', 'false');
    active = -1;
  };
  const choose = (item) => {
    close();
    input.value = item.code;
    if (item.kind === 'network') emit('open-network', { code: item.code, zoom: true });
    else emit('open-practice', item);
  };
  const mark = () => {
    [...list.children].forEach((li, i) => li.setAttribute('aria-selected', String(i === active)));
    if (active >= 0 && list.children[active]) input.setAttribute('aria-activedescendant', list.children[active].id);
  };

  async function run(q) {
    const mine = ++seq;
    try {
      const [nets, pracs] = await Promise.all([
        api.get('/api/networks', { q, per_page: 8, snapshot: state.snapshot }),
        api.get('/api/practices', { q, per_page: 8, snapshot: state.snapshot }),
      ]);
      if (mine !== seq) return;
      items = [
        ...pracs.items.map((p) => ({ ...p, kind: 'practice' })),
        ...nets.items.map((n) => ({ ...n, kind: 'network' })),
      ];
      // Exact code matches first.
      const uq = q.toUpperCase();
      items.sort((a, b) => (b.code === uq) - (a.code === uq));
      active = items.length ? 0 : -1;
      clear(
        list,
        items.length
          ? items.map((it, i) =>
              h(
                'li',
                {
                  id: `search-opt-${i}`,
                  role: 'option',
                  'data-testid': 'search-result',
                  'data-kind': it.kind,
                  'data-code': it.code,
                  onmousedown: (e) => {
                    e.preventDefault();
                    choose(it);
                  },
                },
                h('span', { class: `kind kind-${it.kind}` }, it.kind === 'network' ? 'Network' : 'Practice'),
                h('strong', {}, it.code),
                ' ',
                it.name || '',
                h(
                  'span',
                  { class: 'muted' },
                  it.kind === 'network'
                    ? ` · ${num(it.practices)} practices · ${num(it.registered)} patients`
                    : ` · ${it.network || 'no network'} · list ${num(it.registered)}`,
                ),
              ),
            )
          : h('li', { class: 'muted', role: 'option', 'aria-disabled': 'true' }, `Nothing matches “${q}”.`),
      );
      const more = pracs.total + nets.total - items.length;
      if (more > 0) list.append(h('li', { class: 'muted more', 'aria-disabled': 'true' }, `${num(more)} more: type more of the code or name.`));
      list.hidden = false;
      input.setAttribute('aria-expanded', 'true');
      mark();
    } catch (e) {
      if (mine === seq) showError(e, 'Search');
    }
  }

  input.addEventListener('input', () => {
    clearTimeout(timer);
    const q = input.value.trim();
    if (q.length < 2) {
      close();
      return;
    }
    timer = setTimeout(() => run(q), 180);
  });
  input.addEventListener('keydown', (e) => {
    if (e.key === 'ArrowDown' && items.length) {
      active = Math.min(items.length - 1, active + 1);
      mark();
      e.preventDefault();
    } else if (e.key === 'ArrowUp' && items.length) {
      active = Math.max(0, active - 1);
      mark();
      e.preventDefault();
    } else if (e.key === 'Enter') {
      e.preventDefault();
      if (!list.hidden && items[active]) choose(items[active]);
    } else if (e.key === 'Escape') {
      close();
    }
  });
  input.addEventListener('blur', () => setTimeout(close, 150));
}
