"""groundwork's Sedona job: placement, summaries and segments on Apache Spark.

Written by `groundwork` (pipeline/sedona, embedded in the binary and versioned
with it) beside the job's inputs. Usage:

    python job.py job.json [--master URL] [--jars JAR,JAR] [--base URI] [--partitions N]
    spark-submit --packages org.apache.sedona:... job.py job.json [--base URI] [--partitions N]

job.json lists the boundaries (GeoParquet, one row per feature: "id" and a
WKB "geometry"), the areas (Parquet: "id" of a boundary feature, "value") and
the point sets (Parquet: "row", "lon", "lat"; EPSG:4326). Paths in it are
relative to its folder. For each point set the job writes, under out/:

    placements/NAME/state=SS/county=CCC/part-*.parquet
        one row per point: row, one column per boundary (the ID of the
        feature holding the point, null for none) and per area (its value),
        and covers_BOUNDARY (how many features of the boundary hold the
        point: more than one on a shared edge, resolved to the smallest ID);
        partitioned the Hive way by the state and county of the point's
        tract (null partition for points in no tract), as `--partitioned`
    summaries/NAME/, segments/NAME/members/, segments/NAME/counts/
        for each table (a places set's records: inputs/tables/NAME.parquet),
        its summaries and segments, computed as groundwork computes them
        (see run_table)

Boundary rule (groundwork's geo.Index): a point inside a polygon or on one of
its edges belongs to it (ST_Intersects of a polygon and a point is true on
the boundary); a point strictly inside a hole does not; when several
features hold a point it goes to the one with the smallest ID in byte order
(Spark compares strings by their UTF-8 bytes, so min(id) is that rule).

Partitioning: a boundary marked "counties" has IDs that start with the state
and county FIPS codes (tracts, block groups). The job takes each county's
envelope (the union of its features' bounding boxes: one small row per
county, broadcast), pairs every point with the counties whose envelope holds
it (Sedona's BroadcastIndexJoin over an R-tree of the envelopes, a left
join: the points are streamed, not shuffled), repartitions the pairs by
county (the first shuffle of the points), and joins each pair with the
features of its own county only: the features are broadcast once as an
R-tree (BroadcastIndexJoin) and the county is the join's extra condition
(written as startswith(id, county) so that Spark does not turn it into a
hash join that would test every feature of the county). Other boundaries
(neighborhoods, wards) are broadcast whole to a BroadcastIndexJoin on the
same stream. The smallest-ID rule then groups the matches by point (the
second shuffle), the areas are broadcast lookups, and the placements are
written partitioned by the state and county of the tract (the third
shuffle). Set GROUNDWORK_SEDONA_EXPLAIN=1 to print the physical plan.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from dataclasses import dataclass, field
from typing import Any

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

JOB_VERSION = 2


@dataclass
class Boundary:
    name: str
    file: str
    counties: bool


@dataclass
class Area:
    name: str
    boundary: str
    file: str


@dataclass
class Points:
    name: str
    file: str
    boundaries: list[str]
    areas: list[str] = field(default_factory=list)


@dataclass
class Summary:
    name: str
    where: str | None
    by: list[str]
    measures: list[str]


@dataclass
class Segment:
    name: str
    where: str | None
    rank: str | None
    desc: bool
    id: str
    limit: int


@dataclass
class Table:
    name: str
    points: str
    file: str
    boundaries: list[str]
    summaries: list[Summary] = field(default_factory=list)
    segments: list[Segment] = field(default_factory=list)


@dataclass
class Job:
    boundaries: dict[str, Boundary]
    areas: dict[str, Area]
    points: list[Points]
    output: str
    partitions: int
    tables: list[Table] = field(default_factory=list)


def load_job(path: str, base: str | None = None) -> Job:
    """Reads job.json; its paths are relative to base (default: its folder)."""
    with open(path, encoding="utf-8") as f:
        raw: dict[str, Any] = json.load(f)
    if raw.get("version") != JOB_VERSION:
        raise SystemExit(
            f"{path}: job version {raw.get('version')!r}, this job script reads "
            f"version {JOB_VERSION}; write the job again with the same groundwork"
        )
    root = base or os.path.dirname(os.path.abspath(path))

    def rel(p: str) -> str:
        if "://" in p or os.path.isabs(p):
            return p
        if "://" in root or root.startswith("dbfs:"):
            return root.rstrip("/") + "/" + p
        return os.path.join(root, p)

    return Job(
        boundaries={
            b["name"]: Boundary(b["name"], rel(b["file"]), bool(b.get("counties")))
            for b in raw["boundaries"]
        },
        areas={
            a["name"]: Area(a["name"], a["boundary"], rel(a["file"]))
            for a in raw.get("areas") or []
        },
        points=[
            Points(
                p["name"], rel(p["file"]), p["boundaries"] or [], p.get("areas") or []
            )
            for p in raw["points"]
        ],
        output=rel(raw.get("output", "out")),
        partitions=int(raw.get("partitions", 8)),
        tables=[
            Table(
                t["name"],
                t["points"],
                rel(t["file"]),
                t.get("boundaries") or [],
                [
                    Summary(s["name"], s.get("where"), s["by"], s.get("measures") or [])
                    for s in t.get("summaries") or []
                ],
                [
                    Segment(
                        g["name"],
                        g.get("where"),
                        g.get("rank"),
                        bool(g.get("desc")),
                        g["id"],
                        int(g.get("limit") or 0),
                    )
                    for g in t.get("segments") or []
                ],
            )
            for t in raw.get("tables") or []
        ],
    )


def session(
    master: str | None, jars: str | None, partitions: int, driver_memory: str | None
) -> SparkSession:
    """One Spark session with Sedona's SQL functions and join planner."""
    b = SparkSession.builder.appName("groundwork-sedona")
    if master:
        b = b.master(master)
    if driver_memory:
        # Read by the launcher before the driver JVM starts (pyspark's own
        # launcher; under spark-submit, pass --driver-memory instead).
        b = b.config("spark.driver.memory", driver_memory)
    if jars:
        b = b.config("spark.jars", jars)
    b = (
        b.config("spark.sql.extensions", "org.apache.sedona.sql.SedonaSqlExtensions")
        .config("spark.serializer", "org.apache.spark.serializer.KryoSerializer")
        .config(
            "spark.kryo.registrator",
            "org.apache.sedona.core.serde.SedonaKryoRegistrator",
        )
        .config("spark.sql.shuffle.partitions", str(partitions))
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.session.timeZone", "UTC")
    )
    spark = b.getOrCreate()
    spark.sparkContext.setLogLevel("WARN")
    return spark


def read_boundary(spark: SparkSession, b: Boundary) -> DataFrame:
    df = spark.read.parquet(b.file).select(
        F.col("id"), F.expr("ST_GeomFromWKB(geometry)").alias("geom")
    )
    if b.counties:
        df = df.withColumn("state", F.substring("id", 1, 2)).withColumn(
            "county", F.substring("id", 3, 3)
        )
    return df


def run_points(spark: SparkSession, job: Job, p: Points) -> dict[str, Any]:
    """Places one point set and writes its placements (see the module doc)."""
    started = time.monotonic()
    s = spark.read.parquet(p.file).selectExpr(
        "row",
        "CASE WHEN lon IS NOT NULL AND lat IS NOT NULL THEN ST_Point(lon, lat) END"
        " AS geom",
    )
    cols = ["row", "geom"]
    partitioned = False
    for i, name in enumerate(p.boundaries):
        bd = job.boundaries[name]
        b = read_boundary(spark, bd)
        b.createOrReplaceTempView(f"_b{i}")
        cond = "ST_Intersects(t.geom, s.geom)"
        if bd.counties and not partitioned:
            # Pair each point with the counties whose envelope holds it,
            # then shuffle the pairs by county.
            spark.sql(
                "SELECT state, county, ST_Envelope_Aggr(geom) AS env "
                f"FROM _b{i} GROUP BY state, county"
            ).createOrReplaceTempView(f"_c{i}")
            s.createOrReplaceTempView("_s")
            s = spark.sql(
                f"SELECT /*+ BROADCAST(c) */ {', '.join('s.' + c for c in cols)}, "
                "concat(c.state, c.county) AS _county "
                f"FROM _s s LEFT JOIN _c{i} c ON ST_Intersects(c.env, s.geom)"
            ).repartition("_county")
            cols.append("_county")
            partitioned = True
        if bd.counties:
            # Only the features of the pair's county (not an equi-join
            # condition, so that Sedona keeps its R-tree join).
            cond += " AND startswith(t.id, s._county)"
        s.createOrReplaceTempView("_s")
        s = spark.sql(
            f"SELECT /*+ BROADCAST(t) */ {', '.join('s.' + c for c in cols)}, "
            f"t.id AS {name} FROM _s s LEFT JOIN _b{i} t ON {cond}"
        )
        cols.append(name)
    # The boundary rule: the smallest ID among the features holding the
    # point; covers_NAME counts them (more than one: a shared edge).
    out = s.groupBy("row").agg(
        *[F.min(n).alias(n) for n in p.boundaries],
        *[F.size(F.collect_set(n)).alias(f"covers_{n}") for n in p.boundaries],
    )
    for name in p.areas:
        a = job.areas[name]
        lookup = spark.read.parquet(a.file).select(
            F.col("id").alias(a.boundary), F.col("value").alias(name)
        )
        out = out.join(F.broadcast(lookup), a.boundary, "left")
    county_of = next((n for n in p.boundaries if job.boundaries[n].counties), None)
    if county_of:
        out = out.withColumn("state", F.substring(county_of, 1, 2)).withColumn(
            "county", F.substring(county_of, 3, 3)
        )
    else:
        out = out.withColumn("state", F.lit(None).cast("string")).withColumn(
            "county", F.lit(None).cast("string")
        )
    out = out.select(
        "row",
        *p.boundaries,
        *p.areas,
        *[F.col(f"covers_{n}").cast("long") for n in p.boundaries],
        "state",
        "county",
    )
    if os.environ.get("GROUNDWORK_SEDONA_EXPLAIN"):
        out.explain()
    (
        out.repartition("state", "county")
        .sortWithinPartitions("row")
        .write.mode("overwrite")
        .partitionBy("state", "county")
        .parquet(job.output.rstrip("/") + "/placements/" + p.name)
    )
    return {"seconds": round(time.monotonic() - started, 3)}


def ident(name: str) -> str:
    return "`" + name.replace("`", "``") + "`"


def run_table(spark: SparkSession, job: Job, t: Table) -> dict[str, Any]:
    """Summaries and segments over a places set's records.

    The records (inputs/tables/NAME.parquet: "rec", their position among the
    records with a point, "point", the row of that point in point set
    t.points, and the columns the summaries and segments read) are joined
    with the point set's placements; a record in no feature of any of
    t.boundaries is not placed (groundwork lists it as unplaced) and is left
    out, as from the places table. Each summary groups the records its rule
    keeps (rule TRUE) by its columns and writes, per group, n and per
    measure its count of values, the sum in record order, and the minimum,
    median and maximum of the values that are numbers, exactly as
    groundwork computes them (stats.Summarize; a median of an even count is
    the mean of the two middle values). A group with a null key is the
    records outside every area. Each segment writes the records its rule
    keeps, ranked (by its rank column, nulls last, then the ID as a string,
    then the record), with their position, and a row of counts (matched;
    missing: the rule is NULL because a value it compares is null).
    """
    started = time.monotonic()
    out = job.output.rstrip("/")
    placements = spark.read.parquet(out + "/placements/" + t.points).drop(
        "state", "county"
    )
    recs = spark.read.parquet(t.file)
    df = recs.join(placements.withColumnRenamed("row", "point"), "point", "left")
    if t.boundaries:
        df = df.where(" OR ".join(f"{ident(b)} IS NOT NULL" for b in t.boundaries))
    df.createOrReplaceTempView("_records")
    for s in t.summaries:
        cond = f"({s.where}) IS TRUE" if s.where else "TRUE"
        cols = [f"CAST({ident(b)} AS STRING) AS {ident(b)}" for b in s.by]
        cols.append("CAST(count(*) AS BIGINT) AS n")
        for m in s.measures:
            x = f"CAST({ident(m)} AS DOUBLE)"
            cols.append(
                f"array_sort(collect_list(CASE WHEN {ident(m)} IS NOT NULL THEN "
                f"named_struct('r', rec, 'x', {x}) END)) AS {ident('_o_' + m)}"
            )
        group = f" GROUP BY {', '.join(ident(b) for b in s.by)}" if s.by else ""
        grouped = spark.sql(
            f"SELECT {', '.join(cols)} FROM _records WHERE {cond}{group}"
        )
        sel = [ident(b) for b in s.by] + ["n"]
        for m in s.measures:
            o = ident("_o_" + m)
            v = f"transform({o}, e -> e.x)"
            srt = f"array_sort(filter({v}, x -> NOT isnan(x)))"
            sel += [
                f"CAST(size({o}) AS BIGINT) AS {ident(m + '__count')}",
                f"aggregate({v}, CAST(0 AS DOUBLE), (a, x) -> a + x) AS {ident(m + '__sum')}",
            ]
            grouped = grouped.withColumn("_s_" + m, F.expr(srt))
            s_ = ident("_s_" + m)
            k = f"size({s_})"
            sel += [
                f"CAST({k} AS BIGINT) AS {ident(m + '__n')}",
                f"CASE WHEN {k} > 0 THEN element_at({s_}, 1) END AS {ident(m + '__min')}",
                f"CASE WHEN {k} > 0 THEN element_at({s_}, {k}) END AS {ident(m + '__max')}",
                (
                    f"CASE WHEN {k} = 0 THEN NULL "
                    f"WHEN {k} % 2 = 1 THEN element_at({s_}, CAST(({k} + 1) div 2 AS INT)) "
                    f"ELSE (element_at({s_}, CAST({k} div 2 AS INT)) "
                    f"+ element_at({s_}, CAST({k} div 2 + 1 AS INT))) / 2 END "
                    f"AS {ident(m + '__median')}"
                ),
            ]
        grouped.selectExpr(*sel).coalesce(1).write.mode("overwrite").parquet(
            out + "/summaries/" + s.name
        )
    for g in t.segments:
        cond = f"({g.where})" if g.where else "TRUE"
        flagged = spark.sql(f"SELECT *, {cond} AS _match FROM _records")
        counts = flagged.selectExpr(
            "CAST(count_if(_match) AS BIGINT) AS matched",
            "CAST(count_if(_match IS NULL) AS BIGINT) AS missing",
        )
        counts.coalesce(1).write.mode("overwrite").parquet(
            out + "/segments/" + g.name + "/counts"
        )
        rank = f"CAST({ident(g.rank)} AS DOUBLE)" if g.rank else "CAST(NULL AS DOUBLE)"
        # groundwork's tie-break is the ID as fmt.Sprint writes it ("<nil>"
        # for a null).
        flagged.where("_match IS TRUE").selectExpr(
            "rec",
            f"{rank} AS _x",
            f"coalesce(CAST({ident(g.id)} AS STRING), '<nil>') AS _id",
        ).createOrReplaceTempView("_members")
        order = f"_x IS NULL, _x {'DESC' if g.desc else 'ASC'}, _id, rec"
        limit = f" ORDER BY {order} LIMIT {g.limit}" if g.limit > 0 else ""
        spark.sql(
            f"SELECT rec, CAST(row_number() OVER (ORDER BY {order}) AS BIGINT) AS pos "
            f"FROM (SELECT * FROM _members{limit})"
        ).coalesce(1).write.mode("overwrite").parquet(
            out + "/segments/" + g.name + "/members"
        )
    return {"seconds": round(time.monotonic() - started, 3)}


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description="groundwork's Sedona placement job")
    ap.add_argument("job", help="job.json written by groundwork")
    ap.add_argument("--master", help="Spark master URL (default: spark-submit's)")
    ap.add_argument("--jars", help="comma-separated Sedona jars (spark.jars)")
    ap.add_argument(
        "--base",
        help="folder or URI (s3://, gs://, hdfs://, dbfs:/) holding inputs/ and "
        "receiving out/ (default: the folder of job.json)",
    )
    ap.add_argument(
        "--partitions",
        type=int,
        help="Spark shuffle partitions (default: job.json's, 8; on a cluster "
        "a few per executor core)",
    )
    ap.add_argument(
        "--driver-memory",
        help="heap of the Spark driver, e.g. 4g (in local mode it runs the "
        "executors too, and holds the broadcast boundaries)",
    )
    args = ap.parse_args(argv)
    job = load_job(args.job, args.base)
    spark = session(
        args.master, args.jars, args.partitions or job.partitions, args.driver_memory
    )
    for p in job.points:
        stats = run_points(spark, job, p)
        print(
            f"groundwork-sedona: {p.name}: {json.dumps(stats, sort_keys=True)}",
            flush=True,
        )
    for t in job.tables:
        stats = run_table(spark, job, t)
        print(
            f"groundwork-sedona: table {t.name}: {json.dumps(stats, sort_keys=True)}",
            flush=True,
        )
    spark.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
