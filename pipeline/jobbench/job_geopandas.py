# GeoPandas (sjoin over shapely's STRtree) running the end-to-end job of
# `groundwork bench job`; same inputs and outputs as job_duckdb.py, into
# geopandas/.
import json, os, sys
import pandas as pd, geopandas as gpd, shapely

d = sys.argv[1]
out = os.path.join(d, "geopandas")
os.makedirs(out, exist_ok=True)
tracts = gpd.read_parquet(f"{d}/tracts.parquet")[["GEOID", "geometry"]]
raw = pd.read_csv(f"{d}/points.csv", dtype={"id": str, "value": "int64", "lat": "float64", "lon": "float64"})
pts = gpd.GeoDataFrame(raw[["id", "value"]], geometry=gpd.points_from_xy(raw.lon, raw.lat), crs=tracts.crs)
j = gpd.sjoin(pts, tracts, how="left", predicate="within")
j = j[~j.index.duplicated(keep="first")]
counties = pd.read_csv(f"{d}/counties.csv", dtype=str)
placed = pd.DataFrame({"id": j["id"], "value": j["value"], "tract": j["GEOID"]}).merge(counties.rename(columns={"geoid": "tract"}), on="tract", how="left")
placed.to_parquet(f"{out}/places.parquet", index=False)
for key, name in (("tract", "by_tract"), ("county", "by_county")):
    g = placed.dropna(subset=[key]).groupby(key)["value"].agg(n="count", median="median").reset_index().sort_values(key)
    g.to_parquet(f"{out}/{name}.parquet", index=False)
print(json.dumps({"version": "GeoPandas %s, Shapely %s, pandas %s" % (gpd.__version__, shapely.__version__, pd.__version__)}))
