package geobench

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"
)

func hexWKB(g orb.Geometry) string {
	b, err := wkb.Marshal(g)
	if err != nil {
		panic(fmt.Sprintf("geobench: wkb of a valid layer geometry: %v", err)) // programmer error
	}
	return hex.EncodeToString(b)
}

// geopandasScript times gpd.sjoin(points, polygons, predicate="within") and
// writes, per point, the index of the polygon holding it (or -1).
const geopandasScript = `
import json, resource, sys, time
import numpy as np, pandas as pd, geopandas as gpd, shapely
from shapely import wkb
try:
    geos_version = shapely.geos_version_string
except AttributeError:  # Shapely 1.8
    from shapely.geos import geos_version_string as geos_version
polys_csv, points_bin, out, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
df = pd.read_csv(polys_csv, header=None, names=["fid", "wkb"], dtype={"fid": np.int32, "wkb": str})
polys = gpd.GeoDataFrame({"fid": df.fid}, geometry=[wkb.loads(bytes.fromhex(h)) for h in df.wkb], crs="EPSG:4326")
xy = np.fromfile(points_bin, dtype="<f8", count=2 * n).reshape(-1, 2)
t0 = time.perf_counter()
pts = gpd.GeoDataFrame(geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]), crs="EPSG:4326")
t1 = time.perf_counter()
r0 = resource.getrusage(resource.RUSAGE_SELF)
j = gpd.sjoin(pts, polys, how="left", predicate="within")
t2 = time.perf_counter()
r1 = resource.getrusage(resource.RUSAGE_SELF)
j = j[~j.index.duplicated(keep="first")]
res = j["fid"].fillna(-1).astype(np.int32).to_numpy()
res.astype("<i4").tofile(out)
print(json.dumps({"points_seconds": t1 - t0, "sjoin_seconds": t2 - t1,
  "cpu_seconds": r1.ru_utime + r1.ru_stime - r0.ru_utime - r0.ru_stime, "peak_rss_kib": r1.ru_maxrss,
  "version": "GeoPandas %s, Shapely %s, GEOS %s, pandas %s" % (gpd.__version__, shapely.__version__, geos_version, pd.__version__)}))
`

func runGeoPandas(ctx context.Context, python string, in *peerInput) (Result, []int32, error) {
	if _, err := os.Stat(python); err != nil {
		return Result{}, nil, fmt.Errorf("%s %w (Debian: apt-get install python3-geopandas python3-rtree)", python, errNotInstalled)
	}
	out := filepath.Join(in.dir, "geopandas.i32")
	cmd := exec.CommandContext(ctx, python, "-c", geopandasScript, in.polyCSV, in.pointsBin, out, strconv.Itoa(in.n))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.Output()
	if err != nil {
		return Result{}, nil, fmt.Errorf("geopandas: %w: %s (Debian: apt-get install python3-geopandas python3-rtree)", err, lastLine(stderr.String()))
	}
	var rep struct {
		PointsSeconds float64 `json:"points_seconds"`
		SjoinSeconds  float64 `json:"sjoin_seconds"`
		CPUSeconds    float64 `json:"cpu_seconds"`
		PeakRSSKiB    float64 `json:"peak_rss_kib"`
		Version       string  `json:"version"`
	}
	if err := json.Unmarshal(stdout, &rep); err != nil {
		return Result{}, nil, fmt.Errorf("geopandas output %q: %w", stdout, err)
	}
	got, err := readInt32s(out, in.n)
	if err != nil {
		return Result{}, nil, err
	}
	return Result{Engine: "GeoPandas sjoin within", Version: rep.Version, Points: in.n, Seconds: rep.SjoinSeconds, CPUSeconds: rep.CPUSeconds, PeakRSSMiB: rep.PeakRSSKiB / 1024,
		Note: fmt.Sprintf("sjoin only; building the point GeoDataFrame took %.2f s more", rep.PointsSeconds)}, got, nil
}

func readInt32s(path string, n int) ([]int32, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if len(b) != 4*n {
		return nil, fmt.Errorf("%s: %d bytes, want %d", path, len(b), 4*n)
	}
	out := make([]int32, n)
	for i := range out {
		out[i] = int32(binary.LittleEndian.Uint32(b[4*i:]))
	}
	return out, nil
}

func lastLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		return s[i+1:]
	}
	return s
}

// pgCluster is a throwaway PostgreSQL cluster on 127.0.0.1.
type pgCluster struct {
	bin, dir, port string
	asPostgres     bool // running as root: run the server as user postgres
}

func (c *pgCluster) cmd(ctx context.Context, name string, args ...string) *exec.Cmd {
	path := filepath.Join(c.bin, name)
	if c.asPostgres {
		return exec.CommandContext(ctx, "runuser", append([]string{"-u", "postgres", "--", path}, args...)...)
	}
	return exec.CommandContext(ctx, path, args...)
}

func (c *pgCluster) run(ctx context.Context, name string, args ...string) (string, error) {
	cmd := c.cmd(ctx, name, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("%s: %w: %s", name, err, lastLine(stderr.String()))
	}
	return string(out), nil
}

// psql runs SQL and returns its unaligned, tuples-only output.
func (c *pgCluster) psql(ctx context.Context, sql string) (string, error) {
	return c.run(ctx, "psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p", c.port, "-U", "postgres", "-d", "postgres", "-c", sql)
}

func startCluster(ctx context.Context, bin, parent string) (*pgCluster, error) {
	if _, err := os.Stat(filepath.Join(bin, "initdb")); err != nil {
		return nil, fmt.Errorf("%s/initdb %w (Debian: apt-get install postgresql-15-postgis-3)", bin, errNotInstalled)
	}
	dir, err := os.MkdirTemp(parent, "pg-")
	if err != nil {
		return nil, err
	}
	c := &pgCluster{bin: bin, dir: dir, asPostgres: os.Geteuid() == 0}
	if c.asPostgres {
		u, err := user.Lookup("postgres")
		if err != nil {
			return nil, fmt.Errorf("running as root needs the postgres user: %w", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			return nil, err
		}
		os.Chmod(parent, 0o755)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	c.port = strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
	l.Close()
	data := filepath.Join(dir, "data")
	if _, err := c.run(ctx, "initdb", "-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"); err != nil {
		return nil, err
	}
	opts := fmt.Sprintf("-c listen_addresses=127.0.0.1 -p %s -k %s -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c shared_buffers=512MB -c work_mem=256MB", c.port, dir)
	if _, err := c.run(ctx, "pg_ctl", "-D", data, "-o", opts, "-l", filepath.Join(dir, "log"), "-w", "start"); err != nil {
		return nil, err
	}
	return c, nil
}

func (c *pgCluster) stop() {
	c.run(context.Background(), "pg_ctl", "-D", filepath.Join(c.dir, "data"), "-m", "immediate", "-w", "stop")
	os.RemoveAll(c.dir)
}

func runPostGIS(ctx context.Context, bin string, in *peerInput) ([]Result, []int32, error) {
	c, err := startCluster(ctx, bin, in.dir)
	if err != nil {
		return nil, nil, err
	}
	defer c.stop()
	os.Chmod(in.dir, 0o755)
	for _, f := range []string{in.polyCSV, in.pointsCSV} {
		os.Chmod(f, 0o644)
	}
	setup := fmt.Sprintf(`CREATE EXTENSION postgis;
CREATE TABLE polys (id int, geom geometry);
CREATE TABLE raw (i int, x float8, y float8);
COPY polys FROM '%s' (FORMAT csv);
COPY raw FROM '%s' (FORMAT csv);
CREATE TABLE pts AS SELECT i, ST_MakePoint(x, y) AS geom FROM raw;
CREATE INDEX polys_gix ON polys USING gist (geom);
ANALYZE polys; ANALYZE pts;`, in.polyCSV, in.pointsCSV)
	if _, err := c.psql(ctx, setup); err != nil {
		return nil, nil, fmt.Errorf("postgis setup: %w", err)
	}
	version, err := c.psql(ctx, "SELECT split_part(version(), ' on ', 1) || ', PostGIS ' || postgis_lib_version() || ', GEOS ' || postgis_geos_version()")
	if err != nil {
		return nil, nil, err
	}
	version = strings.TrimSpace(version)
	const defaultQ = "SELECT p.i, t.id FROM pts p JOIN polys t ON ST_Contains(t.geom, p.geom)"
	plan, err := c.psql(ctx, "EXPLAIN (COSTS OFF) "+defaultQ)
	if err != nil {
		return nil, nil, err
	}
	timed := func(sql string) (float64, error) {
		start := time.Now()
		_, err := c.psql(ctx, sql)
		return time.Since(start).Seconds(), err
	}
	var results []Result
	sec, err := timed("CREATE TABLE r_default AS " + defaultQ)
	if err != nil {
		return nil, nil, err
	}
	results = append(results, Result{Engine: "PostGIS ST_Contains, default plan", Version: version, Points: in.n, Seconds: sec,
		Note: "plan: " + strings.Join(strings.Fields(plan), " ")})
	idxSec, err := timed("CREATE INDEX pts_gix ON pts USING gist (geom); ANALYZE pts")
	if err != nil {
		return nil, nil, err
	}
	sec, err = timed(`CREATE TABLE r_outer AS SELECT s.i, t.id FROM polys t
CROSS JOIN LATERAL (SELECT p.i FROM pts p WHERE ST_Contains(t.geom, p.geom) OFFSET 0) s`)
	if err != nil {
		return nil, nil, err
	}
	results = append(results, Result{Engine: "PostGIS ST_Contains, polygons-outer plan", Version: version, Points: in.n, Seconds: sec,
		Note: fmt.Sprintf("query only; the GiST index on the points it needs took %.2f s more", idxSec)})
	got := make([]int32, in.n)
	for i := range got {
		got[i] = -1
	}
	out, err := c.psql(ctx, "COPY (SELECT i, min(id) FROM r_default GROUP BY i) TO STDOUT (FORMAT csv)")
	if err != nil {
		return nil, nil, err
	}
	r := csv.NewReader(strings.NewReader(out))
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, nil, err
		}
		i, _ := strconv.Atoi(rec[0])
		id, _ := strconv.Atoi(rec[1])
		if i >= 0 && i < len(got) {
			got[i] = int32(id)
		}
	}
	// The two plans must give the same pairs.
	diff, err := c.psql(ctx, "SELECT count(*) FROM ((SELECT * FROM r_default EXCEPT SELECT * FROM r_outer) UNION ALL (SELECT * FROM r_outer EXCEPT SELECT * FROM r_default)) d")
	if err != nil {
		return nil, nil, err
	}
	if strings.TrimSpace(diff) != "0" {
		results[1].Note += fmt.Sprintf("; %s pairs differ from the default plan", strings.TrimSpace(diff))
	}
	return results, got, nil
}
