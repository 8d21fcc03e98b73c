package config

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Load reads and validates a pipeline file. Relative paths in it are
// resolved against the file's folder. All validation problems are returned
// at once, joined, each naming its path in the file.
func Load(path string) (*Config, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read pipeline file: %w", err)
	}
	c, err := Parse(path, b)
	if err != nil {
		return nil, err
	}
	c.dir = filepath.Dir(path)
	return c, nil
}

// Parse decodes a pipeline file strictly and validates it without touching
// the file system; name is used in errors. Every problem is reported at
// once, in one *Error, each with its line where known and its key path: YAML
// syntax, unknown keys (with the closest known key), values of the wrong
// shape or type, then every validation problem. A YAML syntax error stops
// the reading, so it comes alone. Keys are read as the names they are: an
// unquoted `null:` is the null key, not a YAML null.
func Parse(name string, b []byte) (*Config, error) {
	if err := precheck(name, b); err != nil {
		return nil, err
	}
	var c Config
	probs := decodeStrictly(b, &c)
	for _, p := range probs {
		if strings.HasPrefix(p.Message, "YAML syntax") || p.Path == "" && p.Line == 0 {
			if strings.Contains(p.Message, "tab character") {
				if terr, ok := tabProblem(name, b); ok {
					return nil, terr
				}
			}
			return nil, &Error{File: name, Problems: problemStrings(probs)}
		}
	}
	if doc, _ := parseNode(b); doc != nil {
		lines := keyLines(doc)
		for _, v := range c.Validate() {
			path, msg, _ := strings.Cut(v, ": ")
			probs = append(probs, Problem{Line: lineOf(lines, path), Path: path, Message: msg})
		}
	}
	if len(probs) > 0 {
		return nil, &Error{File: name, Problems: problemStrings(probs)}
	}
	return &c, nil
}

func problemStrings(ps []Problem) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.String()
	}
	return out
}

// Error lists every problem found in a pipeline file.
type Error struct {
	File     string
	Problems []string
}

func (e *Error) Error() string {
	return fmt.Sprintf("%s: %d problem(s):\n  %s", e.File, len(e.Problems), strings.Join(e.Problems, "\n  "))
}

// Path resolves a file path from the pipeline file against its folder.
func (c *Config) Path(p string) string {
	if p == "" || filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(c.dir, p)
}

// UnmarshalYAML accepts the short form `name: type` (a mapping with one key)
// as well as the full mapping, which needs at least name and type.
func (c *ColumnDef) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.MappingNode && len(n.Content) == 2 && n.Content[1].Kind == yaml.ScalarNode {
		c.Name, c.Type = n.Content[0].Value, n.Content[1].Value
		return nil
	}
	// Unknown keys were reported by Parse's key check, with their line and
	// a suggestion; here the known ones are read.
	type plain ColumnDef
	var p plain
	if err := n.Decode(&p); err != nil {
		return err
	}
	*c = ColumnDef(p)
	return nil
}

// UnmarshalYAML reads one scalar or a list of scalars, each as its text.
func (s *Strings) UnmarshalYAML(n *yaml.Node) error {
	switch n.Kind {
	case yaml.ScalarNode:
		if n.Tag == "!!null" {
			*s = nil
			return nil
		}
		*s = Strings{n.Value}
		return nil
	case yaml.SequenceNode:
		out := make(Strings, 0, len(n.Content))
		for _, c := range n.Content {
			if c.Kind != yaml.ScalarNode {
				return fmt.Errorf("line %d: want a list of codes", c.Line)
			}
			out = append(out, c.Value)
		}
		*s = out
		return nil
	}
	return fmt.Errorf("line %d: want a code or a list of codes", n.Line)
}
