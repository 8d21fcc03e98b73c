package config

import (
	"fmt"
	"slices"

	"github.com/groundwork-org/groundwork/pipeline/source"
	"github.com/groundwork-org/groundwork/reports/outreach"
)

// Contacts is a contact list to tag with tracts, areas and segments and to
// export for outreach tools. Only mapped columns are read; the rest of the
// file never leaves the machine.
type Contacts struct {
	Title       string                `yaml:"title"`
	File        string                `yaml:"file"`
	Mapping     source.ContactMapping `yaml:"mapping"`
	Tracts      string                `yaml:"tracts"` // boundary of tracts (GEOIDs)
	Area        string                `yaml:"area"`   // area definition whose boundary gives each contact's area
	Segments    []*ContactSegment     `yaml:"segments"`
	ZIPSegments map[string][]string   `yaml:"zip_segments"`
	Exports     *Exports              `yaml:"exports"`
}

// ContactSegment puts contacts in a segment: those in the tracts of a tract
// segment, or those in an area with a given value.
type ContactSegment struct {
	Name    string `yaml:"name"`
	Segment string `yaml:"segment"` // a segment of tracts
	Area    string `yaml:"area"`    // an area definition...
	Value   string `yaml:"value"`   // ...and the area value
}

// Exports chooses the export profiles.
type Exports struct {
	Profiles []string `yaml:"profiles"`
	Custom   []string `yaml:"custom"`
	Turfs    bool     `yaml:"turfs"`
}

// Listening is a LimeSurvey response export summarised by area.
type Listening struct {
	Title   string               `yaml:"title"`
	File    string               `yaml:"file"`
	Mapping source.SurveyMapping `yaml:"mapping"`
}

// TurnoutConfig is an event sign-in / attendance export.
type TurnoutConfig struct {
	Title   string               `yaml:"title"`
	File    string               `yaml:"file"`
	Mapping source.SignInMapping `yaml:"mapping"`
}

// FollowUp is the follow-up loop of events: sign-up exports and sign-in
// sheets matched to the contact list, turned into turnout by segment and
// area and into the reminder-text, confirmation-call and no-show lists
// (source.AttendanceMapping, outreach.WriteFollowUp).
type FollowUp struct {
	Files []*AttendanceFile `yaml:"files"`
}

// AttendanceFile is one sign-up export or sign-in sheet.
type AttendanceFile struct {
	Title   string                   `yaml:"title"`
	File    string                   `yaml:"file"`
	Mapping source.AttendanceMapping `yaml:"mapping"`
}

func (c *Config) checkOutreach(p *problems) {
	ct := c.Contacts
	if ct == nil {
		if c.FollowUp != nil {
			p.add("followup", "sign-ups are matched to the contacts section's list: add one")
		}
		if c.Listening != nil || c.Turnout != nil {
			p.add("contacts", "listening and turnout are placed with the contacts section's tracts and area: add one")
		}
		return
	}
	if ct.File == "" {
		p.add("contacts.file", "required: the contact list CSV")
	}
	if err := ct.Mapping.Validate(); err != nil {
		p.add("contacts.mapping", "%v", err)
	}
	if _, ok := c.Boundaries[ct.Tracts]; !ok {
		p.add("contacts.tracts", "unknown boundary %q (%s)", ct.Tracts, names(c.Boundaries))
	}
	if ct.Area != "" {
		if _, ok := c.Areas[ct.Area]; !ok {
			p.add("contacts.area", "unknown area %q (%s)", ct.Area, names(c.Areas))
		}
	}
	seen := map[string]bool{}
	for i, s := range ct.Segments {
		at := fmt.Sprintf("contacts.segments[%d]", i)
		if s.Name == "" || seen[s.Name] {
			p.add(at+".name", "required and unique")
		}
		seen[s.Name] = true
		switch {
		case s.Segment != "" && s.Area == "":
			found := false
			for _, sg := range c.Segments {
				found = found || (sg.Name == s.Segment && sg.Of == "tracts")
			}
			if !found {
				p.add(at+".segment", "%q is not a segment of tracts", s.Segment)
			}
		case s.Area != "" && s.Segment == "":
			a, ok := c.Areas[s.Area]
			if !ok {
				p.add(at+".area", "unknown area %q (%s)", s.Area, names(c.Areas))
			} else if s.Area != ct.Area {
				p.add(at+".area", "contacts are placed in area %q; a segment by area must use it", ct.Area)
			} else if len(a.Order) > 0 && !slices.Contains(a.Order, s.Value) {
				p.add(at+".value", "%q is not one of %v", s.Value, a.Order)
			}
		default:
			p.add(at, "give either segment (a segment of tracts) or area and value")
		}
	}
	if e := ct.Exports; e != nil {
		for i, pr := range e.Profiles {
			if !slices.Contains(outreach.Profiles(), pr) {
				p.add(fmt.Sprintf("contacts.exports.profiles[%d]", i), "unknown profile %q; use %v", pr, outreach.Profiles())
			}
		}
		for _, err := range outreach.CustomClashes(e.Profiles, e.Custom, c.FollowUp != nil) {
			p.add("contacts.exports.custom", "%v", err)
		}
	}
	if l := c.Listening; l != nil {
		if l.File == "" {
			p.add("listening.file", "required")
		}
		if err := l.Mapping.Validate(); err != nil {
			p.add("listening.mapping", "%v", err)
		}
	}
	if t := c.Turnout; t != nil && t.File == "" {
		p.add("turnout.file", "required")
	}
	if f := c.FollowUp; f != nil {
		if len(f.Files) == 0 {
			p.add("followup.files", "required: at least one sign-up export or sign-in sheet")
		}
		for i, a := range f.Files {
			at := fmt.Sprintf("followup.files[%d]", i)
			if a == nil || a.File == "" {
				p.add(at+".file", "required")
				continue
			}
			if err := a.Mapping.Validate(); err != nil {
				p.add(at+".mapping", "%v", err)
			}
		}
	}
}
