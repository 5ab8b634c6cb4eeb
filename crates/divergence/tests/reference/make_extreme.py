#!/usr/bin/env python3
"""Reference values at the extremes (extreme.json): tiny weights (1e-9), separations to 1e5,
std ratios 1e4, q far in p's tails, α and orders next to their poles, 8 components, and KSD
with far-apart components under a wide q.

The one-dimensional divergences come from make_reference.py's definitions (mpmath, 30 digits)
with one more set of breakpoints: every point where two of p's components trade dominance,
and ±1, 4, 16 transition widths around it (the score's near-steps, NUMERICS.md).

KSD² comes straight from SPEC's u_p(x, y) (not the δ-form the core sums): a tensor
Gauss–Legendre sum over pieces split at the same points and no wider than c or σ/2, scores
and q in mpmath, the pair sum in doubles (math.fsum). It is accepted only when two
resolutions (12 and 20 nodes a piece) agree to 1e-11 relative.

    python3 make_extreme.py > extreme.json      (a few minutes on two idle cores)
"""
import json
import math
import multiprocessing as mproc
import sys

import mpmath as mp

import make_reference as ref

mp.mp.dps = 30

# (name, components (w, m, s), mu, sigma, params, the divergences each regime stresses)
BASE = {'alpha': 0.5, 'order': 0.5, 'bandwidth': 1.0, 'kernel_c': 1.0, 'kernel_beta': 0.5}
CASES = [
    ('tiny weight, q on it', [(1e-9, 0, 1), (1, 5, 0.5)], 0.0, 1.0, {},
     ['reverse_kl', 'forward_kl', 'neyman_chi2', 'fisher', 'total_variation', 'jensen_shannon']),
    ('tiny weight, q on the big one', [(1e-9, 0, 1), (1, 5, 0.5)], 5.0, 0.6, {},
     ['hellinger', 'amari', 'renyi', 'pearson_chi2']),
    ('separation 1e5, q on one mode', [(0.5, -5e4, 1), (0.5, 5e4, 1)], 5e4, 1.2, {},
     ['reverse_kl', 'fisher', 'total_variation', 'jensen_shannon']),
    ('separation 1e5, q over both', [(0.5, -5e4, 1), (0.5, 5e4, 1)], 0.0, 3e4, {},
     ['forward_kl', 'hellinger', 'neyman_chi2', 'fisher']),
    ('std ratio 1e4', [(0.5, 0, 0.01), (0.5, 0, 100)], 0.0, 1.0, {},
     ['reverse_kl', 'neyman_chi2', 'fisher', 'total_variation']),
    ('std ratio 1e4, q off centre', [(0.5, 0, 0.01), (0.5, 3, 100)], 50.0, 10.0, {},
     ['forward_kl', 'pearson_chi2', 'amari', 'renyi']),
    ('q far in the tail', [(0.5, -4, 1), (0.5, 4, 1)], 30.0, 2.0, {},
     ['reverse_kl', 'forward_kl', 'jensen_shannon', 'total_variation', 'amari']),
    ('q far in a single Gaussian\'s tail', [(1, 0, 1)], 40.0, 0.5, {},
     ['forward_kl', 'pearson_chi2', 'hellinger', 'fisher']),
    ('alpha, order just below 1', [(0.3, -2, 1), (0.7, 3, 2)], 1.0, 2.5,
     {'alpha': 0.999999, 'order': 0.999999}, ['amari', 'renyi']),
    ('alpha just above -1, order just above 1', [(0.3, -2, 1), (0.7, 3, 2)], 1.0, 1.5,
     {'alpha': -0.999999, 'order': 1.000001}, ['amari', 'renyi']),
    ('eight components', [(1, -10, 1), (1, -7, 0.5), (1, -4, 2), (1, -1, 0.3), (1, 2, 1),
                          (1, 5, 0.7), (1, 8, 1.5), (1, 11, 0.2)], 0.0, 3.0, {},
     ['jensen_shannon', 'total_variation', 'neyman_chi2', 'fisher', 'bhattacharyya']),
    ('Fisher: narrow far from a tiny wide one', [(1e-6, 0, 1), (1, 1000, 1e-3)], 1010.0, 4.0001,
     {}, ['fisher', 'reverse_kl', 'total_variation']),
    ('KSD ±500, c = 500, q = (100, 500)', [(0.5, -500, 1), (0.5, 500, 1)], 100.0, 500.0,
     {'kernel_c': 500}, ['ksd']),
    ('KSD ±500, c = 500, q = (0, 500)', [(0.5, -500, 1), (0.5, 500, 1)], 0.0, 500.0,
     {'kernel_c': 500}, ['ksd']),
    ('KSD ±500 weights 0.3/0.7', [(0.3, -500, 1), (0.7, 500, 1)], 0.0, 500.0,
     {'kernel_c': 500}, ['ksd']),
    ('KSD ±500, c = 100', [(0.5, -500, 1), (0.5, 500, 1)], 100.0, 500.0,
     {'kernel_c': 100}, ['ksd']),
    ('KSD ±5000, c = 2000, beta 0.8', [(0.5, -5000, 1), (0.5, 5000, 2)], -300.0, 4000.0,
     {'kernel_c': 2000, 'kernel_beta': 0.8}, ['ksd']),
    ('KSD eight components', [(1, -10, 1), (1, -7, 0.5), (1, -4, 2), (1, -1, 0.3), (1, 2, 1),
                              (1, 5, 0.7), (1, 8, 1.5), (1, 11, 0.2)], 0.0, 3.0, {}, ['ksd']),
    ('KSD tiny weight', [(1e-9, 0, 1), (1, 5, 0.5)], 2.0, 2.0, {'kernel_c': 0.5}, ['ksd']),
]


def switches(cs):
    """Where two of p's components trade dominance (and matter within p), with ±1, 4, 16
    transition widths."""
    out = []
    for i, (wi, mi, si) in enumerate(cs):
        for wj, mj, sj in cs[i + 1:]:
            li = mp.log(wi) - mp.log(si)
            lj = mp.log(wj) - mp.log(sj)
            a = 1 / (2 * sj ** 2) - 1 / (2 * si ** 2)
            b = 2 * (mi / (2 * si ** 2) - mj / (2 * sj ** 2))
            c = mj ** 2 / (2 * sj ** 2) - mi ** 2 / (2 * si ** 2) + li - lj
            if abs(a) < mp.mpf(10) ** -25 * (1 / si ** 2 + 1 / sj ** 2):
                roots = [-c / b] if b != 0 else []
            else:
                disc = b * b - 4 * a * c
                roots = [] if disc < 0 else [(-b + s * mp.sqrt(disc)) / (2 * a) for s in (1, -1)]
            for x in roots:
                def lg(w, m, s):
                    return mp.log(w) - mp.log(s) - (x - m) ** 2 / (2 * s ** 2)
                top = lg(wi, mi, si)
                others = [lg(w, m, s) for w, m, s in cs if (w, m, s) not in ((wi, mi, si), (wj, mj, sj))]
                if others and max(others) > top + 5:
                    continue
                tau = 1 / abs((x - mi) / si ** 2 - (x - mj) / sj ** 2)
                out += [x] + [x + k * tau for k in (-16, -4, -1, 1, 4, 16)]
    return out


_points = ref.points


def points_with_switches(cs, mu, sigma, extra=()):
    return _points(cs, mu, sigma, list(extra) + switches(cs))


ref.points = points_with_switches


def gl(n):
    """Gauss–Legendre nodes and weights on [-1, 1] (mpmath's Legendre roots, Newton)."""
    xs, ws = [], []
    for k in range(1, n + 1):
        x = mp.cos(mp.pi * (k - mp.mpf(1) / 4) / (n + mp.mpf(1) / 2))
        for _ in range(100):
            p0, p1 = mp.mpf(1), x
            for j in range(2, n + 1):
                p0, p1 = p1, ((2 * j - 1) * x * p1 - (j - 1) * p0) / j
            dp = n * (x * p1 - p0) / (x * x - 1)
            dx = p1 / dp
            x -= dx
            if abs(dx) < mp.mpf(10) ** -28:
                break
        xs.append(x)
        ws.append(2 / ((1 - x * x) * dp * dp))
    return xs, ws


def ksd(comps, mu, sigma, params, n):
    cs, mu, sigma, p, q, score = ref.densities(comps, mu, sigma)
    c, beta = mp.mpf(params['kernel_c']), mp.mpf(params['kernel_beta'])
    lo, hi = mu - 9 * sigma, mu + 9 * sigma
    pts = {lo, hi}
    for _, m, s in list(cs) + [(1, mu, sigma)]:
        pts.update(m + k * s for k in (-8, -4, -1.5, -0.5, 0, 0.5, 1.5, 4, 8))
    pts.update(switches(cs))
    pts = sorted(x for x in pts if lo <= x <= hi)
    width = min(c, sigma / 2)
    gx, gw = gl(n)
    xs, ws = [], []
    for a, b in zip(pts, pts[1:]):
        parts = int(mp.ceil((b - a) / width))
        h = (b - a) / parts
        for k in range(parts):
            cen, half = a + (k + mp.mpf(1) / 2) * h, h / 2
            for x, w in zip(gx, gw):
                xs.append(cen + half * x)
                ws.append(half * w)
    # scores and q in mpmath, then doubles for the pair sum
    s = [float(score(x)) for x in xs]
    wq = [float(w * q(x)) for x, w in zip(xs, ws)]
    xf = [float(x - mu) for x in xs]
    cf, bf = float(c) ** 2, float(beta)
    terms = []
    for i in range(len(xs)):
        xi, si, wi = xf[i], s[i], wq[i]
        row = []
        for j in range(len(xs)):
            d = xi - xf[j]
            t = cf + d * d
            k = t ** -bf
            kt = k / t
            kx = -2 * bf * d * kt
            kxy = 2 * bf * kt - 4 * bf * (bf + 1) * d * d * kt / t
            row.append(wq[j] * (si * s[j] * k + (s[j] - si) * kx + kxy))
        terms.append(wi * math.fsum(row))
    return math.fsum(terms), len(xs)


def run(case):
    name, comps, mu, sigma, params, which = case
    params = dict(BASE, **params)
    out = []
    for d in which:
        if d == 'ksd':
            v1, n1 = ksd(comps, mu, sigma, params, 12)
            v2, n2 = ksd(comps, mu, sigma, params, 20)
            print(f'{name}: ksd {v2!r} ({n2} nodes, {abs(v1 - v2) / abs(v2):.1e} apart)', file=sys.stderr)
            if abs(v1 - v2) <= 1e-11 * abs(v2):
                out.append({'divergence': 'ksd', 'value': v2})
            continue
        row = ref.run_one(d, comps, mu, sigma, params)
        if row is not None:
            out.append(row)
    return {'name': name, 'target': [list(c) for c in comps], 'mu': mu, 'sigma': sigma,
            'params': params, 'values': out}


if __name__ == '__main__':
    with mproc.Pool(2) as pool:
        cases = pool.map(run, CASES, chunksize=1)
    json.dump({'generator': 'make_extreme.py (mpmath 30 digits; KSD: u_p tensor sum)',
               'cases': cases}, sys.stdout, indent=0)
