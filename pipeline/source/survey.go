package source

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"

	"github.com/paulmach/orb"

	"github.com/groundwork-org/groundwork/pipeline/notes"
	"github.com/groundwork-org/groundwork/pipeline/suggest"
)

// errNoConcern is why a response that ticks no concern is skipped.
var errNoConcern = errors.New("answered no concern")

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
		*errs = append(*errs, &ParseError{File: h.file, Line: 1, Column: col, Err: fmt.Errorf("mapped as %s but not in the header%s", key, suggest.Hint(col, h.cols))})
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

// Response is one counted response of a survey export: its concerns
// (labelled, sorted, without repeats) and where it was given: Point when
// the lat/lon answers are valid, Neighborhood as answered, Zip normalised
// (empty when missing or not a ZIP). LocationProblem says why lat/lon
// answers were not used (nil when they were, or when there were none); the
// caller, which places the response by what is left, warns about it.
type Response struct {
	Line            int
	ID              string
	Concerns        []string
	Point           *orb.Point
	Neighborhood    string
	Zip             string
	LocationProblem *ParseError
}

// SurveyStats counts the rows of a survey export: RowStats, and Incomplete
// the responses not submitted (not counted unless IncludeIncomplete).
// Warnings summarises the skipped rows, one line per reason with a count
// and the first examples (file:line and why; see notes.Set.Lines).
type SurveyStats struct {
	RowStats
	Incomplete int
	Warnings   []string
}

// ScanLimeSurvey reads a LimeSurvey response export (see SurveyMapping) one
// row at a time and calls fn with each response it can count, in file
// order. Rows it cannot use (wrong field count, no concern answered) are
// counted in Skipped; Examples holds the first MaxExamples of those and of
// coordinates not used (the response then has no Point). Only I/O errors,
// header problems and fn's errors are returned as errors.
func ScanLimeSurvey(ctx context.Context, r io.Reader, file string, m SurveyMapping, fn func(Response) error) (SurveyStats, error) {
	var s SurveyStats
	if err := m.Validate(); err != nil {
		return s, fmt.Errorf("survey mapping for %s: %w", file, err)
	}
	cr := newCSVReader(r)
	cr.FieldsPerRecord = -1
	header, err := readHeader(cr, file, "LimeSurvey's header row of question codes")
	if err != nil {
		return s, err
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
		return s, errors.Join(errs...)
	}
	label := func(code string) string {
		if l, ok := m.Labels[code]; ok {
			return l
		}
		return code
	}
	var warn notes.Set
	base := filepath.Base(file)
	skip := func(line int, col string, err error) {
		s.skip(file, line, col, err)
		key, summary := "other", "response(s) skipped"
		switch {
		case errors.Is(err, ErrMalformedRow):
			key, summary = "malformed", "response(s) skipped, unreadable"
		case errors.Is(err, errNoConcern):
			key, summary = "no concern", "response(s) skipped, no concern answered"
		}
		warn.Add(key, summary, (&ParseError{File: base, Line: line, Column: col, Err: err}).Error())
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
			skip(line, m.Concerns, fmt.Errorf("response %s %w", cell(rec, iID), errNoConcern))
			return nil
		}
		concerns = slices.Compact(slices.Sorted(slices.Values(concerns)))
		var pt *orb.Point
		var locErr *ParseError
		if iLat >= 0 {
			la, lo := cell(rec, iLat), cell(rec, iLon)
			if la != "" || lo != "" {
				if q, err := ParseLonLat(lo, la); err == nil {
					pt = &q
				} else {
					col := m.Lat
					if !strings.HasPrefix(err.Error(), "latitude") {
						col = m.Lon
					}
					locErr = &ParseError{File: base, Line: line, Column: col, Err: fmt.Errorf("location not used: %w", err)}
					s.example(file, line, col, locErr.Err)
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
		return fn(Response{Line: line, ID: cell(rec, iID), Concerns: concerns, Point: pt, Neighborhood: cell(rec, iNb), Zip: zip, LocationProblem: locErr})
	})
	s.Warnings = warn.Lines()
	return s, err
}
