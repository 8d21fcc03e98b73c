#!/usr/bin/env python3
"""Independent computation of the segregation indices tested in
segregation_test.go, from oakland_race_12_tracts.csv, with the Python 3
standard library only (written from the published formulas, not from the Go
code). Run: python3 indices.py > indices_python.json

Formulas:
  Dissimilarity (Massey & Denton 1988, eq. 1): D = 1/2 sum |a_i/A - b_i/B|
  Theil H (Reardon & Firebaugh 2002): E = -sum pi_m ln pi_m,
      H = sum_i t_i (E - E_i) / (T E)
  Segregation Gini (Massey & Denton 1988, eq. 3):
      G = sum_i sum_j t_i t_j |p_i - p_j| / (2 T^2 P (1-P))
  Location quotient: (x_i/t_i) / (X/T)
"""
import csv, json, math, sys, os

here = os.path.dirname(os.path.abspath(__file__))
rows = list(csv.DictReader(open(os.path.join(here, "oakland_race_12_tracts.csv"))))
W = [float(r["WhiteE"]) for r in rows]
B = [float(r["BlackE"]) for r in rows]
A = [float(r["AsianE"]) for r in rows]
L = [float(r["LatinxE"]) for r in rows]
T = [float(r["totraceE"]) for r in rows]
O = [t - w - b - a - l for t, w, b, a, l in zip(T, W, B, A, L)]

def dissim(a, b):
    sa, sb = sum(a), sum(b)
    return 0.5 * sum(abs(x / sa - y / sb) for x, y in zip(a, b))

def ent(xs):
    t = sum(xs)
    return -sum((x / t) * math.log(x / t) for x in xs if x > 0)

def theil(groups):
    units = list(zip(*groups))
    tot = sum(sum(u) for u in units)
    E = ent([sum(g) for g in groups])
    return sum(sum(u) * (E - ent(u)) for u in units if sum(u) > 0) / (tot * E)

def gini(a, b):
    t = [x + y for x, y in zip(a, b)]
    p = [x / s for x, s in zip(a, t)]
    TT = sum(t); P = sum(a) / TT
    s = sum(t[i] * t[j] * abs(p[i] - p[j]) for i in range(len(t)) for j in range(len(t)))
    return s / (2 * TT * TT * P * (1 - P))

X, TT = sum(B), sum(T)
out = {
    "python": sys.version.split()[0],
    "geoids": [r["GEOID"] for r in rows],
    "dissimilarity_white_black": dissim(W, B),
    "dissimilarity_white_latinx": dissim(W, L),
    "theil_two_group_white_black": theil([W, B]),
    "theil_multigroup_white_black_asian_latinx_other": theil([W, B, A, L, O]),
    "gini_black_white": gini(B, W),
    "location_quotient_black": [(x / t) / (X / TT) for x, t in zip(B, T)],
}
json.dump(out, sys.stdout, indent=1)
print()
