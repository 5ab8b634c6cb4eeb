// The pressure panel's formula table: ψ(r) of each divergence, r = p/q, and its growth where
// q misses p's mass.
import { h } from './util.js';

// By registry name; the titles come from the registry.
const FORMULAS = [
  ['forward_kl', 'r − 1', 'O(p/q): mode-covering'],
  ['reverse_kl', 'log r', 'O(log p/q)'],
  ['jensen_shannon', '½ log((1+r)/2)', 'O(log p/q)'],
  ['hellinger', '½(√r − 1)', 'O(√(p/q))'],
  ['bhattacharyya', '(√r − 1)/(2·BC)', 'O(√(p/q))'],
  ['total_variation', '½ sign(r − 1)', 'O(1)'],
  ['pearson_chi2', 'r² − 1', 'O((p/q)²)'],
  ['neyman_chi2', '2 − 2/r', 'bounded'],
  ['amari', '(r^β − 1)/β, β = (1+α)/2', 'O((p/q)^β)'],
  ['renyi', '(r^a − 1)/∫p^a q^(1−a), order a', 'O((p/q)^a)'],
  ['mmd', '2(E_p k(x,·) − E_q k(x,·))', 'bounded'],
  ['ksd', '−2 E_q[u_p(x,·)]', 'O(|∂ log p|), not in q'],
  ['fisher', 's_q² + 2s_q′ − s_p² − 2s_p′', 'O(s_p²), not in q'],
];

/** The table, with the note on the post's sign slip; element `x` supplies the titles. */
export function formulaTable(x) {
  const tbody = h('tbody', {}, ...FORMULAS.map(([name, ...r]) => h('tr', {}, ...[x._host.title(name), ...r].map((c) => h('td', {}, c)))));
  return h('div', { class: 'formulas' },
    h('table', {},
      h('caption', {}, 'ψ(r), r = p(x)/q(x), fixed to 0 where q = p'),
      h('thead', {}, h('tr', {}, h('th', {}, 'divergence'), h('th', {}, 'ψ'), h('th', {}, 'as q → 0'))),
      tbody),
    h('p', { class: 'note' },
      'The post derives the unconstrained derivative, which differs by a constant: p/q for forward KL and ',
      'log(p/q) − 1 for reverse KL (the post prints + 1, a sign slip). The growth rates, which are the point, are unaffected.'));
}
