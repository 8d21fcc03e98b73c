package store

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/groundwork-org/groundwork/geo/geoparquet"
)

// HiveNull is the folder value Hive, Spark and DuckDB use for a null
// partition value.
const HiveNull = "__HIVE_DEFAULT_PARTITION__"

// WritePartitions writes n rows as Hive-style partitioned GeoParquet under
// dir: one file dir/<by[0]>=<v0>/<by[1]>=<v1>/part-0.parquet per distinct
// combination of the partition values, key(r, i) being the value of
// partition column by[i] in row r. part(rows) gives the table of the listed
// rows (in order, without the partition columns: readers such as DuckDB's
// read_parquet(..., hive_partitioning = true), Spark and BigQuery restore
// them from the path); it is called once per partition just before the
// partition is written, so that only one partition's table is in memory at
// a time. Each file is GeoParquet 1.1 written by package geoparquet, with
// its bbox covering column, so readers can prune by bounding box.
//
// Values are written as strings (fmt %v); a null or empty value goes to
// HiveNull; characters that cannot appear in a path segment (/ \ = % : and
// control characters) are %XX-escaped as Hive does, in column names too. A
// value such as "." or ".." needs no escape: the folder is "col=." (the
// column name and = always come first), one ordinary path element, and
// every path is checked with Path before it is written. The returned paths
// are relative to dir, sorted. Every file is written atomically; dir is not
// cleared first. No rows write nothing.
func WritePartitions(ctx context.Context, dir string, n int, by []string, key func(r, i int) any, part func(rows []int) *geoparquet.Table) ([]string, error) {
	groups := map[string][]int{}
	segs := make([]string, len(by))
	for r := range n {
		for i, b := range by {
			segs[i] = hiveEscape(b) + "=" + hiveEscape(key(r, i))
		}
		k := filepath.Join(segs...)
		groups[k] = append(groups[k], r)
	}
	paths := make([]string, 0, len(groups))
	for k := range groups {
		paths = append(paths, k)
	}
	sort.Strings(paths)
	var files []string
	for _, k := range paths {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		rel := filepath.Join(k, "part-0.parquet")
		path, err := Path(dir, strings.Split(rel, string(filepath.Separator))...)
		if err != nil {
			return nil, fmt.Errorf("partition %s: %w", k, err)
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return nil, fmt.Errorf("create partition folder: %w", err)
		}
		if err := geoparquet.WriteFile(ctx, path, part(groups[k])); err != nil {
			return nil, err
		}
		delete(groups, k) // let the row list go
		files = append(files, rel)
	}
	return files, nil
}

// hiveEscape formats a partition value (or column name) for a path segment:
// HiveNull for nil and "", otherwise the text with control characters and
// /\=%:"'#*?[]{}^ written as %XX (upper-case hex), which Hive, Spark and
// DuckDB undo when they read the partition back.
func hiveEscape(v any) string {
	if v == nil {
		return HiveNull
	}
	s := fmt.Sprint(v)
	if s == "" {
		return HiveNull
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c == 0x7f || strings.IndexByte(`/\=%:"'#*?[]{}^`, c) >= 0 {
			fmt.Fprintf(&b, "%%%02X", c)
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}
