package config

import (
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/groundwork-org/groundwork/pipeline/suggest"
)

// Problem is one problem of a pipeline file: where it is (line, when known,
// and the key path, such as sources.acs.columns[2].type) and what is wrong,
// in groundwork's words.
type Problem struct {
	Line    int
	Path    string
	Message string
}

func (p Problem) String() string {
	var b strings.Builder
	if p.Line > 0 {
		fmt.Fprintf(&b, "line %d: ", p.Line)
	}
	if p.Path != "" {
		b.WriteString(p.Path + ": ")
	}
	b.WriteString(p.Message)
	return b.String()
}

// parseNode reads a pipeline file into a YAML node tree. A syntax error is
// returned as a Problem in groundwork's words, with its line.
func parseNode(b []byte) (*yaml.Node, []Problem) {
	var root yaml.Node
	if err := yaml.Unmarshal(b, &root); err != nil {
		return nil, []Problem{syntaxProblem(err)}
	}
	if len(root.Content) == 0 {
		return nil, []Problem{{Message: "the file is empty; a pipeline file is a YAML mapping with sources, boundaries, tracts and the rest (see README, \"The pipeline file\")"}}
	}
	doc := root.Content[0]
	if doc.Kind != yaml.MappingNode {
		return nil, []Problem{{Line: doc.Line, Message: fmt.Sprintf("the file is a YAML %s, want a mapping of keys (name:, sources:, ...)", kindName(doc))}}
	}
	normalizeKeys(doc)
	return doc, nil
}

var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// syntaxProblem rewrites a YAML parser error: its line, and the parser's
// message with a hint for the common causes.
func syntaxProblem(err error) Problem {
	msg := err.Error()
	line := 0
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		line, _ = strconv.Atoi(m[1])
		msg = m[2]
	} else {
		msg = strings.TrimPrefix(msg, "yaml: ")
	}
	hint := ""
	switch {
	case strings.Contains(msg, "mapping values are not allowed"):
		hint = "; a value holding \": \" needs quotes (where: 'a == \"b\"'), or a key is indented under a value"
	case strings.Contains(msg, "found character that cannot start any token"):
		hint = "; YAML indents with spaces, never tabs"
	case strings.Contains(msg, "did not find expected key"), strings.Contains(msg, "did not find expected '-'"):
		hint = "; check the indentation of this line against the lines above"
	case strings.Contains(msg, "found unexpected end of stream"), strings.Contains(msg, "did not find expected"):
		hint = "; a quote or bracket opened here is not closed"
	}
	return Problem{Line: line, Message: "YAML syntax: " + msg + hint}
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.SequenceNode:
		return "list"
	case yaml.ScalarNode:
		return "single value"
	case yaml.MappingNode:
		return "mapping"
	}
	return "value"
}

// normalizeKeys makes every scalar mapping key a string. YAML resolves an
// unquoted key such as null, ~, true or 12 to another type, and yaml.v3 then
// matches it to no field, so `null: ["NA"]` (a documented key) was dropped
// without a word. Keys are names in a pipeline file, never values.
func normalizeKeys(n *yaml.Node) {
	if n.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(n.Content); i += 2 {
			if k := n.Content[i]; k.Kind == yaml.ScalarNode && k.Tag != "!!str" && k.Tag != "!!merge" {
				k.Tag = "!!str"
				k.Style = 0
			}
		}
	}
	for _, c := range n.Content {
		normalizeKeys(c)
	}
}

var unmarshalerType = reflect.TypeOf((*yaml.Unmarshaler)(nil)).Elem()

// checkKeys walks n against the Go type t (the type it decodes into) and
// reports every key the type does not have, with its line, its path and the
// closest known key, and every value of the wrong shape (a list where a
// mapping belongs). It goes on after a problem, so one pass finds them all.
// An unknown key with a closest known key that the mapping does not give
// is renamed to it in n, and checked as that key.
func checkKeys(n *yaml.Node, t reflect.Type, path string) []Problem {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	var out []Problem
	switch t.Kind() {
	case reflect.Struct:
		if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
			return nil
		}
		if n.Kind != yaml.MappingNode {
			if reflect.PointerTo(t).Implements(unmarshalerType) {
				return nil // its own decoder takes other shapes
			}
			return []Problem{{Line: n.Line, Path: path, Message: fmt.Sprintf("is a %s, want a mapping of keys (%s)", kindName(n), strings.Join(fieldNames(t), ", "))}}
		}
		fields := structFields(t)
		// A type with its own decoder may take a short form: one key that is
		// not a field, with a single value (columns: `- name: type`).
		if reflect.PointerTo(t).Implements(unmarshalerType) && len(n.Content) == 2 {
			if _, known := fields[n.Content[0].Value]; !known && n.Content[1].Kind == yaml.ScalarNode {
				return nil
			}
		}
		seen := map[string]int{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if k.Tag == "!!merge" {
				continue
			}
			key := k.Value
			sub := joinPath(path, key)
			if first, dup := seen[key]; dup {
				out = append(out, Problem{Line: k.Line, Path: sub, Message: fmt.Sprintf("key given twice (first on line %d)", first)})
				continue
			}
			seen[key] = k.Line
			ft, ok := fields[key]
			if !ok {
				out = append(out, Problem{Line: k.Line, Path: sub, Message: unknownKey(key, t)})
				best := suggest.Closest(key, fieldNames(t))
				if best == "" || hasKey(n, best) {
					continue
				}
				// Read the block as the key it was meant to be: its
				// contents are checked too, and what refers to it is
				// not a second, false problem (a typo'd summaries: made
				// every finding's summary "unknown"). The problem above
				// still stops the load.
				k.Value, key, ft = best, best, fields[best]
				sub = joinPath(path, key)
				seen[key] = k.Line
			}
			out = append(out, checkKeys(v, ft, sub)...)
		}
	case reflect.Map:
		if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
			return nil
		}
		if n.Kind != yaml.MappingNode {
			return []Problem{{Line: n.Line, Path: path, Message: fmt.Sprintf("is a %s, want a mapping (name: ...)", kindName(n))}}
		}
		seen := map[string]int{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			sub := joinPath(path, k.Value)
			if first, dup := seen[k.Value]; dup && k.Tag != "!!merge" {
				out = append(out, Problem{Line: k.Line, Path: sub, Message: fmt.Sprintf("name given twice (first on line %d); give each a name of its own", first)})
				continue
			}
			seen[k.Value] = k.Line
			out = append(out, checkKeys(n.Content[i+1], t.Elem(), sub)...)
		}
	case reflect.Slice, reflect.Array:
		if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
			return nil
		}
		if n.Kind != yaml.SequenceNode {
			if reflect.PointerTo(t).Implements(unmarshalerType) {
				return nil
			}
			return []Problem{{Line: n.Line, Path: path, Message: fmt.Sprintf("is a %s, want a list ([a, b] or lines starting with -)", kindName(n))}}
		}
		for i, c := range n.Content {
			out = append(out, checkKeys(c, t.Elem(), fmt.Sprintf("%s[%d]", path, i))...)
		}
	case reflect.Interface:
		// any value is accepted here; the field's own validation checks it
	default:
		if n.Kind == yaml.MappingNode || n.Kind == yaml.SequenceNode {
			if reflect.PointerTo(t).Implements(unmarshalerType) {
				return nil
			}
			return []Problem{{Line: n.Line, Path: path, Message: fmt.Sprintf("is a %s, want a single value (%s)", kindName(n), t.Kind())}}
		}
	}
	return out
}

// hasKey reports whether the mapping n gives key.
func hasKey(n *yaml.Node, key string) bool {
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return true
		}
	}
	return false
}

func joinPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// structFields maps the YAML keys of a struct type to their field types,
// following inline fields.
func structFields(t reflect.Type) map[string]reflect.Type {
	out := map[string]reflect.Type{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := f.Tag.Get("yaml")
		name, opts, _ := strings.Cut(tag, ",")
		if name == "-" || !f.IsExported() {
			continue
		}
		if strings.Contains(opts, "inline") {
			it := f.Type
			for it.Kind() == reflect.Pointer {
				it = it.Elem()
			}
			if it.Kind() == reflect.Struct {
				for k, v := range structFields(it) {
					out[k] = v
				}
			}
			continue
		}
		if name == "" {
			name = strings.ToLower(f.Name)
		}
		out[name] = f.Type
	}
	return out
}

func fieldNames(t reflect.Type) []string {
	var names []string
	for k := range structFields(t) {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}

// unknownKey says a key is not one of t's, with the closest known key or
// the list of keys.
func unknownKey(key string, t reflect.Type) string {
	names := fieldNames(t)
	if best := suggest.Closest(key, names); best != "" {
		return fmt.Sprintf("unknown key %q; did you mean %q?", key, best)
	}
	return fmt.Sprintf("unknown key %q; the keys here are: %s", key, strings.Join(names, ", "))
}

// decodeNode decodes a checked node into v. Keys were checked by
// checkKeys, so this decode is not strict; a value of the wrong type
// (a word where a number belongs) comes back as Problems with lines.
func decodeNode(n *yaml.Node, v any) []Problem {
	err := n.Decode(v)
	if err == nil {
		return nil
	}
	var te *yaml.TypeError
	if errors.As(err, &te) {
		var out []Problem
		for _, e := range te.Errors {
			out = append(out, typeProblem(e))
		}
		return out
	}
	return []Problem{typeProblem(err.Error())}
}

var yamlTypeErr = regexp.MustCompile(`^line (\d+): cannot unmarshal !!(\w+) ` + "`" + `(.*)` + "`" + ` into (.*)$`)

// typeProblem rewrites a yaml.v3 type error ("line 5: cannot unmarshal !!str
// `ten` into int") without Go type names.
func typeProblem(msg string) Problem {
	msg = strings.TrimPrefix(msg, "yaml: ")
	if m := yamlTypeErr.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		return Problem{Line: line, Message: fmt.Sprintf("%q is %s, want %s", m[3], yamlKind(m[2]), goKind(m[4]))}
	}
	line := 0
	if l, rest, ok := strings.Cut(msg, ": "); ok && strings.HasPrefix(l, "line ") {
		line, _ = strconv.Atoi(strings.TrimPrefix(l, "line "))
		msg = rest
	}
	return Problem{Line: line, Message: msg}
}

func yamlKind(tag string) string {
	switch tag {
	case "str":
		return "text"
	case "int":
		return "a whole number"
	case "float":
		return "a number"
	case "bool":
		return "true/false"
	case "seq":
		return "a list"
	case "map":
		return "a mapping"
	}
	return tag
}

func goKind(t string) string {
	switch {
	case strings.HasPrefix(t, "int"), strings.HasPrefix(t, "uint"):
		return "a whole number"
	case strings.HasPrefix(t, "float"):
		return "a number"
	case t == "bool":
		return "true or false"
	case t == "string":
		return "text"
	case strings.HasPrefix(t, "[]"):
		return "a list"
	case strings.HasPrefix(t, "map"):
		return "a mapping"
	}
	return "another kind of value"
}

// linePaths records the key path of every value node by its line, so that a
// decode error that only knows its line can name its key.
func linePaths(n *yaml.Node, path string, out map[int]string) {
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			sub := joinPath(path, n.Content[i].Value)
			v := n.Content[i+1]
			if _, ok := out[v.Line]; !ok || v.Kind == yaml.ScalarNode {
				out[v.Line] = sub
			}
			linePaths(v, sub, out)
		}
	case yaml.SequenceNode:
		for i, c := range n.Content {
			sub := fmt.Sprintf("%s[%d]", path, i)
			if _, ok := out[c.Line]; !ok {
				out[c.Line] = sub
			}
			linePaths(c, sub, out)
		}
	}
}

// decodeStrictly reads a pipeline file into v (a pointer to the file's
// top-level struct) and returns every problem of its form at once: YAML
// syntax, unknown keys (with did-you-mean), values of the wrong shape or
// type, each with its line and key path, in line order. Keys such as null
// are read as the names they are.
func decodeStrictly(b []byte, v any) []Problem {
	doc, probs := parseNode(b)
	if doc == nil {
		return probs
	}
	probs = checkKeys(doc, reflect.TypeOf(v), "")
	dropRepeatedKeys(doc) // reported above; decoded, the block would be lost
	dec := decodeNode(doc, v)
	if len(dec) > 0 {
		paths := map[int]string{}
		linePaths(doc, "", paths)
		had := map[int]bool{}
		for _, p := range probs {
			had[p.Line] = true
		}
		for _, p := range dec {
			if had[p.Line] {
				continue // the key check said it better
			}
			if p.Path == "" {
				p.Path = paths[p.Line]
			}
			probs = append(probs, p)
		}
	}
	sort.SliceStable(probs, func(a, b int) bool { return probs[a].Line < probs[b].Line })
	return probs
}

// dropRepeatedKeys removes from every mapping under n each key given again
// and its value, keeping the first: checkKeys has reported the repeat, and
// the YAML decoder refuses the whole mapping for it, which would leave the
// block undefined and make every reference to it a false second problem
// (a source given `file:` twice "is not a local file source").
func dropRepeatedKeys(n *yaml.Node) {
	if n.Kind == yaml.MappingNode {
		seen := map[string]bool{}
		kept := n.Content[:0]
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			if k.Tag != "!!merge" && k.Kind == yaml.ScalarNode {
				if seen[k.Value] {
					continue
				}
				seen[k.Value] = true
			}
			kept = append(kept, k, n.Content[i+1])
		}
		n.Content = kept
	}
	for _, c := range n.Content {
		dropRepeatedKeys(c)
	}
}

// keyLines maps every key path of the file to the line of its key.
func keyLines(n *yaml.Node) map[string]int {
	out := map[string]int{}
	var walk func(n *yaml.Node, path string)
	walk = func(n *yaml.Node, path string) {
		switch n.Kind {
		case yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				sub := joinPath(path, n.Content[i].Value)
				out[sub] = n.Content[i].Line
				walk(n.Content[i+1], sub)
			}
		case yaml.SequenceNode:
			for i, c := range n.Content {
				sub := fmt.Sprintf("%s[%d]", path, i)
				out[sub] = c.Line
				walk(c, sub)
			}
		}
	}
	walk(n, "")
	return out
}

// lineOf is the line of the longest prefix of path that the file has (a
// validation problem may name a key that is missing, such as
// sources.acs.year, whose parent is there).
func lineOf(lines map[string]int, path string) int {
	for p := path; p != ""; {
		if l, ok := lines[p]; ok {
			return l
		}
		i := strings.LastIndexAny(p, ".[")
		if i < 0 {
			break
		}
		p = p[:i]
	}
	return 0
}
