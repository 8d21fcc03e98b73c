package config

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"gopkg.in/yaml.v3"
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

// Parse decodes a pipeline file strictly (unknown keys are errors) and
// validates it without touching the file system. name is used in errors.
func Parse(name string, b []byte) (*Config, error) {
	if err := precheck(name, b); err != nil {
		return nil, err
	}
	d := yaml.NewDecoder(bytes.NewReader(b))
	d.KnownFields(true)
	var c Config
	if err := d.Decode(&c); err != nil {
		if strings.Contains(err.Error(), "tab character") {
			if terr, ok := tabProblem(name, b); ok {
				return nil, terr
			}
		}
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if errs := c.Validate(); len(errs) > 0 {
		return nil, &Error{File: name, Problems: errs}
	}
	return &c, nil
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
	type plain ColumnDef
	var p plain
	if err := decodeStrict(n, &p); err != nil {
		return err
	}
	*c = ColumnDef(p)
	return nil
}

// decodeStrict decodes a node refusing unknown keys (yaml.Node.Decode does not
// honour KnownFields, so we re-encode through a strict decoder).
func decodeStrict(n *yaml.Node, v any) error {
	b, err := yaml.Marshal(n)
	if err != nil {
		return err
	}
	d := yaml.NewDecoder(bytes.NewReader(b))
	d.KnownFields(true)
	if err := d.Decode(v); err != nil {
		return fmt.Errorf("line %d: %w", n.Line, err)
	}
	return nil
}
