// Package outdir replaces a run's output folder so that at every instant the
// output path holds one complete output: the old one until the switch, the
// new one after it, never a mix and never nothing.
//
// The output path is a symbolic link to a versioned folder beside it
// (out -> .out.v-<id>). A run writes a new versioned folder, makes a link to
// it under a temporary name and renames that link over the output path: one
// rename(2), atomic on POSIX file systems. The previous version is kept
// until the next run begins, so that a reader that followed the old link just
// before the switch can finish; beside the output there are then at most the
// current and the previous version (and, during a run, the one being
// written). An output path that is still a real folder (written before
// groundwork used links) is exchanged with the link in one
// renameat2(RENAME_EXCHANGE) on Linux; elsewhere it takes two renames, once.
//
// Every version folder being written has a lock file beside it
// (.out.v-<id>.lock) holding the writer's process id. A run removes the
// versions, links and locks of processes that are no longer running (a
// crash or kill -9 leaves them), and never touches those of a live process.
package outdir

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// A Staging is a version folder being written for an output path.
type Staging struct {
	out     string // the output path (the link)
	dir     string // the version folder
	lock    string // its lock file
	done    bool
	removed []string // stale entries removed by Begin
}

// step is called between the steps of Commit (tests kill the process there).
var step = func(name string) {}

// Begin removes what dead runs left beside out, and creates a new version
// folder for out with its lock file. The caller writes the output into
// Dir(), then calls Commit, or Abort on failure.
func Begin(out string) (*Staging, error) {
	out = filepath.Clean(out)
	parent, base := filepath.Split(out)
	if parent == "" {
		parent = "."
	}
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return nil, fmt.Errorf("create output folder: %w", err)
	}
	s := &Staging{out: out}
	s.removed = removeStale(parent, base, currentTarget(out))
	id, err := newID()
	if err != nil {
		return nil, err
	}
	s.dir = filepath.Join(parent, prefix(base)+id)
	s.lock = s.dir + ".lock"
	// The lock first: a folder without a live lock may be removed by
	// another run at any time.
	if err := os.WriteFile(s.lock, []byte(strconv.Itoa(os.Getpid())+"\n"), 0o644); err != nil {
		return nil, fmt.Errorf("create output lock: %w", err)
	}
	if err := os.Mkdir(s.dir, 0o755); err != nil {
		os.Remove(s.lock)
		return nil, fmt.Errorf("create output folder: %w", err)
	}
	return s, nil
}

// Dir is the folder to write the new output into.
func (s *Staging) Dir() string { return s.dir }

// Removed lists what Begin removed that runs which died left: folders,
// links and locks. Earlier committed versions, which Begin also removes,
// are not listed.
func (s *Staging) Removed() []string { return s.removed }

func prefix(base string) string { return "." + base + ".v-" }

func newID() (string, error) {
	var b [4]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return strconv.FormatInt(time.Now().UnixNano(), 36) + "-" + hex.EncodeToString(b[:]), nil
}

// currentTarget returns the base name of the version folder out links to,
// or "".
func currentTarget(out string) string {
	t, err := os.Readlink(out)
	if err != nil {
		return ""
	}
	return filepath.Base(t)
}

// Commit makes out point to the new version, atomically. After an error out still holds the previous output
// (and the new version is removed).
func (s *Staging) Commit() (err error) {
	if s.done {
		return errors.New("outdir: Commit after Commit or Abort")
	}
	defer func() {
		if err != nil {
			s.Abort()
		}
	}()
	step("written")
	link := s.dir + ".link"
	os.Remove(link)
	if err := os.Symlink(filepath.Base(s.dir), link); err != nil {
		return s.commitWithoutLinks(err)
	}
	step("linked")
	fi, err := os.Lstat(s.out)
	switch {
	case errors.Is(err, os.ErrNotExist) || (err == nil && fi.Mode()&os.ModeSymlink != 0):
		// The one atomic step: the new link replaces the old one.
		if err := os.Rename(link, s.out); err != nil {
			os.Remove(link)
			return fmt.Errorf("replace %s: %w", s.out, err)
		}
	case err != nil:
		os.Remove(link)
		return fmt.Errorf("replace %s: %w", s.out, err)
	case fi.IsDir():
		// A real folder from before links: exchange it with the link.
		// The old folder ends up under the link's name, removed by the
		// next run.
		if err := exchange(link, s.out); err != nil {
			os.Remove(link)
			return fmt.Errorf("replace %s: %w", s.out, err)
		}
	default:
		os.Remove(link)
		return fmt.Errorf("replace %s: it is a file, not an output folder", s.out)
	}
	s.done = true
	step("swapped")
	// The previous version stays until the next run begins: a reader that
	// followed the old link just before the switch can finish reading.
	os.Remove(s.lock)
	step("cleaned")
	return nil
}

// commitWithoutLinks is the fallback where symbolic links cannot be made
// (Windows without the privilege): the old folder is renamed aside and the
// version renamed into place, two renames with a moment between them.
func (s *Staging) commitWithoutLinks(linkErr error) error {
	if fi, err := os.Lstat(s.out); err == nil && fi.Mode()&os.ModeSymlink != 0 {
		return fmt.Errorf("replace %s: %w", s.out, linkErr)
	}
	old := s.dir + ".old"
	had := false
	if _, err := os.Stat(s.out); err == nil {
		if err := os.Rename(s.out, old); err != nil {
			return fmt.Errorf("replace %s: %w", s.out, err)
		}
		had = true
	}
	if err := os.Rename(s.dir, s.out); err != nil {
		if had {
			os.Rename(old, s.out)
		}
		return fmt.Errorf("replace %s: %w", s.out, err)
	}
	s.done = true
	if had {
		os.RemoveAll(old)
	}
	os.Remove(s.lock)
	return nil
}

// Abort removes the new version and its lock; out is left as it was. It may
// be called after Commit (it does nothing then).
func (s *Staging) Abort() {
	if s.done {
		return
	}
	s.done = true
	os.RemoveAll(s.dir)
	os.Remove(s.dir + ".link")
	os.Remove(s.lock)
}

// removeStale removes, in parent, the version folders, links and locks of
// output base whose writer is no longer running, except current (the
// version out links to, which becomes the previous version when this run
// commits). It returns the paths removed, except those of superseded
// versions.
func removeStale(parent, base, current string) []string {
	ents, err := os.ReadDir(parent)
	if err != nil {
		return nil
	}
	p := prefix(base)
	live, locked := map[string]bool{}, map[string]bool{}
	for _, e := range ents {
		name := e.Name()
		if v, ok := strings.CutSuffix(name, ".lock"); ok && strings.HasPrefix(name, p) {
			locked[v] = true
			if alive(filepath.Join(parent, name)) {
				live[v] = true
			}
		}
	}
	var removed []string
	legacy := "." + base + ".staging-"
	for _, e := range ents {
		name := e.Name()
		if strings.HasPrefix(name, legacy) {
			// Written by versions before lock files: no pid to check, so
			// the old rule (a day without change) applies.
			if info, err := e.Info(); err == nil && time.Since(info.ModTime()) > legacyStaleAfter {
				if err := os.RemoveAll(filepath.Join(parent, name)); err == nil {
					removed = append(removed, filepath.Join(parent, name))
				}
			}
			continue
		}
		if !strings.HasPrefix(name, p) {
			continue
		}
		v := name
		for _, suf := range []string{".swap", ".lock", ".link", ".old"} {
			v = strings.TrimSuffix(v, suf)
		}
		if name == current || live[v] {
			continue
		}
		path := filepath.Join(parent, name)
		// A version folder without a lock was committed and then
		// superseded (Commit removes the lock): removing it is routine,
		// not the clean-up of a run that died.
		superseded := name == v && !locked[v]
		if err := os.RemoveAll(path); err == nil && !superseded {
			removed = append(removed, path)
		}
	}
	return removed
}

// legacyStaleAfter is the age after which a staging folder of a version
// before lock files (.out.staging-*) is removed.
const legacyStaleAfter = 24 * time.Hour

// alive reports whether the process named in lock file path is running.
// An unreadable or malformed lock counts as dead.
func alive(path string) bool {
	b, err := os.ReadFile(path)
	if err != nil {
		return false
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil || pid <= 0 {
		return false
	}
	return processAlive(pid)
}
