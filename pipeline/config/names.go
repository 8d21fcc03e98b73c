package config

import (
	"fmt"
	"maps"
	"slices"
	"strconv"

	"github.com/groundwork-org/groundwork/pipeline/store"
)

// checkNames checks every name that becomes part of an output path against
// store.NamePattern: sources (raw/<name>.parquet), boundaries, places
// (places/<name>.parquet, unplaced/<name>.csv), summaries
// (summaries/<name>.parquet), segments (segments/<name>.csv), turfs (the
// contact segments and ZIP segments: exports/turfs/<name>.geojson) and
// export profiles (exports/<profile>/). A name such as "../../escaped" would
// otherwise write outside the output folder.
func (c *Config) checkNames(p *problems) {
	for _, kind := range []struct {
		at    string
		names []string
	}{
		{"sources", slices.Sorted(maps.Keys(c.Sources))},
		{"boundaries", slices.Sorted(maps.Keys(c.Boundaries))},
		{"places", slices.Sorted(maps.Keys(c.Places))},
	} {
		for _, n := range kind.names {
			if err := store.CheckName(n); err != nil {
				p.add(kind.at+"."+strconv.Quote(n), "%v", err)
			}
		}
	}
	for i, s := range c.Summaries {
		if s != nil && s.Name != "" {
			checkName(p, fmt.Sprintf("summaries[%d].name", i), s.Name)
		}
	}
	for i, s := range c.Segments {
		if s != nil && s.Name != "" {
			checkName(p, fmt.Sprintf("segments[%d].name", i), s.Name)
		}
	}
	if ct := c.Contacts; ct != nil {
		for i, s := range ct.Segments {
			if s != nil && s.Name != "" {
				checkName(p, fmt.Sprintf("contacts.segments[%d].name", i), s.Name)
			}
		}
		for _, n := range slices.Sorted(maps.Keys(ct.ZIPSegments)) {
			if err := store.CheckName(n); err != nil {
				p.add("contacts.zip_segments."+strconv.Quote(n), "%v", err)
			}
		}
		if ct.Exports != nil {
			for i, pr := range ct.Exports.Profiles {
				checkName(p, fmt.Sprintf("contacts.exports.profiles[%d]", i), pr)
			}
		}
	}
}

func checkName(p *problems, at, name string) {
	if err := store.CheckName(name); err != nil {
		p.add(at, "%v", err)
	}
}
