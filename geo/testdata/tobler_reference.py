"""Reference for geo/areal_reference_test.go: tobler 0.13.0's
area_interpolate (pinned in /requirements.txt) of counts from source
polygons onto target polygons, both reprojected to EPSG:5070 (NAD83 / Conus
Albers, the equal-area CRS geo.Overlaps uses). Request on stdin: {"source":
path, "source_id": prop, "target": path, "target_id": prop, "counts":
{variable: {source id: value}}}. Answer: {"source_area" | "allocate_total": {variable: {target id: value}}},
with area_interpolate's allocate_total False (weights: shared area / source
area) and True (shared area / the source's area inside all targets)."""

import json
import sys
import warnings

import geopandas as gpd
from tobler.area_weighted import area_interpolate

warnings.filterwarnings("ignore")


def main() -> None:
    req = json.load(sys.stdin)
    src = gpd.read_file(req["source"]).to_crs(5070)
    dst = gpd.read_file(req["target"]).to_crs(5070)
    names = list(req["counts"])
    for n in names:
        src[n] = src[req["source_id"]].map(req["counts"][n]).astype(float)
    ids = dst[req["target_id"]].tolist()
    res = {}
    for allocate in (False, True):
        out = area_interpolate(source_df=src, target_df=dst, extensive_variables=names, allocate_total=allocate)
        res["allocate_total" if allocate else "source_area"] = {n: dict(zip(ids, out[n].astype(float).tolist())) for n in names}
    json.dump(res, sys.stdout)


if __name__ == "__main__":
    main()
