# DuckDB spatial peer of `groundwork bench join`: ST_Contains join of points
# with polygons (DuckDB plans it as a SPATIAL_JOIN, an R-tree built over the
# polygons). Arguments: polygons CSV (feature index, hex WKB), points file
# (little-endian float64 lon, lat pairs), number of points, output file
# (per point the feature index holding it, or -1, as little-endian int32).
# Prints one JSON object: seconds, CPU seconds and peak RSS of the timed join.
import json, os, resource, sys, time
import numpy as np, pyarrow as pa, duckdb, duckdb_extension_spatial

def cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime

polys_csv, points_bin, n, out = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
con = duckdb.connect()
con.execute("SET enable_progress_bar = false")
ext = os.path.join(os.path.dirname(duckdb_extension_spatial.__file__), "extensions", "v" + duckdb.__version__, "spatial.duckdb_extension")
con.execute(f"LOAD '{ext}'")
spatial = con.sql("SELECT extension_version FROM duckdb_extensions() WHERE extension_name = 'spatial'").fetchone()[0]
xy = np.fromfile(points_bin, dtype="<f8", count=2 * n).reshape(-1, 2)
raw = pa.table({"i": np.arange(n, dtype=np.int32), "x": xy[:, 0], "y": xy[:, 1]})
con.register("raw", raw)
con.execute(f"CREATE TABLE polys AS SELECT fid, ST_GeomFromHEXWKB(wkb) AS geom FROM read_csv('{polys_csv}', header = false, columns = {{'fid': 'INTEGER', 'wkb': 'VARCHAR'}})")
t0, c0 = time.perf_counter(), cpu()
con.execute("CREATE TABLE pts AS SELECT i, ST_Point(x, y) AS geom FROM raw")
t1, c1 = time.perf_counter(), cpu()
q = "SELECT p.i, t.fid FROM pts p JOIN polys t ON ST_Contains(t.geom, p.geom)"
plan = " ".join(r[1] for r in con.execute("EXPLAIN " + q).fetchall())
con.execute("CREATE TABLE r AS " + q)
t2, c2 = time.perf_counter(), cpu()
res = np.full(n, -1, dtype="<i4")
i, fid = con.execute("SELECT i, min(fid) FROM r GROUP BY i").fetchnumpy().values()
res[i] = fid
res.tofile(out)
print(json.dumps({"points_seconds": t1 - t0, "seconds": t2 - t1, "cpu_seconds": c2 - c1, "peak_rss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                  "threads": con.execute("SELECT current_setting('threads')").fetchone()[0],
                  "spatial_join": "SPATIAL_JOIN" in plan,
                  "version": "DuckDB %s, spatial %s" % (duckdb.__version__, spatial)}))
