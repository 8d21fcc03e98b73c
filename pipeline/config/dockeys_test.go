package config

import (
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
)

// docFiles are the documents that show pipeline file keys.
var docFiles = []string{"README.md", "docs/census.md", "docs/indicators.md", "docs/outreach.md", "docs/scale.md"}

// TestDocumentedKeysLoad walks every key the README and the docs show
// through the loader's key check: each ```yaml block is read as a piece of a
// pipeline file, and each key named in the first column of the README's
// key tables must be a key of its section. A documented key that the loader
// would refuse, or silently drop (an unquoted null:), fails here.
func TestDocumentedKeysLoad(t *testing.T) {
	fence := regexp.MustCompile("(?s)```yaml\n(.*?)```")
	blocks := 0
	for _, file := range docFiles {
		b, err := os.ReadFile(filepath.Join("..", "..", file))
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range fence.FindAllSubmatchIndex(b, -1) {
			blocks++
			src := dedent(string(b[m[2]:m[3]]))
			line := 1 + strings.Count(string(b[:m[2]]), "\n")
			doc, probs := parseNode([]byte(src))
			if doc == nil {
				t.Errorf("%s:%d: yaml block does not parse: %v", file, line, probs)
				continue
			}
			for _, p := range checkKeys(doc, reflect.TypeOf(Config{}), "") {
				t.Errorf("%s:%d: documented key refused: %s", file, line+p.Line-1, p)
			}
			if strings.Contains(src, "null:") {
				var c Config
				if probs := decodeNode(doc, &c); len(probs) > 0 {
					t.Errorf("%s:%d: %v", file, line, probs)
				}
				kept := false
				for _, s := range c.Sources {
					kept = kept || len(s.Null) > 0
				}
				if !kept {
					t.Errorf("%s:%d: null: was dropped by the loader", file, line)
				}
			}
		}
	}
	if blocks < 8 {
		t.Errorf("found %d yaml blocks; the docs show more", blocks)
	}

	// the key tables of the README's pipeline file reference
	readme, _ := os.ReadFile(filepath.Join("..", "..", "README.md"))
	section := map[string]reflect.Type{"sources": reflect.TypeOf(Source{}), "boundaries": reflect.TypeOf(Boundary{}), "places": reflect.TypeOf(Places{}),
		"report": reflect.TypeOf(Shade{})} // the report section's table is the keys of a map shade
	var cur reflect.Type
	keyCell := regexp.MustCompile("^\\| ((?:`[a-z_]+`(?:, )?)+) \\|")
	key := regexp.MustCompile("`([a-z_]+)`")
	checked := 0
	for _, l := range strings.Split(string(readme), "\n") {
		if strings.HasPrefix(l, "## ") {
			cur = nil
		}
		if strings.HasPrefix(l, "### `") {
			cur = section[strings.Trim(strings.Fields(l)[1], "`:")]
		}
		m := keyCell.FindStringSubmatch(l)
		if cur == nil || m == nil {
			continue
		}
		fields := structFields(cur)
		for _, k := range key.FindAllStringSubmatch(m[1], -1) {
			checked++
			if _, ok := fields[k[1]]; !ok {
				t.Errorf("README documents key %q of %s, which the loader does not know", k[1], cur.Name())
			}
		}
	}
	if checked < 20 {
		t.Errorf("checked %d keys of the README's tables; the parser missed them", checked)
	}
}

// dedent removes the common leading spaces of a block indented in a list.
func dedent(s string) string {
	lines := strings.Split(s, "\n")
	min := -1
	for _, l := range lines {
		if strings.TrimSpace(l) == "" {
			continue
		}
		n := len(l) - len(strings.TrimLeft(l, " "))
		if min < 0 || n < min {
			min = n
		}
	}
	for i, l := range lines {
		if len(l) >= min && min > 0 {
			lines[i] = l[min:]
		}
	}
	return strings.Join(lines, "\n")
}
