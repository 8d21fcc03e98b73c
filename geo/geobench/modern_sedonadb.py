# SedonaDB peer of `groundwork bench join` (Apache Sedona's single-node
# engine): ST_Contains join of points with polygons. Same arguments and
# output as modern_duckdb.py.
import json, resource, sys, time
import numpy as np, pyarrow as pa, pyarrow.csv as pacsv, pyarrow.parquet as pq, sedonadb, sedona.db

def cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime

polys_csv, points_bin, n, out = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
sd = sedona.db.connect()
pc = pacsv.read_csv(polys_csv, read_options=pacsv.ReadOptions(column_names=["fid", "wkb"]), convert_options=pacsv.ConvertOptions(column_types={"fid": pa.int32(), "wkb": pa.string()}))
wkb = pa.array([bytes.fromhex(h) for h in pc.column("wkb").to_pylist()], pa.binary())
sd.create_data_frame(pa.table({"fid": pc.column("fid"), "wkb": wkb})).to_view("polys_wkb")
sd.sql("SELECT fid, ST_GeomFromWKB(wkb) AS geom FROM polys_wkb").to_memtable().to_view("polys")
xy = np.fromfile(points_bin, dtype="<f8", count=2 * n).reshape(-1, 2)
sd.create_data_frame(pa.table({"i": np.arange(n, dtype=np.int32), "x": xy[:, 0], "y": xy[:, 1]})).to_view("raw")
t0, c0 = time.perf_counter(), cpu()
sd.sql("SELECT i, ST_Point(x, y) AS geom FROM raw").to_memtable().to_view("pts")
t1, c1 = time.perf_counter(), cpu()
r = sd.sql("SELECT p.i, t.fid FROM pts p JOIN polys t ON ST_Contains(t.geom, p.geom)").to_memtable()
t2, c2 = time.perf_counter(), cpu()
r.to_parquet(out + ".parquet")
tab = pq.read_table(out + ".parquet")
res = np.full(n, -1, dtype="<i4")
i, fid = tab.column("i").to_numpy(), tab.column("fid").to_numpy()
order = np.lexsort((-fid, i))  # per point, the smallest fid written last
res[i[order]] = fid[order]
res.tofile(out)
print(json.dumps({"points_seconds": t1 - t0, "seconds": t2 - t1, "cpu_seconds": c2 - c1, "peak_rss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                  "version": "SedonaDB %s" % sedonadb.__version__}))
