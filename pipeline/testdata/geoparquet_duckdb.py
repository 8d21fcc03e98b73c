"""Reads groundwork's GeoParquet outputs with DuckDB spatial (pinned in
requirements.txt) for TestOutputsAreGeoParquet. stdin: {"files": [...]};
stdout: per file the row count, DuckDB's type of the geometry column, the
geometry types, the rows whose bbox covering differs from ST_Extent, and
the geo metadata's version, encoding and covering."""
import json, os, sys

import duckdb
import duckdb_extension_spatial

req = json.load(sys.stdin)
ext = os.path.join(os.path.dirname(duckdb_extension_spatial.__file__), "extensions",
                   "v" + duckdb.__version__, "spatial.duckdb_extension")
con = duckdb.connect(config={"allow_unsigned_extensions": "true"})
con.execute("LOAD '%s'" % ext.replace("'", "''"))
out = {}
for f in req["files"]:
    q = f.replace("'", "''")
    n, = con.execute(f"select count(*) from read_parquet('{q}')").fetchone()
    typ = [r[1] for r in con.execute(f"describe select geometry from read_parquet('{q}')").fetchall()][0]
    types = sorted(r[0] for r in con.execute(
        f"select distinct ST_GeometryType(geometry)::varchar from read_parquet('{q}') where geometry is not null").fetchall())
    bad, = con.execute(f"""select count(*) from read_parquet('{q}') where geometry is not null and (
        abs(bbox.xmin - ST_XMin(geometry)) > 1e-9 or abs(bbox.ymin - ST_YMin(geometry)) > 1e-9 or
        abs(bbox.xmax - ST_XMax(geometry)) > 1e-9 or abs(bbox.ymax - ST_YMax(geometry)) > 1e-9)""").fetchone()
    meta = {k.decode(): v.decode() for k, v in con.execute(
        f"select key, value from parquet_kv_metadata('{q}')").fetchall()}
    geo = json.loads(meta["geo"])
    col = geo["columns"][geo["primary_column"]]
    out[os.path.basename(f)] = {"rows": n, "type": typ, "geometry_types": types, "bad_bbox": bad,
                                "version": geo["version"], "encoding": col["encoding"],
                                "covering": col.get("covering", {}).get("bbox", {}).get("xmin"),
                                "crs": col.get("crs", "absent (OGC:CRS84)")}
json.dump(out, sys.stdout)
