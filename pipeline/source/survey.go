package source

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/paulmach/orb"
)

// SurveyMapping says which columns of a LimeSurvey response export hold the
// respondent's location and concerns. It is decoded from the pipeline file.
//
// The export expected is LimeSurvey's "Export responses" as CSV with headings
// "Question code" (the default of the admin screen and of the RemoteControl
// export_responses call with sHeadingType "code"): one row per response,
// columns id, submitdate, lastpage, startlanguage, seed, ... then one column
// per question code; a multiple-choice question Q has one column per
// subquestion, headed "Q[SQ001]" (older versions: "QSQ001" or "Q_SQ001" are
// not supported), holding "Y" (answer codes) or the subquestion text (full
// answers) when ticked and "" when not, and "Q[other]" for the "Other" text.
type SurveyMapping struct {
	// ID is the response id column; default "id".
	ID string `yaml:"id"`
	// Submitted is the submit date column; default "submitdate". Responses
	// with it empty are incomplete and skipped unless IncludeIncomplete.
	Submitted         string `yaml:"submitted"`
	IncludeIncomplete bool   `yaml:"include_incomplete"`
	// Location, by any of: Lat and Lon question codes (decimal degrees,
	// EPSG:4326), a ZIP question, a neighborhood question whose answers are
	// area names (matched without regard to case and surrounding spaces).
	Lat          string `yaml:"lat"`
	Lon          string `yaml:"lon"`
	Zip          string `yaml:"zip"`
	Neighborhood string `yaml:"neighborhood"`
	// Concerns is the question code of the concerns question: a
	// multiple-choice question (columns "<code>[<sub>]") or a single-choice
	// or text question (one column "<code>").
	Concerns string `yaml:"concerns"`
	// Labels maps answer or subquestion codes to the label shown in the
	// report; unmapped codes are shown as they are.
	Labels map[string]string `yaml:"labels"`
}

// Validate reports every problem of the mapping at once.
func (m *SurveyMapping) Validate() error {
	var errs []error
	if m.Concerns == "" {
		errs = append(errs, errors.New("concerns: no question code; name the question that asks for concerns"))
	}
	if (m.Lat == "") != (m.Lon == "") {
		errs = append(errs, errors.New("lat, lon: only one is mapped; map both question codes or neither"))
	}
	if m.Lat == "" && m.Zip == "" && m.Neighborhood == "" {
		errs = append(errs, errors.New("lat/lon, zip, neighborhood: none is mapped; map one so answers can be summarised by area"))
	}
	return errors.Join(errs...)
}

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}

// Place is where an answer or attendee was placed for a summary: Kind is
// "area", "tract" (a point in a tract but in no area), "zip" (ZIP only; ID is
// the 5-digit ZIP) or "unplaced" (ID empty).
type Place struct {
	ID   string `json:"id"`
	Kind string `json:"kind"`
}

// ConcernCount is how many respondents named a concern, and their share of
// the respondents of the area (Count / Respondents, 0..1).
type ConcernCount struct {
	Concern string  `json:"concern"`
	Count   int     `json:"count"`
	Share   float64 `json:"share"`
}

// AreaConcerns is the listening summary of one place. Concerns are sorted by
// count, descending, then by name.
type AreaConcerns struct {
	Place       Place          `json:"place"`
	Segments    []string       `json:"segments"`
	Respondents int            `json:"respondents"`
	Concerns    []ConcernCount `json:"concerns"`
}

// ListeningSummary summarises a survey export by place. Areas are sorted by
// Kind (area, tract, zip, unplaced) then ID; Overall covers all counted
// responses. A respondent who ticks several concerns counts once for each,
// so shares do not sum to 1.
type ListeningSummary struct {
	File       string         `json:"file"`
	Rows       int            `json:"rows"`
	Counted    int            `json:"counted"`
	Incomplete int            `json:"incomplete"`
	Skipped    int            `json:"skipped"`
	Examples   []*ParseError  `json:"-"`
	Areas      []AreaConcerns `json:"areas"`
	Overall    AreaConcerns   `json:"overall"`
}

// Top returns the first n concerns of a (all if n <= 0 or fewer exist).
func (a AreaConcerns) Top(n int) []ConcernCount {
	if n <= 0 || n >= len(a.Concerns) {
		return a.Concerns
	}
	return a.Concerns[:n]
}

var placeKindOrder = map[string]int{"area": 0, "tract": 1, "zip": 2, "unplaced": 3}

// placeOf places a location for summaries: a point through p (area, else
// tract), then a neighborhood name matched against p's area layer, then a
// ZIP. It returns the segments of the place (ZIP: through the ZIP list).
func (p *Placer) placeOf(pt *orb.Point, neighborhood, zip string) (Place, []string) {
	if p == nil {
		if z := zip5(zip); z != "" {
			return Place{z, "zip"}, nil
		}
		return Place{Kind: "unplaced"}, nil
	}
	if pt != nil {
		pl := p.Place(pt, "", "")
		if pl.By == "point" {
			if pl.Area != "" {
				return Place{pl.Area, "area"}, pl.Segments
			}
			return Place{pl.Tract, "tract"}, pl.Segments
		}
	}
	if id, ok := p.areaByName[strings.ToLower(strings.TrimSpace(neighborhood))]; ok && neighborhood != "" {
		var segs []string
		if p.segments != nil {
			segs = uniqueSorted(p.segments("", id))
		}
		return Place{id, "area"}, segs
	}
	if z := zip5(zip); z != "" {
		return Place{z, "zip"}, uniqueSorted(p.zipSegments[z])
	}
	return Place{Kind: "unplaced"}, nil
}

type headerIndex struct {
	file string
	pos  map[string]int
	cols []string
}

func newHeaderIndex(file string, header []string) *headerIndex {
	h := &headerIndex{file: file, pos: map[string]int{}, cols: header}
	for i, c := range header {
		if i == 0 {
			c = strings.TrimPrefix(c, "\ufeff")
			header[0] = c
		}
		if _, dup := h.pos[c]; !dup {
			h.pos[c] = i
		}
	}
	return h
}

// need returns the index of col, or records a missing-column error.
func (h *headerIndex) need(errs *[]error, key, col string) int {
	if col == "" {
		return -1
	}
	i, ok := h.pos[col]
	if !ok {
		hint := ""
		for _, c := range h.cols {
			if strings.EqualFold(c, col) {
				hint = fmt.Sprintf("; did you mean %q?", c)
			}
		}
		*errs = append(*errs, &ParseError{File: h.file, Line: 1, Column: col, Err: fmt.Errorf("mapped as %s but not in the header%s", key, hint)})
		return -1
	}
	return i
}

func cell(rec []string, i int) string {
	if i < 0 || i >= len(rec) {
		return ""
	}
	return strings.TrimSpace(rec[i])
}

// ReadLimeSurvey reads a LimeSurvey response export (see SurveyMapping) one
// row at a time and summarises the concerns by place. Rows it cannot use
// (wrong field count, no concern answered) are counted in Skipped; Examples
// holds the first MaxExamples of those and of coordinates not used (the
// response is then placed by neighborhood or ZIP). Only I/O errors and
// header problems are returned as errors. p may be nil (answers are placed
// by ZIP only).
func ReadLimeSurvey(ctx context.Context, r io.Reader, file string, m SurveyMapping, p *Placer) (*ListeningSummary, error) {
	if err := m.Validate(); err != nil {
		return nil, fmt.Errorf("survey mapping for %s: %w", file, err)
	}
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	header, err := readHeader(cr, file, "LimeSurvey's header row of question codes")
	if err != nil {
		return nil, err
	}
	h := newHeaderIndex(file, header)
	var errs []error
	iID := h.need(&errs, "id", orDefault(m.ID, "id"))
	iSub := h.need(&errs, "submitted", orDefault(m.Submitted, "submitdate"))
	iLat, iLon := h.need(&errs, "lat", m.Lat), h.need(&errs, "lon", m.Lon)
	iZip, iNb := h.need(&errs, "zip", m.Zip), h.need(&errs, "neighborhood", m.Neighborhood)
	// Concern columns: "<code>" itself, or every "<code>[<sub>]".
	type concernCol struct {
		idx int
		sub string // "" for a single column
	}
	var ccols []concernCol
	if i, ok := h.pos[m.Concerns]; ok {
		ccols = append(ccols, concernCol{i, ""})
	}
	prefix := m.Concerns + "["
	for i, c := range h.cols {
		if strings.HasPrefix(c, prefix) && strings.HasSuffix(c, "]") {
			ccols = append(ccols, concernCol{i, c[len(prefix) : len(c)-1]})
		}
	}
	if len(ccols) == 0 {
		errs = append(errs, &ParseError{File: file, Line: 1, Column: m.Concerns,
			Err: fmt.Errorf("concerns: no column %q or %q...; export with headings set to \"Question code\"", m.Concerns, prefix+"SQ001]")})
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	label := func(code string) string {
		if l, ok := m.Labels[code]; ok {
			return l
		}
		return code
	}
	type agg struct {
		place       Place
		segments    []string
		respondents int
		counts      map[string]int
	}
	areas := map[Place]*agg{}
	overall := &agg{place: Place{Kind: "all"}, counts: map[string]int{}}
	s := &ListeningSummary{File: file}
	skip := func(line int, col string, err error) {
		s.Skipped++
		if len(s.Examples) < MaxExamples {
			s.Examples = append(s.Examples, &ParseError{File: file, Line: line, Column: col, Err: err})
		}
	}
	err = eachRecord(ctx, cr, file, len(h.cols), &s.Rows, func(line int, err error) { skip(line, "", err) }, func(rec []string, line int) error {
		if cell(rec, iSub) == "" && !m.IncludeIncomplete {
			s.Incomplete++
			return nil
		}
		var concerns []string
		for _, c := range ccols {
			v := cell(rec, c.idx)
			if v == "" {
				continue
			}
			switch {
			case c.sub == "":
				concerns = append(concerns, label(v))
			case c.sub == "other":
				concerns = append(concerns, label("other"))
			case v == "N" || v == "No":
				// an unticked box written explicitly
			default:
				concerns = append(concerns, label(c.sub))
			}
		}
		if len(concerns) == 0 {
			skip(line, m.Concerns, fmt.Errorf("response %s answered no concern", cell(rec, iID)))
			return nil
		}
		concerns = uniqueSorted(concerns)
		var pt *orb.Point
		if iLat >= 0 {
			la, lo := cell(rec, iLat), cell(rec, iLon)
			if la != "" || lo != "" {
				if q, err := ParseLonLat(lo, la); err == nil {
					pt = &q
				} else if len(s.Examples) < MaxExamples {
					s.Examples = append(s.Examples, &ParseError{File: file, Line: line, Column: m.Lat, Err: fmt.Errorf("location not used: %w", err)})
				}
			}
		}
		zip := cell(rec, iZip)
		if zip != "" {
			if z, err := NormalizeZIP(zip); err == nil {
				zip = z
			} else {
				zip = ""
			}
		}
		place, segs := p.placeOf(pt, cell(rec, iNb), zip)
		a := areas[place]
		if a == nil {
			a = &agg{place: place, segments: segs, counts: map[string]int{}}
			areas[place] = a
		}
		s.Counted++
		a.respondents++
		overall.respondents++
		for _, c := range concerns {
			a.counts[c]++
			overall.counts[c]++
		}
		return nil
	})
	if err != nil {
		return nil, err
	}

	finish := func(a *agg) AreaConcerns {
		out := AreaConcerns{Place: a.place, Segments: a.segments, Respondents: a.respondents}
		for c, n := range a.counts {
			out.Concerns = append(out.Concerns, ConcernCount{Concern: c, Count: n, Share: float64(n) / float64(a.respondents)})
		}
		sort.Slice(out.Concerns, func(i, j int) bool {
			if out.Concerns[i].Count != out.Concerns[j].Count {
				return out.Concerns[i].Count > out.Concerns[j].Count
			}
			return out.Concerns[i].Concern < out.Concerns[j].Concern
		})
		return out
	}
	for _, a := range areas {
		s.Areas = append(s.Areas, finish(a))
	}
	sort.Slice(s.Areas, func(i, j int) bool {
		a, b := s.Areas[i].Place, s.Areas[j].Place
		if a.Kind != b.Kind {
			return placeKindOrder[a.Kind] < placeKindOrder[b.Kind]
		}
		return a.ID < b.ID
	})
	s.Overall = finish(overall)
	return s, nil
}
