"""Reads raw Parquet files written by pipeline/store with pyarrow and with
DuckDB (both pinned in requirements.txt) for TestRawReadByPyarrowAndDuckDB.
stdin: {"files": [...]}; stdout: per file and reader, per column, every
cell as text (null: None): strings as they are, integers in decimal,
doubles as the decimal of their IEEE 754 bits, booleans true/false."""
import json, struct, sys

import duckdb
import pyarrow.parquet as pq


def cell(v):
    if v is None:
        return None
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return str(struct.unpack("<q", struct.pack("<d", v))[0])
    return str(v)


req = json.load(sys.stdin)
out = {}
for f in req["files"]:
    t = pq.read_table(f)
    got = {"pyarrow": {name: [cell(v) for v in t.column(name).to_pylist()] for name in t.column_names}}
    con = duckdb.connect()
    q = f.replace("'", "''")
    res = con.execute(f"select * from read_parquet('{q}')")
    names = [d[0] for d in res.description]
    rows = res.fetchall()
    got["duckdb"] = {name: [cell(r[j]) for r in rows] for j, name in enumerate(names)}
    out[f] = got
json.dump(out, sys.stdout)
