package census

// Kind is the role of a response column, decided from its name.
type Kind int

// Column kinds.
const (
	// KindOther is any column not recognised below (kept as a string).
	KindOther Kind = iota
	// KindGeography is a geography component of the for/in clauses
	// ("state", "county", "tract", "block group", ...) or a GEO_ID/ucgid
	// column.
	KindGeography
	// KindLabel is the NAME column (the geography's name).
	KindLabel
	// KindEstimate is an estimate: a variable code ending in E (ACS detailed,
	// subject), PE (profile percent) or N (2020 decennial counts).
	KindEstimate
	// KindMOE is a margin of error: a variable code ending in M or PM. ACS
	// MOEs are at the 90 percent confidence level.
	KindMOE
	// KindAnnotation is an annotation column (EA, MA, PEA, PMA), kept as a
	// string.
	KindAnnotation
)

func (k Kind) String() string {
	switch k {
	case KindGeography:
		return "geography"
	case KindLabel:
		return "label"
	case KindEstimate:
		return "estimate"
	case KindMOE:
		return "moe"
	case KindAnnotation:
		return "annotation"
	}
	return "other"
}

// Annotation is one of the Census Bureau's "jam values" that stand in an
// estimate or MOE cell instead of a number. Sources: U.S. Census Bureau,
// "Notes on ACS Estimate and Annotation Values"
// (https://www.census.gov/data/developers/data-sets/acs-1year/notes-on-acs-estimate-and-annotation-values.html),
// which pairs each value with the symbol data.census.gov shows; the symbols'
// meanings are in the Bureau's API "Data Notes"
// (https://www.census.gov/data/developers/data-sets/ACS-supplemental-data/data-notes.html,
// revised 2021-10-08): "-" = -666666666, "N" = -999999999, "(X)" =
// -888888888, "**" = -222222222, "***" = -333333333, "*****" = -555555555;
// a "+" or "-" after a median marks the upper or lowest interval of an
// open-ended distribution (see Coding).
type Annotation int8

// Annotation values. The zero value means the cell holds an ordinary number.
const (
	NoAnnotation Annotation = iota
	// NotComputable is -666666666: the estimate could not be computed
	// because there were too few sample observations (for a median, the
	// estimate falls in the lowest or highest interval of an open-ended
	// distribution, or no observations).
	NotComputable
	// TooFewSamples is -999999999: the estimate or its MOE was not computed
	// because the number of sample cases was too small.
	TooFewSamples
	// NotApplicable is -888888888: not applicable or not available.
	NotApplicable
	// MOENotComputable is -222222222: the MOE could not be computed because
	// there were too few sample observations.
	MOENotComputable
	// MOENotAppropriate is -333333333: the median falls in the lowest or
	// upper interval of an open-ended distribution; a statistical test is not
	// appropriate and no MOE is given.
	MOENotAppropriate
	// Controlled is -555555555: the estimate is controlled to an independent
	// population or housing estimate, so it has no sampling error. Rule: in
	// an MOE column the value becomes 0 (valid) with a note; in an estimate
	// column (not expected) it becomes null with the same note.
	Controlled
)

var annotationCodes = [...]struct {
	code   float64
	text   string
	reason string
}{
	NoAnnotation:      {0, "", ""},
	NotComputable:     {-666666666, "-666666666", "estimate not computable: too few sample observations"},
	TooFewSamples:     {-999999999, "-999999999", "not computed: sample too small"},
	NotApplicable:     {-888888888, "-888888888", "not applicable or not available"},
	MOENotComputable:  {-222222222, "-222222222", "margin of error not computable: too few sample observations"},
	MOENotAppropriate: {-333333333, "-333333333", "margin of error not appropriate: median in an open-ended interval"},
	Controlled:        {-555555555, "-555555555", "controlled estimate, no sampling error"},
}

// Code returns the number the API sends for a, or 0 for NoAnnotation.
func (a Annotation) Code() float64 { return annotationCodes[a].code }

// Reason returns the plain-words reason with the code in parentheses,
// e.g. "estimate not computable: too few sample observations (-666666666)".
func (a Annotation) Reason() string {
	if a == NoAnnotation {
		return ""
	}
	return annotationCodes[a].reason + " (" + annotationCodes[a].text + ")"
}

func (a Annotation) String() string {
	if a == NoAnnotation {
		return "none"
	}
	return annotationCodes[a].text
}

func annotationOf(v float64) Annotation {
	for a := NotComputable; a <= Controlled; a++ {
		if v == annotationCodes[a].code {
			return a
		}
	}
	return NoAnnotation
}
