// Package stagecache is the runner's stage cache: the cache key of each
// stage (a Merkle chain over the code version, the stage's configuration,
// its input files and its dependencies' keys), the folder of saved stage
// results, the record of the last run into an output folder, pruning, and
// the explanation of why a stage must run again.
package stagecache

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

	"github.com/groundwork-org/groundwork/pipeline/store"
)

// Schema changes whenever the layout of cache entries or the meaning
// of a stage's outputs changes without the binary changing.
const Schema = "groundwork-cache-1"

// Key holds the parts of a stage's cache key. Key is the SHA-256 of
// the JSON encoding of the other fields.
type Key struct {
	Key    string            `json:"key"`
	Code   string            `json:"code"`
	Config string            `json:"config"` // SHA-256 of the config subtree's JSON
	Files  map[string]string `json:"files"`  // input file (as named in the pipeline file) -> SHA-256
	Deps   map[string]string `json:"deps"`   // stage -> key
}

// Stage is what a stage's key covers besides its dependencies' keys.
type Stage struct {
	Name   string
	Config any      // the configuration subtree; its JSON is hashed
	Files  []string // input files as named in the pipeline file
	Deps   []string // earlier stages it reads
}

var (
	codeOnce sync.Once
	codeVer  string
)

// CodeVersion identifies the groundwork code: the VCS revision recorded in
// the binary when it was built from a clean checkout, otherwise the SHA-256
// of the running executable, so that any change to the code invalidates the
// cache.
func CodeVersion() string {
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
				codeVer = Schema + " vcs:" + rev
				return
			}
		}
		codeVer = Schema
		if exe, err := os.Executable(); err == nil {
			if h, err := HashFile(exe); err == nil {
				codeVer += " exe:" + h
			}
		}
	})
	return codeVer
}

// HashFile returns the hex SHA-256 of the file at path.
func HashFile(path string) (string, error) {
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

// Keys computes every stage's cache key in graph order: a stage's key covers
// the code version, its configuration subtree, the bytes of its input files
// and the keys of the stages it reads, so a change anywhere upstream changes
// it (a Merkle chain, as in Bazel's action keys). path resolves an input
// file named in the pipeline file.
func Keys(ctx context.Context, path func(string) string, g []Stage) ([]*Key, error) {
	fileHash := map[string]string{}
	byName := map[string]*Key{}
	out := make([]*Key, len(g))
	for i, s := range g {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		k := &Key{Code: CodeVersion(), Files: map[string]string{}, Deps: map[string]string{}}
		var err error
		if k.Config, err = hashJSON(s.Config); err != nil {
			return nil, fmt.Errorf("stage %s: configuration: %w", s.Name, err)
		}
		for _, f := range s.Files {
			h, ok := fileHash[f]
			if !ok {
				if h, err = HashFile(path(f)); err != nil {
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
			*Key
		}{s.Name, k}); err != nil {
			return nil, err
		}
		byName[s.Name] = k
		out[i] = k
	}
	return out, nil
}

// Cache is a folder of stage results:
//
//	<dir>/stages/<stage>/<key>/files/...   the files the stage wrote
//	<dir>/stages/<stage>/<key>/out.gob     its warnings and in-memory results
//	<dir>/runs/<output hash>.json          the keys of the last successful run into an output folder
//
// An entry is written to a temporary folder and renamed into place, so an
// entry that exists is complete; a crash leaves at most a temporary folder,
// removed by the next prune.
type Cache struct {
	Dir string
}

// Entry is the folder of a stage's entry under a key.
func (c *Cache) Entry(stage, key string) string {
	return filepath.Join(c.Dir, "stages", url.PathEscape(stage), key)
}

// Has reports whether a complete entry exists.
func (c *Cache) Has(stage, key string) bool {
	_, err := os.Stat(filepath.Join(c.Entry(stage, key), "out.gob"))
	return err == nil
}

// Out is a stage's results as saved: gob-encodable, listing the files it
// wrote (relative to the staging folder).
type Out interface {
	StagedFiles() []string
}

// Put saves a finished stage: its files (hard-linked from the staging
// folder where possible, copied otherwise) and o, gob-encoded.
func (c *Cache) Put(stage, key, staging string, o Out) error {
	final := c.Entry(stage, key)
	if c.Has(stage, key) {
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
	for _, f := range o.StagedFiles() {
		if err := LinkOrCopy(filepath.Join(staging, f), filepath.Join(tmp, "files", f)); err != nil {
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
	if err := os.Rename(tmp, final); err != nil && !c.Has(stage, key) {
		return err
	}
	return nil
}

// Get decodes a cached stage's results into o (a pointer) and links its
// files into staging.
func (c *Cache) Get(stage, key, staging string, o Out) error {
	dir := c.Entry(stage, key)
	b, err := os.ReadFile(filepath.Join(dir, "out.gob"))
	if err != nil {
		return err
	}
	if err := gob.NewDecoder(bytes.NewReader(b)).Decode(o); err != nil {
		return fmt.Errorf("cached results of %s in %s are unreadable (delete that folder to rerun the stage): %w", stage, dir, err)
	}
	for _, f := range o.StagedFiles() {
		if err := LinkOrCopy(filepath.Join(dir, "files", f), filepath.Join(staging, f)); err != nil {
			return fmt.Errorf("cached results of %s: %w (delete %s to rerun the stage)", stage, err, dir)
		}
	}
	return nil
}

// LinkOrCopy hard-links src to dst, or copies it (atomically) when it
// cannot, creating dst's folder.
func LinkOrCopy(src, dst string) error {
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

// Record is what the last successful run into an output folder used.
type Record struct {
	Out    string          `json:"out"`
	Stages map[string]*Key `json:"stages"`
	// Millis is each stage's wall time in milliseconds when it last ran;
	// progress lines estimate the time left from it.
	Millis map[string]int64 `json:"millis"`
}

func (c *Cache) recordPath(out string) string {
	abs, err := filepath.Abs(out)
	if err != nil {
		abs = out
	}
	h := sha256.Sum256([]byte(abs))
	return filepath.Join(c.Dir, "runs", hex.EncodeToString(h[:8])+".json")
}

// LastRun is the record of the last successful run into out, or nil.
func (c *Cache) LastRun(out string) *Record {
	b, err := os.ReadFile(c.recordPath(out))
	if err != nil {
		return nil
	}
	var r Record
	if json.Unmarshal(b, &r) != nil {
		return nil
	}
	return &r
}

// SaveRun records a successful run into out: names[i]'s key is ks[i]; ran
// holds the wall time of the stages that ran, the others keep their time
// from last.
func (c *Cache) SaveRun(out string, names []string, ks []*Key, ran map[string]time.Duration, last *Record) error {
	abs, _ := filepath.Abs(out)
	r := Record{Out: abs, Stages: map[string]*Key{}, Millis: map[string]int64{}}
	for i, name := range names {
		r.Stages[name] = ks[i]
		if w, ok := ran[name]; ok {
			r.Millis[name] = w.Milliseconds()
		} else if last != nil {
			if ms, ok := last.Millis[name]; ok {
				r.Millis[name] = ms
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

// KeepEntries is how many cache entries of each stage are kept besides the
// ones the last run used, so that undoing an edit finds its results again.
const KeepEntries = 2

// Prune removes leftover temporary folders and, for each stage, all entries
// but those in use and the KeepEntries most recent others.
func (c *Cache) Prune(inUse map[string]bool) error {
	stages, err := os.ReadDir(filepath.Join(c.Dir, "stages"))
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil
		}
		return err
	}
	var errs []error
	for _, s := range stages {
		sd := filepath.Join(c.Dir, "stages", s.Name())
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
			if i >= KeepEntries {
				errs = append(errs, os.RemoveAll(o.path))
			}
		}
	}
	return errors.Join(errs...)
}

// Why explains, for a stage that must run, what changed since the last run
// into the same output folder.
func Why(name string, k *Key, last *Record) string {
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
