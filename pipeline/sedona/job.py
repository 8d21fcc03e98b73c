"""groundwork's Sedona job: point-in-polygon placement on Apache Spark.

Written by `groundwork` (pipeline/sedona, embedded in the binary and versioned
with it) beside the job's inputs. Usage:

    python job.py job.json [--master URL] [--jars JAR,JAR]
    spark-submit --packages org.apache.sedona:... job.py job.json

job.json lists the boundaries (GeoParquet, one row per feature: "id" and a
WKB "geometry"), the areas (Parquet: "id" of a boundary feature, "value") and
the point sets (Parquet: "row", "lon", "lat"; EPSG:4326). Paths in it are
relative to its folder. For each point set the job writes, under out/:

    placements/NAME/state=SS/county=CCC/part-*.parquet
        one row per point: row, one column per boundary (the ID of the
        feature holding the point, null for none) and per area (its value),
        partitioned the Hive way by the state and county of the point's
        tract (null partition for points in no tract), as `--partitioned`
    stats/NAME/part-*.parquet
        one row of counts: points, placed per boundary, points covered by more than one
        feature of a boundary (on a shared edge; resolved to the smallest ID)
        and partition candidates

Boundary rule (groundwork's geo.Index): a point inside a polygon or on one of
its edges belongs to it (ST_Intersects of a polygon and a point is true on
the boundary); a point strictly inside a hole does not; when several
features hold a point it goes to the one with the smallest ID in byte order
(Spark compares strings by their UTF-8 bytes, so min(id) is that rule).

Partitioning: a boundary marked "counties" has IDs that start with the state
and county FIPS codes (tracts, block groups). The job takes each county's
envelope (the union of its features' bounding boxes: one small row per
county, broadcast), pairs every point with the counties whose envelope holds
it (Sedona's BroadcastIndexJoin over an R-tree of the envelopes: the points
are not shuffled), repartitions the pairs by state and county (a shuffle of
the points, into the Hive layout of `--partitioned`), and joins each pair
with the features of its own county only: the features are broadcast once as
an R-tree (BroadcastIndexJoin) and the county is the join's extra condition
(written as startswith(id, state || county) so that Spark does not turn it
into a hash join that would test every feature of the county). The smallest-ID
rule then groups matches by point (a shuffle by row), and the placements are
written partitioned by the state and county of the tract (a shuffle by
partition). Boundaries without counties (neighborhoods, wards) are broadcast
whole to a BroadcastIndexJoin. Set GROUNDWORK_SEDONA_EXPLAIN=1 to print the
physical plans.
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
from pyspark.sql import types as T

JOB_VERSION = 1


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
class Job:
    boundaries: dict[str, Boundary]
    areas: dict[str, Area]
    points: list[Points]
    output: str
    partitions: int


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
    )


def session(master: str | None, jars: str | None, partitions: int) -> SparkSession:
    """One Spark session with Sedona's SQL functions and join planner."""
    b = SparkSession.builder.appName("groundwork-sedona")
    if master:
        b = b.master(master)
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


def resolve(hits: DataFrame, name: str) -> DataFrame:
    """One row per placed point: the smallest covering ID and the cover count."""
    return hits.groupBy("row").agg(
        F.min("id").alias(name), F.count("*").alias(f"_n_{name}")
    )


def place_counties(
    spark: SparkSession, pts: DataFrame, b: DataFrame, name: str
) -> DataFrame:
    """Places pts in a county-coded boundary, county by county (see above)."""
    b.createOrReplaceTempView("_b")
    spark.sql(
        "SELECT state, county, ST_Envelope_Aggr(geom) AS env FROM _b GROUP BY state, county"
    ).createOrReplaceTempView("_counties")
    pts.createOrReplaceTempView("_p")
    cand = spark.sql(
        "SELECT /*+ BROADCAST(c) */ p.row, p.geom, c.state, c.county "
        "FROM _p p JOIN _counties c ON ST_Intersects(c.env, p.geom)"
    ).repartition("state", "county")
    cand.createOrReplaceTempView("_cand")
    hits = spark.sql(
        "SELECT /*+ BROADCAST(t) */ c.row, t.id FROM _cand c JOIN _b t "
        "ON ST_Intersects(t.geom, c.geom) AND startswith(t.id, concat(c.state, c.county))"
    )
    return resolve(hits, name)


def place_broadcast(
    spark: SparkSession, pts: DataFrame, b: DataFrame, name: str
) -> DataFrame:
    b.createOrReplaceTempView("_b")
    pts.createOrReplaceTempView("_p")
    hits = spark.sql(
        "SELECT /*+ BROADCAST(t) */ p.row, t.id FROM _p p JOIN _b t "
        "ON ST_Intersects(t.geom, p.geom)"
    )
    return resolve(hits, name)


def run_points(spark: SparkSession, job: Job, p: Points) -> dict[str, Any]:
    started = time.monotonic()
    raw = spark.read.parquet(p.file).select("row", "lon", "lat")
    pts = raw.where("lon IS NOT NULL AND lat IS NOT NULL").select(
        "row", F.expr("ST_Point(lon, lat)").alias("geom")
    )
    stats: dict[str, Any] = {"points": raw.count()}
    out = raw.select("row")
    county_of: str | None = None
    for name in p.boundaries:
        bd = job.boundaries[name]
        b = read_boundary(spark, bd)
        if bd.counties:
            placed = place_counties(spark, pts, b, name)
            county_of = county_of or name
        else:
            placed = place_broadcast(spark, pts, b, name)
        out = out.join(placed, "row", "left")
    for name in p.areas:
        a = job.areas[name]
        lookup = spark.read.parquet(a.file).select(
            F.col("id").alias(a.boundary), F.col("value").alias(name)
        )
        out = out.join(F.broadcast(lookup), a.boundary, "left")
    if county_of:
        out = out.withColumn("state", F.substring(county_of, 1, 2)).withColumn(
            "county", F.substring(county_of, 3, 3)
        )
    else:
        out = out.withColumn("state", F.lit(None).cast("string")).withColumn(
            "county", F.lit(None).cast("string")
        )
    if os.environ.get("GROUNDWORK_SEDONA_EXPLAIN"):
        out.explain()
    out = out.cache()
    counts = out.agg(
        *[F.count(n).alias(f"placed_{n}") for n in p.boundaries],
        *[
            F.sum(F.when(F.col(f"_n_{n}") > 1, 1).otherwise(0)).alias(f"shared_{n}")
            for n in p.boundaries
        ],
    ).first()
    for n in p.boundaries:
        stats[f"placed_{n}"] = int(counts[f"placed_{n}"] or 0)
        stats[f"shared_{n}"] = int(counts[f"shared_{n}"] or 0)
    cols = ["row", *p.boundaries, *p.areas, "state", "county"]
    (
        out.select(*cols)
        .repartition("state", "county")
        .sortWithinPartitions("row")
        .write.mode("overwrite")
        .partitionBy("state", "county")
        .parquet(os.path.join(job.output, "placements", p.name))
    )
    out.unpersist()
    stats["seconds"] = round(time.monotonic() - started, 3)
    return stats


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
    args = ap.parse_args(argv)
    job = load_job(args.job, args.base)
    spark = session(args.master, args.jars, job.partitions)
    for p in job.points:
        stats = run_points(spark, job, p)
        # Written by Spark, beside the placements, so that on a cluster
        # every output is on the same storage.
        fields = [
            T.StructField(k, T.DoubleType() if k == "seconds" else T.LongType())
            for k in sorted(stats)
        ]
        spark.createDataFrame(
            [tuple(stats[k] for k in sorted(stats))], T.StructType(fields)
        ).coalesce(1).write.mode("overwrite").parquet(
            job.output.rstrip("/") + "/stats/" + p.name
        )
        print(
            f"groundwork-sedona: {p.name}: {json.dumps(stats, sort_keys=True)}",
            flush=True,
        )
    spark.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
