# DuckDB spatial running the end-to-end job of `groundwork bench job`:
# points CSV -> placed in tracts (ST_Contains join, the R-tree SPATIAL_JOIN)
# -> count and median of `value` per tract and per county -> Parquet.
# Arguments: the job folder (inputs in it, outputs into its duckdb/).
import json, os, sys
import duckdb, duckdb_extension_spatial

d = sys.argv[1]
out = os.path.join(d, "duckdb")
os.makedirs(out, exist_ok=True)
con = duckdb.connect()
con.execute("SET enable_progress_bar = false")
con.execute("LOAD '%s'" % os.path.join(os.path.dirname(duckdb_extension_spatial.__file__), "extensions", "v" + duckdb.__version__, "spatial.duckdb_extension"))
spatial = con.sql("SELECT extension_version FROM duckdb_extensions() WHERE extension_name = 'spatial'").fetchone()[0]
con.execute(f"""CREATE TABLE tracts AS SELECT GEOID, geometry AS geom FROM read_parquet('{d}/tracts.parquet')""")
con.execute(f"""CREATE TABLE pts AS SELECT id, value, ST_Point(lon, lat) AS geom
  FROM read_csv('{d}/points.csv', header = true, columns = {{'id': 'VARCHAR', 'value': 'BIGINT', 'lat': 'DOUBLE', 'lon': 'DOUBLE'}})""")
con.execute(f"""CREATE TABLE counties AS SELECT * FROM read_csv('{d}/counties.csv', header = true, columns = {{'geoid': 'VARCHAR', 'county': 'VARCHAR'}})""")
con.execute("""CREATE TABLE placed AS SELECT p.id, p.value, t.GEOID AS tract, c.county
  FROM pts p LEFT JOIN tracts t ON ST_Contains(t.geom, p.geom) LEFT JOIN counties c ON c.geoid = t.GEOID""")
con.execute(f"COPY (SELECT id, value, tract, county FROM placed) TO '{out}/places.parquet' (FORMAT parquet)")
con.execute(f"COPY (SELECT tract, count(*) AS n, median(value) AS median FROM placed WHERE tract IS NOT NULL GROUP BY tract ORDER BY tract) TO '{out}/by_tract.parquet' (FORMAT parquet)")
con.execute(f"COPY (SELECT county, count(*) AS n, median(value) AS median FROM placed WHERE county IS NOT NULL GROUP BY county ORDER BY county) TO '{out}/by_county.parquet' (FORMAT parquet)")
print(json.dumps({"version": "DuckDB %s, spatial %s" % (duckdb.__version__, spatial)}))
