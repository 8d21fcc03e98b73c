"""Independent recomputation of the Atlanta report's headline figures.

Reads the raw files of this folder with GeoPandas (pyogrio reads the Census Bureau's
shapefile zip) and the standard library, with none of groundwork's code, and writes
independent.json, which pipeline/atlanta_test.go compares with the report. Run with the
repository's pinned environment: .venv/bin/python testdata/atlanta/independent.py
"""

import json
import math
import statistics
import sys
from pathlib import Path

import geopandas as gpd
import pandas as pd

HERE = Path(__file__).parent


def two_group_theil(a, b) -> float:
    """Theil's entropy index H of groups a and b alone (Reardon and Firebaugh 2002):
    sum_i t_i (E - E_i) / (T E), E the two-group entropy of all, E_i of tract i."""

    def entropy(p: float) -> float:
        return -sum(q * math.log(q) for q in (p, 1 - p) if q > 0)

    t = a + b
    T = t.sum()
    E = entropy(a.sum() / T)
    return sum(t[i] * (E - entropy(a[i] / t[i])) for i in range(len(t)) if t[i] > 0) / (T * E)


def main() -> None:
    rows = json.loads((HERE / "atlanta_acs5_2018_tracts.json").read_text())
    acs = pd.DataFrame(rows[1:], columns=rows[0])
    acs["geoid"] = acs["state"] + acs["county"] + acs["tract"]
    county = pd.read_csv(HERE / "atlanta_tract_counties.csv", dtype=str).set_index("geoid")["county"]
    acs["area"] = acs["geoid"].map(county)
    num = [c for c in acs.columns if c.startswith("B")]
    acs[num] = acs[num].astype(float)

    tracts = gpd.read_file(HERE / "cb_2018_13_tract_500k.zip")
    tracts = tracts[tracts["GEOID"].isin(acs["geoid"])]
    st = gpd.read_file(HERE / "atlanta_transit_stations.geojson")
    st = st.set_crs(tracts.crs, allow_override=True)  # NAD83 vs WGS84: ~1 m here
    joined = gpd.sjoin(st, tracts[["GEOID", "geometry"]], predicate="within", how="left")
    joined["area"] = joined["GEOID"].map(county)
    stations = {f"{a}|{b}": int(n) for (a, b), n in joined.groupby(["area", "buffer"]).size().items()}

    out: dict = {"python": sys.version.split()[0], "geopandas": gpd.__version__, "stations": stations,
                 "stations_unplaced": int(joined["GEOID"].isna().sum()), "areas": {}}
    for a, g in acs.groupby("area"):
        inc = sorted(v for v in g["B19013_001E"] if v >= 0)  # negative: Census annotation values
        own, rent = g["B25003_002E"].sum(), g["B25003_003E"].sum()
        den = own + rent
        p = rent / den
        moe_rent = math.sqrt((g["B25003_003M"] ** 2).sum())
        moe_den = math.sqrt((g["B25003_002M"] ** 2).sum() + (g["B25003_003M"] ** 2).sum())
        # ACS General Handbook 2020, ch. 8: MOE of a proportion
        under = moe_rent**2 - p**2 * moe_den**2
        moe_p = math.sqrt(under if under >= 0 else moe_rent**2 + p**2 * moe_den**2) / den
        out["areas"][a] = {"tracts": int(len(g)), "income_median": statistics.median(inc), "income_min": inc[0],
                           "income_max": inc[-1], "renter_share": 100 * p, "renter_share_moe": 100 * moe_p}
    g = acs[acs["area"].notna()]
    w, b = g["B03002_003E"], g["B03002_004E"]
    out["dissimilarity_white_black"] = 0.5 * (w / w.sum() - b / b.sum()).abs().sum()
    groups = [g["B03002_003E"], g["B03002_004E"], g["B03002_006E"], g["B03002_012E"]]
    other = g["B03002_001E"] - sum(groups)
    groups.append(other)
    total = g["B03002_001E"]
    shares = [x.sum() / total.sum() for x in groups]
    E = -sum(s * math.log(s) for s in shares if s > 0)
    H = 0.0
    for i in range(len(g)):
        t = total.iloc[i]
        if t <= 0:
            continue
        e = -sum((x.iloc[i] / t) * math.log(x.iloc[i] / t) for x in groups if x.iloc[i] > 0)
        H += t * (E - e)
    out["theil_h"] = H / (total.sum() * E)
    out["theil_h_white_black"] = two_group_theil(w.to_numpy(), b.to_numpy())
    out["within"] = {}
    for a, ga in g.groupby("area"):
        wa, ba = ga["B03002_003E"], ga["B03002_004E"]
        d = 0.5 * (wa / wa.sum() - ba / ba.sum()).abs().sum()
        # segregation Gini (Massey and Denton 1988, eq. 3), White relative to Black
        t = (wa + ba).to_numpy()
        keep = t > 0
        t, p = t[keep], (wa.to_numpy()[keep] / t[keep])
        T, P = t.sum(), wa.sum() / (wa.sum() + ba.sum())
        gini = sum(t[i] * t[j] * abs(p[i] - p[j]) for i in range(len(t)) for j in range(len(t))) / (2 * T * T * P * (1 - P))
        out["within"][a] = {"dissimilarity_white_black": d, "gini_white_black": gini,
                            "theil_h_white_black": two_group_theil(wa.to_numpy(), ba.to_numpy())}
    (HERE / "independent.json").write_text(json.dumps(out, indent=1, sort_keys=True) + "\n")


if __name__ == "__main__":
    main()
