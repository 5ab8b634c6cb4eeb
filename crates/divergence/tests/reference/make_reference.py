#!/usr/bin/env python3
"""Independent high-precision reference values for the core's `eval` (SPEC §2).

Straight from the definitions in SPEC §2, with mpmath at 30 significant digits, so no
cancellation trick of the Rust code is shared. Random cases over the accuracy domain:
1–8 components, weights down to 1e-4, stds and σ in [0.05, 50], means and μ within ±50.

    pip install mpmath && python3 make_reference.py [COUNT [FIRST_SEED]] > reference.json
"""
import json
import multiprocessing as mproc
import random
import sys

import mpmath as mp

mp.mp.dps = 30
NAMES = ['forward_kl', 'reverse_kl', 'jensen_shannon', 'hellinger', 'bhattacharyya',
         'total_variation', 'pearson_chi2', 'neyman_chi2', 'amari', 'renyi', 'fisher', 'mmd']


def case(seed):
    r = random.Random(seed)
    n = r.randint(1, 8)
    comps = [(10 ** r.uniform(-4, 0), r.uniform(-50, 50), 10 ** r.uniform(-1.3, 1.7)) for _ in range(n)]
    if seed % 4 == 0:  # a share of cases near the modes, where values are small
        k = r.randrange(n)
        mu, sigma = comps[k][1] + r.gauss(0, comps[k][2]), comps[k][2] * 10 ** r.uniform(-0.3, 0.3)
    else:
        mu, sigma = r.uniform(-50, 50), 10 ** r.uniform(-1.3, 1.7)
    params = {'alpha': r.uniform(-3, 3), 'order': 10 ** r.uniform(-1, 0.7),
              'bandwidth': 10 ** r.uniform(-1, 1), 'kernel_c': r.uniform(0.3, 3),
              'kernel_beta': r.uniform(0.2, 1.5)}
    return comps, mu, sigma, params


def densities(comps, mu, sigma):
    tot = sum(mp.mpf(w) for w, _, _ in comps)
    cs = [(mp.mpf(w) / tot, mp.mpf(m), mp.mpf(s)) for w, m, s in comps]
    mu, sigma = mp.mpf(mu), mp.mpf(sigma)

    def p(x):
        return sum(w * mp.npdf(x, m, s) for w, m, s in cs)

    def q(x):
        return mp.npdf(x, mu, sigma)

    def score(x):
        num = sum(w * mp.npdf(x, m, s) * (-(x - m) / s ** 2) for w, m, s in cs)
        return num / p(x)
    return cs, mu, sigma, p, q, score


def points(cs, mu, sigma, extra=()):
    pts = set()
    for _, m, s in list(cs) + [(1, mu, sigma)]:
        for k in (-30, -12, -6, -3, -1, 0, 1, 3, 6, 12, 30):
            pts.add(m + k * s)
    pts.update(extra)
    return [mp.ninf] + sorted(pts) + [mp.inf]


def tilted(cs, mu, sigma, a):
    out = []
    for _, m, s in cs:
        prec = a / s ** 2 + (1 - a) / sigma ** 2
        if prec > 0:
            c = (a * m / s ** 2 + (1 - a) * mu / sigma ** 2) / prec
            w = 1 / mp.sqrt(prec)
            out += [c + k * w for k in (-12, -4, -1, 0, 1, 4, 12)]
    return out


def bisect(f, a, b):
    fa = f(a)
    for _ in range(120):
        m = (a + b) / 2
        fm = f(m)
        if fm * fa > 0:
            a, fa = m, fm
        else:
            b = m
    return (a + b) / 2


def quad(f, pts):
    v, err = mp.quad(f, pts, error=True, maxdegree=10)
    return v, err


def power_integral(cs, mu, sigma, p, q, a):
    smax = max(s for _, _, s in cs)
    if a / smax ** 2 + (1 - a) / sigma ** 2 <= 0:
        return None, 0
    return quad(lambda x: p(x) ** a * q(x) ** (1 - a), points(cs, mu, sigma, tilted(cs, mu, sigma, a)))


def value(name, comps, mu, sigma, params):
    cs, mu, sigma, p, q, score = densities(comps, mu, sigma)
    pts = points(cs, mu, sigma)
    if name == 'forward_kl':
        return quad(lambda x: p(x) * mp.log(p(x) / q(x)) if p(x) > 0 else 0, pts)
    if name == 'reverse_kl':
        return quad(lambda x: q(x) * mp.log(q(x) / p(x)) if q(x) > 0 else 0, pts)
    if name == 'jensen_shannon':
        def f(x):
            a, b = p(x), q(x)
            m = (a + b) / 2
            return (a * mp.log(a / m) if a > 0 else 0) / 2 + (b * mp.log(b / m) if b > 0 else 0) / 2
        return quad(f, pts)
    if name in ('hellinger', 'bhattacharyya'):
        bc, err = quad(lambda x: mp.sqrt(p(x) * q(x)), points(cs, mu, sigma, tilted(cs, mu, sigma, 0.5)))
        return (1 - bc, err) if name == 'hellinger' else (-mp.log(bc), err / bc)
    if name == 'total_variation':
        # split at the crossings of p and q, found on a fine scan
        lo, hi = pts[1], pts[-2]
        xs = [lo + (hi - lo) * k / 1500 for k in range(1501)]
        cross = []
        for a, b in zip(xs, xs[1:]):
            if (p(a) - q(a)) * (p(b) - q(b)) < 0:
                cross.append(bisect(lambda x: p(x) - q(x), a, b))
        return quad(lambda x: abs(p(x) - q(x)) / 2, sorted(set(pts[1:-1] + cross)) and [mp.ninf] + sorted(set(pts[1:-1] + cross)) + [mp.inf])
    if name == 'pearson_chi2':
        i, err = power_integral(cs, mu, sigma, p, q, 2)
        return (None, 0) if i is None else (i - 1, err)
    if name == 'neyman_chi2':
        i, err = power_integral(cs, mu, sigma, p, q, -1)
        return (None, 0) if i is None else (i - 1, err)
    if name == 'amari':
        al = mp.mpf(params['alpha'])
        b = (1 + al) / 2
        i, err = power_integral(cs, mu, sigma, p, q, b)
        return (None, 0) if i is None else (4 / (1 - al ** 2) * (1 - i), err * abs(4 / (1 - al ** 2)))
    if name == 'renyi':
        a = mp.mpf(params['order'])
        i, err = power_integral(cs, mu, sigma, p, q, a)
        return (None, 0) if i is None else (mp.log(i) / (a - 1), err / i / abs(a - 1))
    if name == 'fisher':
        return quad(lambda x: q(x) * (-(x - mu) / sigma ** 2 - score(x)) ** 2, pts)
    if name == 'mmd':
        l = mp.mpf(params['bandwidth'])

        def ek(a, va, b, vb):
            v = l ** 2 + va + vb
            return l / mp.sqrt(v) * mp.exp(-(a - b) ** 2 / (2 * v))
        epp = sum(wi * wj * ek(mi, si ** 2, mj, sj ** 2) for wi, mi, si in cs for wj, mj, sj in cs)
        epq = sum(w * ek(m, s ** 2, mu, sigma ** 2) for w, m, s in cs)
        return epp + ek(mu, sigma ** 2, mu, sigma ** 2) - 2 * epq, mp.mpf(0)
    raise ValueError(name)


def run_one(name, comps, mu, sigma, params, label=''):
    """One reference entry, or None where the reference itself is not sure enough."""
    try:
        v, err = value(name, comps, mu, sigma, params)
    except (ValueError, ZeroDivisionError) as e:  # the reference failed: leave it out
        print(f'{label} {name}: {e}', file=sys.stderr)
        return None
    if v is None or v > mp.mpf('1.7976931348623157e308'):
        return {'divergence': name, 'value': 'inf'}
    if v != 0 and abs(err / v) > 1e-14 and abs(err) > 1e-16:
        return None
    return {'divergence': name, 'value': float(v)}


def run(seed):
    comps, mu, sigma, params = case(seed)
    out = [r for r in (run_one(n, comps, mu, sigma, params, f'seed {seed}') for n in NAMES)
           if r is not None]
    return {'seed': seed, 'target': [list(c) for c in comps], 'mu': mu, 'sigma': sigma,
            'params': params, 'values': out}


if __name__ == '__main__':
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 120
    first = int(sys.argv[2]) if len(sys.argv) > 2 else 0
    with mproc.Pool(2) as pool:
        cases = pool.map(run, range(first, first + n))
    json.dump({'generator': 'make_reference.py (mpmath, 30 digits)', 'cases': cases}, sys.stdout, indent=0)
