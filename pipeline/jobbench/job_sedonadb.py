# SedonaDB (Apache Sedona's single-node engine) running the end-to-end job of
# `groundwork bench job`; same inputs and outputs as job_duckdb.py, into
# sedonadb/.
import json, os, sys
import pyarrow as pa, pyarrow.csv as pacsv, sedonadb, sedona.db

d = sys.argv[1]
out = os.path.join(d, "sedonadb")
os.makedirs(out, exist_ok=True)
sd = sedona.db.connect()
sd.read_parquet(f"{d}/tracts.parquet").to_view("tracts")
sd.sql(f"SELECT * FROM '{d}/points.csv'").to_view("raw")
# Read as text: inferred as integers, GEOIDs would lose their leading zeros.
sd.create_data_frame(pacsv.read_csv(f"{d}/counties.csv", convert_options=pacsv.ConvertOptions(column_types={"geoid": pa.string(), "county": pa.string()}))).to_view("counties")
sd.sql("""SELECT r.id, r.value, t."GEOID" AS tract FROM (SELECT id, value, ST_SetSRID(ST_Point(lon, lat), 4326) AS geom FROM raw) r
  LEFT JOIN tracts t ON ST_Contains(t.geometry, r.geom)""").to_view("placed0")
sd.sql("SELECT p.id, p.value, p.tract, c.county FROM placed0 p LEFT JOIN counties c ON c.geoid = p.tract").to_memtable().to_view("placed")
sd.sql("SELECT * FROM placed").to_parquet(f"{out}/places.parquet")
sd.sql("SELECT tract, count(*) AS n, median(value) AS median FROM placed WHERE tract IS NOT NULL GROUP BY tract ORDER BY tract").to_parquet(f"{out}/by_tract.parquet")
sd.sql("SELECT county, count(*) AS n, median(value) AS median FROM placed WHERE county IS NOT NULL GROUP BY county ORDER BY county").to_parquet(f"{out}/by_county.parquet")
print(json.dumps({"version": "SedonaDB %s" % sedonadb.__version__}))
