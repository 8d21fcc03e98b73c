package store

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// NamePattern is the pattern of every name a pipeline file gives that ends up
// in an output path (sources, boundaries, places, summaries, segments, turfs,
// profiles): a letter or digit, then up to 63 letters, digits, underscores
// or hyphens. Such a name is one path element on every operating system: it
// has no separator, is never "." or "..", never hidden, never absolute, and
// needs no quoting in a shell or a URL.
const NamePattern = `^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$`

var nameRE = regexp.MustCompile(NamePattern)

// ErrBadName is wrapped by CheckName for a name that does not match
// NamePattern.
var ErrBadName = errors.New("not a valid name")

// CheckName returns nil when name matches NamePattern, and otherwise an
// error wrapping ErrBadName that says what is wrong and how to fix it.
func CheckName(name string) error {
	if nameRE.MatchString(name) {
		return nil
	}
	var why string
	switch {
	case name == "":
		why = "it is empty"
	case name == "." || name == ".." || strings.ContainsAny(name, `/\`):
		why = "names become file names, and path elements such as /, \\ and .. would write outside the output folder"
	case len(name) > 64:
		why = fmt.Sprintf("it has %d characters, at most 64 are allowed", len(name))
	case name[0] == '_' || name[0] == '-' || name[0] == '.':
		why = "it must start with a letter or digit"
	default:
		why = "use only letters, digits, _ and - (no spaces or punctuation)"
	}
	return fmt.Errorf("%q is %w: %s; rename it, e.g. %q", name, ErrBadName, why, suggestName(name))
}

// suggestName turns s into a name that matches NamePattern.
func suggestName(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_':
			b.WriteRune(r)
		case b.Len() > 0 && !strings.HasSuffix(b.String(), "_"):
			b.WriteByte('_')
		}
	}
	out := strings.Trim(b.String(), "_-")
	if len(out) > 64 {
		out = out[:64]
	}
	if out == "" {
		return "name1"
	}
	return out
}

// MaxElem is the longest path element Path accepts, in bytes: the limit of
// ext4, APFS, NTFS and most other file systems.
const MaxElem = 255

// ErrOutside is wrapped by Path when a path would leave its root.
var ErrOutside = errors.New("path is outside the output folder")

// Path returns the path of elems under root after proving it stays inside
// root, so callers may open it for writing: each element must be a single
// relative path element (not empty, ".", or "..", no / or \ separator, no
// NUL byte, not absolute, no volume name, at most MaxElem bytes), and no existing folder between
// root and the file may be a symbolic link (a link could point anywhere).
// root itself may be a link. The result is filepath.Join(root, elems...).
// Errors wrap ErrOutside and name the offending element.
func Path(root string, elems ...string) (string, error) {
	if root == "" {
		return "", fmt.Errorf("%w: no output folder given", ErrOutside)
	}
	if len(elems) == 0 {
		return "", fmt.Errorf("%w: no file name given", ErrOutside)
	}
	for _, e := range elems {
		if err := checkElem(e); err != nil {
			return "", fmt.Errorf("%w: %s", ErrOutside, err)
		}
	}
	p := filepath.Join(append([]string{root}, elems...)...)
	rel, err := filepath.Rel(root, p)
	if err != nil || rel == "." || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) || filepath.IsAbs(rel) {
		return "", fmt.Errorf("%w: %s is not inside %s", ErrOutside, p, root)
	}
	dir := root
	for _, e := range elems[:len(elems)-1] {
		dir = filepath.Join(dir, e)
		fi, err := os.Lstat(dir)
		if errors.Is(err, os.ErrNotExist) {
			break
		}
		if err != nil {
			return "", err
		}
		if fi.Mode()&os.ModeSymlink != 0 {
			return "", fmt.Errorf("%w: %s is a symbolic link", ErrOutside, dir)
		}
	}
	return p, nil
}

func checkElem(e string) error {
	switch {
	case e == "":
		return errors.New("empty path element")
	case e == "." || e == "..":
		return fmt.Errorf("path element %q", e)
	case strings.ContainsAny(e, `/\`):
		return fmt.Errorf("path element %q contains a separator", e)
	case strings.IndexByte(e, 0) >= 0:
		return fmt.Errorf("path element %q contains a NUL byte", e)
	case filepath.IsAbs(e) || filepath.VolumeName(e) != "":
		return fmt.Errorf("path element %q is absolute", e)
	case len(e) > MaxElem:
		return fmt.Errorf("path element %.40q... has %d bytes, more than the %d that file systems allow", e, len(e), MaxElem)
	}
	return nil
}
