package pipeline

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/groundwork-org/groundwork/pipeline/config"
	"github.com/groundwork-org/groundwork/pipeline/frame"
	"github.com/groundwork-org/groundwork/pipeline/stagecache"
	"github.com/groundwork-org/groundwork/pipeline/store"
)

// CacheDirName is the folder, beside the output folder, that holds the stage
// cache (package stagecache) when Options.CacheDir is empty.
const CacheDirName = ".groundwork-cache"

// runRecord is what the last successful run into an output folder used.
type runRecord = stagecache.Record

// StagedFiles lists the files the stage wrote, for the stage cache.
func (o *stageOut) StagedFiles() []string { return o.Files }

// keys computes every stage's cache key in graph order (stagecache.Keys).
func keys(ctx context.Context, cfg *config.Config, g []*stageDef) ([]*stagecache.Key, error) {
	ss := make([]stagecache.Stage, len(g))
	for i, s := range g {
		ss[i] = stagecache.Stage{Name: s.Name, Config: s.Config, Files: s.Files, Deps: s.Deps}
	}
	return stagecache.Keys(ctx, cfg.Path, ss)
}

// restore rebuilds a cached stage's in-memory tables from its files:
// raw/<source>.parquet, tracts.parquet and places/<name>.parquet. The
// tables of streamed sources (cfg.streamedSource) are not read: a streamed
// source is read from its file when used, and its places set is restored
// as rows in their file.
func (o *stageOut) restore(ctx context.Context, staging string, cfg *config.Config) error {
	for _, f := range o.Files {
		rel := filepath.ToSlash(f)
		var kind, name string
		switch {
		case strings.HasPrefix(rel, "raw/") && strings.HasSuffix(rel, ".parquet"):
			kind, name = "raw", strings.TrimSuffix(strings.TrimPrefix(rel, "raw/"), ".parquet")
		case rel == "tracts.parquet":
			kind = "tracts"
		case strings.HasPrefix(rel, "places/") && strings.HasSuffix(rel, ".parquet"):
			kind, name = "places", strings.TrimSuffix(strings.TrimPrefix(rel, "places/"), ".parquet")
		default:
			continue
		}
		switch {
		case kind == "raw" && cfg.StreamedSource(name):
			continue
		case kind == "places" && cfg.Places[name] != nil && cfg.StreamedSource(cfg.Places[name].Source):
			t, err := frame.OpenFile(filepath.Join(staging, f))
			if err != nil {
				return fmt.Errorf("restore %s from the cache: %w", f, err)
			}
			if o.places == nil {
				o.places = map[string]*frame.Table{}
			}
			o.places[name] = t
			continue
		}
		rec, err := store.ReadParquet(ctx, filepath.Join(staging, f))
		if err != nil {
			return fmt.Errorf("restore %s from the cache: %w", f, err)
		}
		switch kind {
		case "raw":
			if o.raw == nil {
				o.raw = map[string]arrow.RecordBatch{}
			}
			o.raw[name] = rec
		case "tracts":
			o.tracts = frame.FromRecord(rec)
			rec.Release()
		case "places":
			if o.places == nil {
				o.places = map[string]*frame.Table{}
			}
			o.places[name] = frame.FromRecord(rec)
			rec.Release()
		}
	}
	return nil
}
