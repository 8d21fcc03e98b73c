package census

import (
	"errors"
	"fmt"
	"math/bits"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
)

// ErrMismatch is wrapped when a response does not answer the request it is
// checked against: a requested variable or geography column is missing, a
// row lies outside the requested geography, or a GEOID appears twice.
var ErrMismatch = errors.New("the response does not match the request")

// ErrIncomplete is wrapped when a response is well-formed but cannot be
// complete: it has a header and no rows (the API answers a query that
// matches nothing with HTTP 204, never with an empty table), it lacks
// geographies that were requested by code, or (with Config.CheckComplete)
// it lacks geographies that the list of that level holds. Such an answer is
// retried and never cached.
var ErrIncomplete = errors.New("the response is incomplete")

// expect is what an answer to one data request must hold.
type expect struct {
	get      []string        // the get= names: NAME, codes, group(X)
	forLevel string          // "tract"
	forCodes map[string]bool // nil for "*"
	in       []clause        // the in= clauses
	list     map[string]bool // with CheckComplete: the GEOIDs of every geography of the query
}

// expectFor builds the expectation of a get=/for=/in= query.
func expectFor(get []string, forC, inC string) (*expect, error) {
	level, codes, _ := strings.Cut(forC, ":")
	e := &expect{get: get, forLevel: strings.TrimSpace(level)}
	if codes = strings.TrimSpace(codes); codes != "" && codes != "*" {
		e.forCodes = codeSet(strings.Split(codes, ","))
	}
	in, err := parseClauses(inC)
	if err != nil {
		return nil, err
	}
	e.in = in
	return e, nil
}

func codeSet(list []string) map[string]bool {
	m := make(map[string]bool, len(list))
	for _, s := range list {
		m[strings.TrimSpace(s)] = true
	}
	return m
}

// maxListed bounds the examples one problem lists.
const maxListed = 5

// check returns nil when t answers e, and otherwise an error wrapping
// ErrIncomplete or ErrMismatch that lists every problem found.
func (t *Table) check(e *expect) error {
	if t.rows == 0 {
		return fmt.Errorf("%w: a header and no rows (the API answers a query that matches nothing with HTTP 204, so the answer was cut off)", ErrIncomplete)
	}
	var problems []string
	var missing []string
	for _, g := range e.get {
		if grp, ok := strings.CutPrefix(g, "group("); ok {
			grp = strings.TrimSuffix(grp, ")")
			found := false
			for _, c := range t.Columns {
				found = found || strings.HasPrefix(c.Name, grp+"_")
			}
			if !found {
				missing = append(missing, g)
			}
			continue
		}
		if t.Column(g) == nil {
			missing = append(missing, g)
		}
	}
	if len(missing) > 0 {
		problems = append(problems, fmt.Sprintf("it lacks the requested column(s) %s", listed(missing)))
	}
	// A column of a finer geography than the query's (a tract column in
	// an answer to for=county:*) means the response answers another query;
	// coarser ones (state, county) are the parents the API adds.
	if i := slices.Index(nested, e.forLevel); i >= 0 {
		for _, c := range t.Columns {
			if j := slices.Index(nested, c.Name); j > i && !slices.Contains(e.get, c.Name) {
				problems = append(problems, fmt.Sprintf("it has a %q column, a finer geography than the query's (for %s), so it answers another query", c.Name, e.forLevel))
			}
		}
	}
	type want struct {
		level string
		codes map[string]bool // nil: any
	}
	wants := []want{{e.forLevel, e.forCodes}}
	for _, cl := range e.in {
		w := want{level: cl.level}
		if cl.codes != "*" {
			w.codes = codeSet(strings.Split(cl.codes, ","))
		}
		wants = append(wants, w)
	}
	for _, w := range wants {
		c := t.Column(w.level)
		if c == nil {
			problems = append(problems, fmt.Sprintf("it has no %q column, so its rows cannot be placed in the requested geography", w.level))
			continue
		}
		if w.codes == nil {
			continue
		}
		// Codes compare zero-padded ("state:6" is state 06).
		width := 0
		if r := geoRank(w.level); r >= 0 {
			width = geoHierarchy[r].width
		}
		padded := make(map[string]bool, len(w.codes))
		for code := range w.codes {
			padded[pad(code, width)] = true
		}
		var bad []string
		n := 0
		for i, v := range c.Raw {
			if !padded[pad(v, width)] {
				n++
				if len(bad) < maxListed {
					bad = append(bad, fmt.Sprintf("row %d has %s %q", i+1, w.level, v))
				}
			}
		}
		if n > 0 {
			problems = append(problems, fmt.Sprintf("%d row(s) lie outside the requested %s:%s (%s)", n, w.level, codesText(w.codes), strings.Join(bad, ", ")))
		}
	}
	ids := t.geoids().ids
	var first map[string]int // each GEOID's first row, for e.list
	var ndup int
	var dups []string
	if e.list != nil {
		first = make(map[string]int, len(ids))
		ndup, dups = duplicates(ids, firstIn(first))
	} else {
		ndup, dups = duplicateGEOIDs(ids)
	}
	if ndup > 0 {
		problems = append(problems, fmt.Sprintf("%d duplicate GEOID(s): %s", ndup, strings.Join(dups, ", ")))
	}
	if len(problems) > 0 {
		return fmt.Errorf("%w: %s", ErrMismatch, strings.Join(problems, "; "))
	}
	// Completeness: codes requested one by one, or the level's list.
	if e.forCodes != nil {
		got := map[string]bool{}
		for _, v := range t.Column(e.forLevel).Raw {
			got[v] = true
		}
		var lack []string
		for code := range e.forCodes {
			if !got[code] {
				lack = append(lack, code)
			}
		}
		if len(lack) > 0 {
			sort.Strings(lack)
			return fmt.Errorf("%w: it lacks the requested %s code(s) %s; check that they exist in this vintage (codes change between decennial censuses)", ErrIncomplete, e.forLevel, listed(lack))
		}
	}
	if e.list != nil {
		var lack []string
		for id := range e.list {
			if _, ok := first[id]; !ok {
				lack = append(lack, id)
			}
		}
		if len(lack) > 0 {
			sort.Strings(lack)
			return fmt.Errorf("%w: it has %d rows but the list of %s geographies of this query has %d; missing GEOIDs: %s", ErrIncomplete, t.rows, e.forLevel, len(e.list), listed(lack))
		}
	}
	return nil
}

func listed(s []string) string {
	if len(s) <= maxListed {
		return strings.Join(s, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(s[:maxListed], ", "), len(s)-maxListed)
}

func codesText(set map[string]bool) string {
	s := make([]string, 0, len(set))
	for k := range set {
		s = append(s, k)
	}
	sort.Strings(s)
	return strings.Join(s, ",")
}

// ReadRecorded reads a saved Census Data API response (a JSON array of
// arrays, as the API sends it) and checks it against r, the request it is
// meant to answer, as a live answer is checked before it is cached: every
// name in r.Variables (NAME included when listed) is a column; the
// geography columns of r.For and r.In exist and every row lies inside the
// requested codes ("state:06 county:001" refuses a row of county 013); no
// GEOID appears twice; the file has at least one row.
//
// The body of a response does not say which year or dataset it comes from,
// so those are checked against the file's name where it carries them: a
// four-digit year (1990-2099) in the name must be r.Year, and an ACS
// product (acs1, acs3, acs5) in the name must be r.Dataset's. A short file
// (rows missing at the end, still valid JSON) cannot be told from a
// complete one without the list of geographies; the caller checks coverage
// against its boundary layer. Errors name the file.
func ReadRecorded(path string, r Request) (*Table, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	t, err := Decode(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	e, err := expectFor(append([]string(nil), r.Variables...), r.For, r.In)
	if err != nil {
		return nil, fmt.Errorf("%s: in clause %w", path, err)
	}
	if e.forLevel == "" {
		return nil, fmt.Errorf("%s: the source names no geography (for: tract:*)", path)
	}
	err = t.check(e)
	if p := nameProblem(filepath.Base(path), r); p != "" {
		if err == nil {
			err = fmt.Errorf("%w: %s", ErrMismatch, p)
		} else {
			err = fmt.Errorf("%w; %s", err, p)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w; check the source's year, dataset, for, in and variables, or record the response again", path, err)
	}
	return t, nil
}

// nested is the chain of geographies each inside the one before.
var nested = []string{"us", "state", "county", "tract", "block group", "block"}

var (
	yearInName    = regexp.MustCompile(`(?:^|[^0-9])((?:199|20[0-9])[0-9])(?:[^0-9]|$)`)
	productInName = regexp.MustCompile(`(?i)(?:^|[^a-z0-9])(acs[135])(?:[^0-9]|$)`)
)

// nameProblem compares the year and ACS product that a recorded file's name
// mentions with the request.
func nameProblem(name string, r Request) string {
	var years []string
	for _, m := range yearInName.FindAllStringSubmatch(name, -1) {
		years = append(years, m[1])
	}
	var problems []string
	if len(years) > 0 && !contains(years, fmt.Sprint(r.Year)) {
		problems = append(problems, fmt.Sprintf("the file name says %s but the source asks for year %d", strings.Join(years, " and "), r.Year))
	}
	if m := productInName.FindStringSubmatch(name); m != nil && strings.HasPrefix(r.Dataset, "acs/") {
		if want := strings.Split(r.Dataset, "/")[1]; !strings.EqualFold(m[1], want) {
			problems = append(problems, fmt.Sprintf("the file name says %s but the source asks for dataset %s", strings.ToLower(m[1]), r.Dataset))
		}
	}
	return strings.Join(problems, "; ")
}

// duplicates counts the GEOIDs of ids seen before (seen reports the row
// an id was first seen at, and records row i for it when it was not) and
// describes the first maxListed of them, in row order.
func duplicates(ids []string, seen func(id string, i int) (int, bool)) (n int, dups []string) {
	for i, id := range ids {
		if j, ok := seen(id, i); ok {
			n++
			if len(dups) < maxListed {
				dups = append(dups, fmt.Sprintf("%s in rows %d and %d", id, j+1, i+1))
			}
		}
	}
	return n, dups
}

// duplicateGEOIDs is duplicates of ids with each id's first row kept in
// a table of their values when every id is the same number of digits (at
// most 18; a response's GEOIDs, zero-padded), else in a map: a national
// response's 85,000 GEOIDs are a map insert each otherwise.
func duplicateGEOIDs(ids []string) (int, []string) {
	width := -1
	for _, id := range ids {
		if width < 0 {
			width = len(id)
		}
		if len(id) != width || width > 18 || !isDigits(id) {
			return duplicates(ids, firstIn(make(map[string]int, len(ids))))
		}
	}
	// Open addressing on the ids' values with a leading 1 (0: empty), at
	// most two thirds full (1.5 MiB at national size: in the cache).
	size := 1
	for 2*size < 3*len(ids) {
		size <<= 1
	}
	keys, rows := make([]uint64, size), make([]int32, size)
	shift := uint(64 - bits.TrailingZeros(uint(size)))
	return duplicates(ids, func(id string, i int) (int, bool) {
		k := uint64(1)
		for p := 0; p < len(id); p++ {
			k = k*10 + uint64(id[p]-'0')
		}
		h := (k * 0x9e3779b97f4a7c15) >> shift
		for ; keys[h] != 0; h = (h + 1) & uint64(size-1) {
			if keys[h] == k {
				return int(rows[h]), true
			}
		}
		keys[h], rows[h] = k, int32(i)
		return 0, false
	})
}

// firstIn is duplicates' seen with each id's first row kept in first.
func firstIn(first map[string]int) func(id string, i int) (int, bool) {
	return func(id string, i int) (int, bool) {
		j, ok := first[id]
		if !ok {
			first[id] = i
		}
		return j, ok
	}
}
