package pipeline

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// marker names the file that identifies a folder as groundwork output.
const marker = ".groundwork-out"

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
