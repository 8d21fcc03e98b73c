package engage

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"sort"

	"github.com/groundwork-org/groundwork/pipeline/notes"
	"github.com/groundwork-org/groundwork/pipeline/place/contact"
	"github.com/groundwork-org/groundwork/pipeline/source"
)

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
	Place       contact.Place  `json:"place"`
	Segments    []string       `json:"segments"`
	Respondents int            `json:"respondents"`
	Concerns    []ConcernCount `json:"concerns"`
}

// ListeningSummary summarises a survey export by place. Areas are sorted by
// Kind (area, tract, zip, unplaced) then ID; Overall covers all counted
// responses. A respondent who ticks several concerns counts once for each,
// so shares do not sum to 1.
type ListeningSummary struct {
	File       string               `json:"file"`
	Rows       int                  `json:"rows"`
	Counted    int                  `json:"counted"`
	Incomplete int                  `json:"incomplete"`
	Skipped    int                  `json:"skipped"`
	Examples   []*source.ParseError `json:"-"`
	// Warnings summarises the rows skipped and the responses whose
	// coordinates were not used (saying how each was placed instead), one
	// line per kind with a count and the first examples.
	Warnings []string       `json:"-"`
	Areas    []AreaConcerns `json:"areas"`
	Overall  AreaConcerns   `json:"overall"`
}

// Top returns the first n concerns of a (all if n <= 0 or fewer exist).
func (a AreaConcerns) Top(n int) []ConcernCount {
	if n <= 0 || n >= len(a.Concerns) {
		return a.Concerns
	}
	return a.Concerns[:n]
}

var placeKindOrder = map[string]int{"area": 0, "tract": 1, "zip": 2, "unplaced": 3}

// ReadListening reads a LimeSurvey response export (see
// source.SurveyMapping and source.ScanLimeSurvey) one row at a time and
// summarises the concerns by place: by the response's point through p
// (area, else tract), else its neighborhood answer, else its ZIP (see
// contact.Placer.PlaceOf). Rows it cannot use are counted in Skipped; only
// I/O errors and header problems are returned as errors. p may be nil
// (answers are placed by ZIP only).
func ReadListening(ctx context.Context, r io.Reader, file string, m source.SurveyMapping, p *contact.Placer) (*ListeningSummary, error) {
	type agg struct {
		place       contact.Place
		segments    []string
		respondents int
		counts      map[string]int
	}
	areas := map[contact.Place]*agg{}
	overall := &agg{place: contact.Place{Kind: "all"}, counts: map[string]int{}}
	s := &ListeningSummary{File: file}
	var located notes.Set
	st, err := source.ScanLimeSurvey(ctx, r, file, m, func(resp source.Response) error {
		place, segs := p.PlaceOf(resp.Point, resp.Neighborhood, resp.Zip)
		if e := resp.LocationProblem; e != nil {
			how := map[string]string{"area": "placed by its neighborhood answer instead", "zip": "placed by its ZIP answer instead",
				"unplaced": "not placed: counted in the overall concerns only"}[place.Kind]
			located.Add("location", "response(s) whose coordinates were not used", e.Error()+"; "+how)
		} else if place.Kind == "unplaced" && resp.Neighborhood != "" && p != nil {
			at := &source.ParseError{File: filepath.Base(file), Line: resp.Line, Column: m.Neighborhood,
				Err: fmt.Errorf("%q is not an area of the contacts' area layer", resp.Neighborhood)}
			located.Add("neighborhood", "response(s) whose neighborhood answer names no area, not placed (counted in the overall concerns only)", at.Error())
		}
		a := areas[place]
		if a == nil {
			a = &agg{place: place, segments: segs, counts: map[string]int{}}
			areas[place] = a
		}
		s.Counted++
		a.respondents++
		overall.respondents++
		for _, c := range resp.Concerns {
			a.counts[c]++
			overall.counts[c]++
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.Rows, s.Incomplete, s.Skipped, s.Examples = st.Rows, st.Incomplete, st.Skipped, st.Examples
	s.Warnings = append(st.Warnings, located.Lines()...)

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
