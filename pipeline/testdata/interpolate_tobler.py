"""Reference for TestInterpolateOntoNeighborhoods: tobler's area-weighted interpolation of the
Oakland demo's ACS tract counts onto its neighborhoods, in the equal-area EPSG:5070 (as
groundwork measures areas). Run: .venv/bin/python pipeline/testdata/interpolate_tobler.py
"""

import json
import sys
from pathlib import Path

import geopandas as gpd
import pandas as pd
import tobler
from tobler.area_weighted import area_interpolate

DEMO = Path(__file__).parent.parent / "demo" / "oakland"


def main() -> None:
    rows = json.loads((DEMO / "alameda_acs5_2018_tracts.json").read_text())
    acs = pd.DataFrame(rows[1:], columns=rows[0])
    acs["GEOID"] = acs["state"] + acs["county"] + acs["tract"]
    cols = ["B03002_001E", "B25003_002E", "B25003_003E"]  # people; owner- and renter-occupied homes
    acs[cols] = acs[cols].astype(float)
    tracts = gpd.read_file(DEMO / "alameda_tracts_2010.geojson").merge(acs[["GEOID", *cols]], on="GEOID", how="left")
    tracts[cols] = tracts[cols].fillna(0)  # a polygon without a row (water) holds no one
    hoods = gpd.read_file(DEMO / "oakland_neighborhoods.geojson")
    src, dst = tracts.to_crs(5070), hoods.to_crs(5070)
    # allocate_total=False: the part of a tract outside every neighborhood keeps its share, as
    # groundwork does (tobler's default would push all of it into the neighborhoods)
    est = area_interpolate(source_df=src, target_df=dst, extensive_variables=cols, allocate_total=False)
    out = {"python": sys.version.split()[0], "tobler": tobler.__version__}
    for c in cols:
        out[c] = {n: v for n, v in zip(hoods["name"], est[c])}
    (Path(__file__).parent / "interpolate_tobler.json").write_text(json.dumps(out, indent=1, sort_keys=True) + "\n")


if __name__ == "__main__":
    main()
