// Proposals: the open ones (or approved / rejected), with Approve and Reject for commissioners.

import * as api from './api.js';
import { h, clear, severityBadge } from './fmt.js';
import { emit, showError, clearError, isCommissioner, mayDecide } from './state.js';

let seq = 0;

export function initProposals() {
  document.getElementById('proposals-status').addEventListener('change', loadProposals);
  document.getElementById('proposals-refresh').addEventListener('click', loadProposals);
}

export async function loadProposals() {
  const list = document.getElementById('proposals-list');
  const status = document.getElementById('proposals-status').value;
  const mine = ++seq;
  list.dataset.loaded = 'false';
  let res;
  try {
    res = await api.get('/api/proposals', { status });
  } catch (e) {
    if (mine !== seq) return;
    clear(list, h('li', { class: 'error-inline' }, e.message));
    showError(e, 'Proposals');
    return;
  }
  if (mine !== seq) return;
  const items = res.items || [];
  list.dataset.count = String(items.length);
  const note =
    status === 'open' && items.length && !isCommissioner()
      ? h('li', { class: 'hint', 'data-testid': 'proposals-note' }, 'Open proposals are approved or rejected by the commissioner of their area.')
      : null;
  clear(list, note, items.length ? items.map(row) : h('li', { class: 'muted', 'data-testid': 'proposals-empty' }, `No ${status} proposals.`));
  list.dataset.loaded = 'true';
}

function describe(p) {
  const b = p.proposal || {};
  const kind = b.kind || b.proposal || p.action;
  if (kind === 'join' && b.practice) return `${b.practice} joins ${b.network || p.network}`;
  if (kind === 'leave' && b.practice) return `${b.practice} leaves ${b.network || p.network}`;
  return `${kind || 'proposal'} · ${p.network}`;
}

function row(p) {
  const out = h('div', { class: 'decision-out', 'data-testid': 'decision-result', 'aria-live': 'polite' });
  const reason = h('input', { 'data-testid': 'decision-reason', placeholder: 'Reason for the decision', 'aria-label': `Reason for deciding on proposal ${p.id}` });
  const decide = async (approve, accept_findings) => {
    const body = { approve, reason: reason.value.trim() || (approve ? 'Approved' : 'Rejected') };
    if (accept_findings) body.accept_findings = true;
    clear(out, h('span', { class: 'hint' }, approve ? 'Approving…' : 'Rejecting…'));
    try {
      const r = await api.post(`/api/proposals/${p.id}/decision`, body);
      clearError();
      const waiting = r.awaiting && r.awaiting.length ? ` Agreed by ${r.agreed.join(', ')}; it now awaits the commissioner of ${r.awaiting.join(', ')}.` : '';
      clear(out, h('span', { class: 'good' }, `Proposal #${r.id} is ${waiting ? 'still open' : `now ${r.status}`}.${waiting}`));
      emit('proposals-changed');
      emit('config-changed');
    } catch (e) {
      // Refused for new rule errors: the commissioner may approve accepting them (they are recorded).
      if (e.status === 409 && approve && !accept_findings && /new errors|accept/i.test(e.message)) {
        clear(
          out,
          h('p', { class: 'bad', 'data-testid': 'decision-conflict' }, e.message),
          h('button', { type: 'button', class: 'danger small', 'data-testid': 'approve-accepting', onclick: () => decide(true, true) }, 'Approve anyway, accepting these findings'),
        );
        // Shown right here with what to do next; no banner needed.
        return;
      }
      clear(out, h('span', { class: 'bad' }, e.message));
      showError(e, `Decision on proposal #${p.id}`);
    }
  };
  // Offered only to whoever the proposal still needs: an admin, or a commissioner of a network it
  // touches who has not yet agreed.
  const approvers = p.approvers || [];
  const agreed = p.agreed || [];
  const canDecide = p.status === 'open' && mayDecide(approvers, agreed);
  const awaiting = approvers.filter((c) => !agreed.includes(c));
  return h(
    'li',
    { class: `proposal proposal-${p.status}`, 'data-testid': 'proposal', 'data-id': p.id, 'data-status': p.status },
    h(
      'div',
      { class: 'proposal-head' },
      h('strong', {}, `#${p.id}`),
      ' ',
      h('button', { type: 'button', class: 'link', onclick: () => p.network && emit('open-network', { code: p.network, zoom: true }) }, describe(p)),
      h('span', { class: `status status-${p.status}`, 'data-testid': 'proposal-status' }, p.status),
    ),
    h('div', { class: 'muted' }, `effective ${p.effective || '—'} · by ${p.proposed_by || '—'}`),
    p.reason ? h('div', { class: 'reason' }, `“${p.reason}”`) : null,
    p.decided_by ? h('div', { class: 'muted' }, `${p.status} by ${p.decided_by}${p.decision_reason ? `: “${p.decision_reason}”` : ''}`) : null,
    p.status === 'open' && approvers.length > 1
      ? h(
          'div',
          { class: 'muted', 'data-testid': 'proposal-approvers' },
          `Needs the commissioners of ${approvers.join(' and ')}${agreed.length ? ` · agreed: ${agreed.join(', ')}` : ''}${awaiting.length ? ` · awaiting: ${awaiting.join(', ')}` : ''}`,
        )
      : null,
    p.errors && p.errors.length ? h('ul', { class: 'findings' }, p.errors.map((e) => h('li', { class: 'finding finding-error' }, severityBadge('error'), ' ', e))) : null,
    canDecide
      ? h(
          'div',
          { class: 'decide' },
          reason,
          h('button', { type: 'button', class: 'good-btn small', 'data-testid': 'approve', onclick: () => decide(true, false) }, 'Approve'),
          h('button', { type: 'button', class: 'danger small', 'data-testid': 'reject', onclick: () => decide(false, false) }, 'Reject'),
        )
      : null,
    out,
  );
}
