package pipeline

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/gob"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/url"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/groundwork-org/groundwork/pipeline/config"
	"github.com/groundwork-org/groundwork/pipeline/frame"
	"github.com/groundwork-org/groundwork/pipeline/store"
	"github.com/groundwork-org/groundwork/pipeline/table"
)

// cacheSchema changes whenever the layout of cache entries or the meaning
// of a stage's outputs changes without the binary changing.
const cacheSchema = "groundwork-cache-1"

// CacheDirName is the folder, beside the output folder, that holds the stage
// cache when Options.CacheDir is empty.
const CacheDirName = ".groundwork-cache"

// stageKey holds the parts of a stage's cache key. Key is the SHA-256 of
// the JSON encoding of the other fields.
type stageKey struct {
	Key    string            `json:"key"`
	Code   string            `json:"code"`
	Config string            `json:"config"` // SHA-256 of the config subtree's JSON
	Files  map[string]string `json:"files"`  // input file (as named in the pipeline file) -> SHA-256
	Deps   map[string]string `json:"deps"`   // stage -> key
}

var (
	codeOnce sync.Once
	codeVer  string
)

// codeVersion identifies the groundwork code: the VCS revision recorded in
// the binary when it was built from a clean checkout, otherwise the SHA-256
// of the running executable, so that any change to the code invalidates the
// cache.
func codeVersion() string {
	codeOnce.Do(func() {
		if bi, ok := debug.ReadBuildInfo(); ok {
			rev, modified := "", false
			for _, s := range bi.Settings {
				switch s.Key {
				case "vcs.revision":
					rev = s.Value
				case "vcs.modified":
					modified = s.Value == "true"
				}
			}
			if rev != "" && !modified {
				codeVer = cacheSchema + " vcs:" + rev
				return
			}
		}
		codeVer = cacheSchema
		if exe, err := os.Executable(); err == nil {
			if h, err := hashFile(exe); err == nil {
				codeVer += " exe:" + h
			}
		}
	})
	return codeVer
}

func hashFile(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

func hashJSON(v any) (string, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return "", err
	}
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:]), nil
}

// keys computes every stage's cache key in graph order: a stage's key covers
// the code version, its configuration subtree, the bytes of its input files
// and the keys of the stages it reads, so a change anywhere upstream changes
// it (a Merkle chain, as in Bazel's action keys).
func keys(ctx context.Context, cfg *config.Config, g []*stageDef) ([]*stageKey, error) {
	fileHash := map[string]string{}
	byName := map[string]*stageKey{}
	out := make([]*stageKey, len(g))
	for i, s := range g {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		k := &stageKey{Code: codeVersion(), Files: map[string]string{}, Deps: map[string]string{}}
		var err error
		if k.Config, err = hashJSON(s.Config); err != nil {
			return nil, fmt.Errorf("stage %s: configuration: %w", s.Name, err)
		}
		for _, f := range s.Files {
			h, ok := fileHash[f]
			if !ok {
				if h, err = hashFile(cfg.Path(f)); err != nil {
					return nil, fmt.Errorf("stage %s: input %w", s.Name, err)
				}
				fileHash[f] = h
			}
			k.Files[f] = h
		}
		for _, d := range s.Deps {
			dk, ok := byName[d]
			if !ok {
				return nil, fmt.Errorf("stage %s reads %s, which is not an earlier stage (a bug in buildGraph)", s.Name, d)
			}
			k.Deps[d] = dk.Key
		}
		if k.Key, err = hashJSON(struct {
			Stage string
			*stageKey
		}{s.Name, k}); err != nil {
			return nil, err
		}
		byName[s.Name] = k
		out[i] = k
	}
	return out, nil
}

// cache is a folder of stage results:
//
//	<dir>/stages/<stage>/<key>/files/...   the files the stage wrote
//	<dir>/stages/<stage>/<key>/out.gob     its warnings and in-memory results
//	<dir>/runs/<output hash>.json          the keys of the last successful run into an output folder
//
// An entry is written to a temporary folder and renamed into place, so an
// entry that exists is complete; a crash leaves at most a temporary folder,
// removed by the next prune.
type cache struct {
	dir string
}

func (c *cache) entry(stage, key string) string {
	return filepath.Join(c.dir, "stages", url.PathEscape(stage), key)
}

func (c *cache) has(stage, key string) bool {
	_, err := os.Stat(filepath.Join(c.entry(stage, key), "out.gob"))
	return err == nil
}

// put saves a finished stage: its files (hard-linked from the staging
// folder where possible, copied otherwise) and its stageOut.
func (c *cache) put(stage, key, staging string, o *stageOut) error {
	final := c.entry(stage, key)
	if c.has(stage, key) {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(final), 0o755); err != nil {
		return err
	}
	tmp, err := os.MkdirTemp(filepath.Dir(final), ".tmp-"+key[:12]+"-*")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	for _, f := range o.Files {
		if err := linkOrCopy(filepath.Join(staging, f), filepath.Join(tmp, "files", f)); err != nil {
			return err
		}
	}
	var buf bytes.Buffer
	if err := gob.NewEncoder(&buf).Encode(o); err != nil {
		return fmt.Errorf("encode results of %s: %w", stage, err)
	}
	if err := os.WriteFile(filepath.Join(tmp, "out.gob"), buf.Bytes(), 0o644); err != nil {
		return err
	}
	if err := os.Rename(tmp, final); err != nil && !c.has(stage, key) {
		return err
	}
	return nil
}

// get reads a cached stage's stageOut and links its files into staging.
func (c *cache) get(stage, key, staging string) (*stageOut, error) {
	dir := c.entry(stage, key)
	b, err := os.ReadFile(filepath.Join(dir, "out.gob"))
	if err != nil {
		return nil, err
	}
	o := &stageOut{}
	if err := gob.NewDecoder(bytes.NewReader(b)).Decode(o); err != nil {
		return nil, fmt.Errorf("cached results of %s in %s are unreadable (delete that folder to rerun the stage): %w", stage, dir, err)
	}
	for _, f := range o.Files {
		if err := linkOrCopy(filepath.Join(dir, "files", f), filepath.Join(staging, f)); err != nil {
			return nil, fmt.Errorf("cached results of %s: %w (delete %s to rerun the stage)", stage, err, dir)
		}
	}
	return o, nil
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
			path := filepath.Join(staging, f)
			names, types, n, err := store.Describe(path)
			if err != nil {
				return fmt.Errorf("restore %s from the cache: %w", f, err)
			}
			tm := map[string]table.Type{}
			for i, c := range names {
				tm[c] = types[i]
			}
			if o.places == nil {
				o.places = map[string]*frame.Table{}
			}
			o.places[name] = frame.InFile(path, names, tm, int(n))
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

func linkOrCopy(src, dst string) error {
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	if err := os.Link(src, dst); err == nil {
		return nil
	}
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	return store.WriteAtomic(dst, func(w io.Writer) error {
		_, err := io.Copy(w, in)
		return err
	})
}

// runRecord is what the last successful run into an output folder used.
type runRecord struct {
	Out    string               `json:"out"`
	Stages map[string]*stageKey `json:"stages"`
	// Millis is each stage's wall time in milliseconds when it last ran;
	// progress lines estimate the time left from it.
	Millis map[string]int64 `json:"millis"`
}

func (c *cache) recordPath(out string) string {
	abs, err := filepath.Abs(out)
	if err != nil {
		abs = out
	}
	h := sha256.Sum256([]byte(abs))
	return filepath.Join(c.dir, "runs", hex.EncodeToString(h[:8])+".json")
}

func (c *cache) lastRun(out string) *runRecord {
	b, err := os.ReadFile(c.recordPath(out))
	if err != nil {
		return nil
	}
	var r runRecord
	if json.Unmarshal(b, &r) != nil {
		return nil
	}
	return &r
}

func (c *cache) saveRun(out string, g []*stageDef, ks []*stageKey, reports []StageReport, last *runRecord) error {
	abs, _ := filepath.Abs(out)
	r := runRecord{Out: abs, Stages: map[string]*stageKey{}, Millis: map[string]int64{}}
	for i, s := range g {
		r.Stages[s.Name] = ks[i]
		if reports[i].Status == "ran" {
			r.Millis[s.Name] = reports[i].Wall.Milliseconds()
		} else if last != nil {
			if ms, ok := last.Millis[s.Name]; ok {
				r.Millis[s.Name] = ms
			}
		}
	}
	b, err := json.MarshalIndent(r, "", " ")
	if err != nil {
		return err
	}
	return store.WriteAtomic(c.recordPath(out), func(w io.Writer) error {
		_, err := w.Write(b)
		return err
	})
}

// keepEntries is how many cache entries of each stage are kept besides the
// ones the last run used, so that undoing an edit finds its results again.
const keepEntries = 2

// prune removes leftover temporary folders and, for each stage, all entries
// but those in use and the keepEntries most recent others.
func (c *cache) prune(inUse map[string]bool) error {
	stages, err := os.ReadDir(filepath.Join(c.dir, "stages"))
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil
		}
		return err
	}
	var errs []error
	for _, s := range stages {
		sd := filepath.Join(c.dir, "stages", s.Name())
		ents, err := os.ReadDir(sd)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		type aged struct {
			path string
			mod  time.Time
		}
		var others []aged
		for _, e := range ents {
			p := filepath.Join(sd, e.Name())
			if strings.HasPrefix(e.Name(), ".tmp-") {
				errs = append(errs, os.RemoveAll(p))
				continue
			}
			if inUse[p] {
				continue
			}
			info, err := e.Info()
			if err != nil {
				continue
			}
			others = append(others, aged{p, info.ModTime()})
		}
		sort.Slice(others, func(i, j int) bool { return others[i].mod.After(others[j].mod) })
		for i, o := range others {
			if i >= keepEntries {
				errs = append(errs, os.RemoveAll(o.path))
			}
		}
	}
	return errors.Join(errs...)
}

// why explains, for a stage that must run, what changed since the last run
// into the same output folder.
func why(name string, k *stageKey, last *runRecord) string {
	if last == nil {
		return "no earlier run into this output folder"
	}
	p, ok := last.Stages[name]
	if !ok {
		return "new stage"
	}
	if p.Key == k.Key {
		return "results missing from the cache"
	}
	var r []string
	if p.Code != k.Code {
		r = append(r, "groundwork changed")
	}
	if p.Config != k.Config {
		r = append(r, "its configuration changed")
	}
	for _, f := range slices.Sorted(maps.Keys(k.Files)) {
		if p.Files[f] != k.Files[f] {
			r = append(r, "input "+f+" changed")
		}
	}
	var up []string
	for _, d := range slices.Sorted(maps.Keys(k.Deps)) {
		if p.Deps[d] != k.Deps[d] {
			up = append(up, d)
		}
	}
	if len(up) > 0 {
		r = append(r, "upstream "+strings.Join(up, ", ")+" changed")
	}
	if len(r) == 0 {
		return "its inputs changed"
	}
	return strings.Join(r, "; ")
}
