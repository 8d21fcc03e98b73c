package pipeline

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// marker names the file that identifies a folder as groundwork output.
const marker = ".groundwork-out"

// staleAfter is the age after which a staging folder left by a crashed run
// is removed by the next run into the same output folder.
const staleAfter = 24 * time.Hour

// removeStale removes the staging folders (and folders set aside while
// swapping) of output folder base in parent that were last modified before
// cutoff: a crash or kill -9 leaves them behind. Errors are logged only.
func removeStale(parent, base string, cutoff time.Time, log *slog.Logger) {
	ents, err := os.ReadDir(parent)
	if err != nil {
		return
	}
	for _, e := range ents {
		if !e.IsDir() || !strings.HasPrefix(e.Name(), "."+base+".staging-") {
			continue
		}
		info, err := e.Info()
		if err != nil || info.ModTime().After(cutoff) {
			continue
		}
		p := filepath.Join(parent, e.Name())
		if err := os.RemoveAll(p); err != nil {
			log.Warn("could not remove a staging folder left by an earlier run", "dir", p, "err", err)
		} else {
			log.Info("removed a staging folder left by an earlier run", "dir", p)
		}
	}
}

// checkOutDir refuses to replace a folder that groundwork did not write, so
// that a mistyped --out never deletes a user's files.
func checkOutDir(out string) error {
	ents, err := os.ReadDir(out)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("output folder %s: %w", out, err)
	}
	if len(ents) == 0 {
		return nil
	}
	if _, err := os.Stat(filepath.Join(out, marker)); err == nil {
		return nil
	}
	return fmt.Errorf("output folder %s is not empty and was not written by groundwork; choose another folder with --out (groundwork replaces its output folder on every run)", out)
}

// swapDir replaces out with stage: out is renamed aside, stage renamed into
// place, and the old folder removed.
func swapDir(stage, out string) error {
	old := ""
	if _, err := os.Stat(out); err == nil {
		old = stage + ".old"
		if err := os.Rename(out, old); err != nil {
			return fmt.Errorf("replace %s: %w", out, err)
		}
	}
	if err := os.Rename(stage, out); err != nil {
		if old != "" {
			os.Rename(old, out)
		}
		return fmt.Errorf("replace %s: %w", out, err)
	}
	if old != "" {
		os.RemoveAll(old)
	}
	return nil
}
