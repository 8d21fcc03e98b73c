"""Reference values for TestInequalityReference (pipeline/stats/reference_test.go)
from pysal's inequality 1.1.2 (pinned in /requirements.txt).

inequality measures the inequality of a distribution of values, one value per
observation. The segregation indices are such measures over residents: give
each resident of tract i the tract's share p_i of the focal group and the
index is an inequality index of that distribution, rescaled:

  segregation Gini  G = Gini(p over residents) / (1 - P)
  dissimilarity     D = Schutz distance (p over residents) / (1 - P)
  Theil's H         H = sum_m pi_m Theil_T(p_m over residents) / E

with P the focal group's share of all residents, pi_m group m's share and
E = -sum_m pi_m ln pi_m (Massey and Denton 1988; Reardon and Firebaugh 2002,
where H is the mutual information of tract and group over E, and the mutual
information is the pi-weighted sum of the groups' Theil T indices). So the
script repeats each tract's share once per resident (numpy.repeat) and runs
inequality's Gini, Schutz and Theil on the result. Input JSON on stdin:
{"groups": [{"name", "counts"}], "focal": name}; counts are whole people per
tract, the groups exhaustive."""

import json
import sys

import numpy as np
import pandas as pd
from inequality.gini import Gini
from inequality.schutz import Schutz
from inequality.theil import Theil


def main() -> None:
    req = json.load(sys.stdin)
    counts = {g["name"]: np.asarray(g["counts"], dtype=float) for g in req["groups"]}
    total = sum(counts.values())
    people = total.astype(np.int64)
    if not np.array_equal(people, total):
        raise SystemExit("counts must be whole people")
    n = total.sum()

    def shares(name: str) -> np.ndarray:
        return np.repeat(counts[name] / total, people)

    focal = req["focal"]
    share = counts[focal].sum() / n
    y = shares(focal)
    pi = {m: c.sum() / n for m, c in counts.items()}
    entropy = -sum(p * np.log(p) for p in pi.values() if p > 0)
    mutual = sum(pi[m] * float(Theil(shares(m)).T) for m in counts if pi[m] > 0)
    two = -(share * np.log(share) + (1 - share) * np.log(1 - share))
    rest = np.repeat(1 - counts[focal] / total, people)
    gini = float(Gini(y).g)
    schutz = float(Schutz(pd.DataFrame({"y": y}), "y").distance)
    theil_two = share * float(Theil(y).T) + (1 - share) * float(Theil(rest).T)
    out = {
        "gini_raw": gini,
        "schutz_raw": schutz,
        "focal_share": float(share),
        "gini": gini / (1 - share),
        "dissim": schutz / (1 - share),
        "theil": mutual / entropy,
        "theil_two": theil_two / two,
    }
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
