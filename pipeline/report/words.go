package report

import (
	"strings"
	"unicode"

	"github.com/groundwork-org/groundwork/reports"
)

// plural writes n and the noun in the number n calls for: "1 county",
// "4,286 counties".
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return reports.Number(float64(n), 0) + " " + many
}

// upperFirst upper-cases the first letter of s.
func upperFirst(s string) string {
	r := []rune(s)
	if len(r) == 0 {
		return s
	}
	r[0] = unicode.ToUpper(r[0])
	return string(r)
}

// singular turns a plural label ("elementary schools") into its singular.
func singular(s string) string {
	switch {
	case strings.HasSuffix(s, "ies"):
		return strings.TrimSuffix(s, "ies") + "y"
	case strings.HasSuffix(s, "s"):
		return strings.TrimSuffix(s, "s")
	}
	return s
}

// lowerFirst lower-cases the first letter of a label unless it starts an
// acronym ("API 2000 score" stays, "Students tested" becomes "students tested").
func lowerFirst(s string) string {
	r := []rune(s)
	if len(r) == 0 || (len(r) > 1 && unicode.IsUpper(r[1])) {
		return s
	}
	r[0] = unicode.ToLower(r[0])
	return string(r)
}

// article returns "an" before a vowel letter and "a" otherwise.
func article(s string) string {
	if s != "" && strings.ContainsRune("AEIOUaeiou", rune(s[0])) {
		return "an"
	}
	return "a"
}

// words writes a name from the pipeline file (a places set, a boundary) as
// words: "bus_stops" is "bus stops".
func words(name string) string { return strings.ReplaceAll(name, "_", " ") }

// findHint is the map search box's placeholder: a tract, each places set
// on the map and the outlined boundary, in the pipeline file's own names
// ("Find a tract, school or neighborhood"; "Find a tract or station").
func findHint(places []string, boundary string) string {
	things := []string{"tract"}
	for _, p := range places {
		things = append(things, singular(words(p)))
	}
	if boundary != "" && boundary != "tract" && boundary != "tracts" {
		things = append(things, singular(words(boundary)))
	}
	if len(things) == 1 {
		return "Find a tract"
	}
	return "Find a " + strings.Join(things[:len(things)-1], ", ") + " or " + things[len(things)-1]
}
