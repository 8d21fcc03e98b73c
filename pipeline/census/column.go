package census

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Column is one column of a decoded response, in response order.
type Column struct {
	Name string
	Kind Kind
	// Raw holds each row's value exactly as sent (numbers sent as JSON
	// numbers keep their literal text); "" where Null is true. Estimate and
	// MOE columns that Decode took from a response body leave Raw nil (no
	// string per cell): Text(i) reads row i's text either way.
	Raw []string
	// Null is true where the API sent JSON null.
	Null []bool
	// Values and Valid are set for KindEstimate and KindMOE columns only:
	// the parsed number, and whether it is a usable number (false for JSON
	// null and annotation values, except a Controlled MOE, which is 0 and
	// valid).
	Values []float64
	Valid  []bool
	// Annotation is the jam value in each row (estimate and MOE columns).
	Annotation []Annotation
	// Coding flags top/bottom-coded medians (estimate columns); the value is
	// kept as sent.
	Coding []Coding
	// CodingWords is the plain-words meaning of a coded value per row, e.g.
	// "250,000 or more"; "" where Coding is NotCoded. It is nil while no
	// row of the column is coded (most columns): Words reads it either way.
	CodingWords []string
	// text is where row i's text is when Raw is nil: text.at(i, col)
	// of text.body (the rows path's columns).
	text *scanned
	col  int
	// derived is set, with Raw and text nil, on scanTable's estimate and
	// MOE columns: a row's text is the canonical form of its value (its
	// annotation's code, or strconv.FormatFloat(v, 'f', -1, 64)), except
	// the rows in odd, whose text as sent is not that form ("007", "1.50",
	// "1e5"). They hold no reference to the body.
	derived bool
	odd     map[int]string
}

// scanned is a response body and the rows of cells scanString found in
// it.
type scanned struct {
	body string
	rows [][]span
}

// at is the span of data row i's cell in column j.
func (s *scanned) at(i, j int) span { return s.rows[i+1][j] }

// Text is row i's value exactly as sent ("" where Null is true): Raw[i],
// or the response's bytes of that cell when Raw is nil.
func (c *Column) Text(i int) string {
	if c.Raw != nil {
		return c.Raw[i]
	}
	if c.text != nil {
		return c.text.at(i, c.col).of(c.text.body)
	}
	if !c.derived || c.Null[i] {
		return ""
	}
	if s, ok := c.odd[i]; ok {
		return s
	}
	if a := c.Annotation[i]; a != NoAnnotation {
		return annotationCodes[a].text
	}
	return strconv.FormatFloat(c.Values[i], 'f', -1, 64)
}

// isCanonical reports whether s is a text fastNumber reads whose value's
// canonical form it is.
func isCanonical(s string) bool {
	_, ok := fastNumber(s)
	return ok && canonical(s)
}

// keepOdd keeps s as row i's text (Column.odd).
func (c *Column) keepOdd(i int, s string) {
	if c.odd == nil {
		c.odd = map[int]string{}
	}
	c.odd[i] = s
}

// canonical reports whether s, a text fastNumber reads, is the form
// strconv.FormatFloat(v, 'f', -1, 64) gives of its value v: no leading
// zero before a digit, no trailing zero after a point. That form is the
// shortest text that reads back as v; s has at most 15 digits, and two
// texts of at most 15 significant digits never read as the same float64,
// so s is that form exactly when it is the shortest of its kind
// (TestCanonical checks it against FormatFloat).
func canonical(s string) bool {
	i := 0
	if i < len(s) && s[i] == '-' {
		i++
	}
	if i+1 < len(s) && s[i] == '0' && s[i+1] != '.' {
		return false
	}
	return strings.IndexByte(s, '.') < 0 || s[len(s)-1] != '0'
}

// Words is CodingWords[i], "" when CodingWords is nil.
func (c *Column) Words(i int) string {
	if c.CodingWords == nil {
		return ""
	}
	return c.CodingWords[i]
}

// setCoding sets row i's Coding and CodingWords, making CodingWords when
// the first row is coded.
func (c *Column) setCoding(i int, k Coding, words string) {
	c.Coding[i] = k
	if c.CodingWords == nil {
		if words == "" {
			return
		}
		c.CodingWords = make([]string, len(c.Coding))
	}
	c.CodingWords[i] = words
}

// Note returns the reason for row i's null or flag in plain words, and
// false when the row needs none (an ordinary value).
func (c *Column) Note(i int) (string, bool) {
	if c.Kind != KindEstimate && c.Kind != KindMOE {
		return "", false
	}
	switch {
	case c.Null[i]:
		return "no value in the API response (null)", true
	case c.Annotation[i] == Controlled && c.Kind == KindMOE:
		return Controlled.Reason() + "; margin of error set to 0", true
	case c.Annotation[i] != NoAnnotation:
		return c.Annotation[i].Reason(), true
	case c.Coding[i] != NotCoded:
		return fmt.Sprintf("%s: %s (%s)", c.Coding[i], c.Words(i), c.Text(i)), true
	}
	return "", false
}

func newColumn(name string, n int) *Column { return newColumnKind(name, KindOf(name), n) }

func newColumnKind(name string, k Kind, n int) *Column { return newColumnText(name, k, n, true) }

// newColumnText is newColumnKind, with Raw made only when raw is true.
func newColumnText(name string, k Kind, n int, raw bool) *Column {
	c := &Column{Name: name, Kind: k, Null: make([]bool, n)}
	if raw {
		c.Raw = make([]string, n)
	}
	if c.Kind == KindEstimate || c.Kind == KindMOE {
		c.Values = make([]float64, n)
		c.Valid = make([]bool, n)
		c.Annotation = make([]Annotation, n)
		c.Coding = make([]Coding, n)
	}
	return c
}

// set stores row i's value, parsing numbers in estimate and MOE columns.
func (c *Column) set(i int, s string, null bool) error {
	codes := c.codes()
	if err := c.setCoded(codes, i, s, null); err != nil {
		return err
	}
	if c.Coding != nil && c.Coding[i] != NotCoded {
		c.setCoding(i, c.Coding[i], wordsOf(codes, c.Values[i]))
	}
	return nil
}

// fillWords sets CodingWords for the rows setCoded coded (from codes, the
// column's codes()): setCoded sets Coding only, so that rows can be typed
// on several goroutines.
func (c *Column) fillWords(codes []TopCode) {
	if len(codes) == 0 {
		return
	}
	for i, k := range c.Coding {
		if k != NotCoded {
			c.setCoding(i, k, wordsOf(codes, c.Values[i]))
		}
	}
}

// wordsOf is the Words of the first entry of codes whose Value is v (the
// one setCoded took).
func wordsOf(codes []TopCode, v float64) string {
	for k := range codes {
		if codes[k].Value == v {
			return codes[k].Words
		}
	}
	return ""
}

// codes returns the entries of TopCodes that can code c's values, in
// table order: those of its median table (none for other columns).
func (c *Column) codes() []TopCode {
	if c.Kind != KindEstimate {
		return nil
	}
	tbl := medianTable(c.Name)
	if tbl == "" {
		return nil
	}
	var out []TopCode
	for _, tc := range TopCodes {
		if slices.Contains(tc.Tables, tbl) {
			out = append(out, tc)
		}
	}
	return out
}

// setCoded is set with c.codes() given: the first entry whose value is the
// cell's codes it (codingOf for any year). It sets Coding, not CodingWords
// (fillWords does), and writes row i's cells only: rows may be set on
// several goroutines.
func (c *Column) setCoded(codes []TopCode, i int, s string, null bool) error {
	if c.Raw != nil {
		c.Raw[i] = s
	}
	c.Null[i] = null
	if c.Values == nil || null {
		return nil
	}
	v, ok := fastNumber(s)
	if !ok {
		var err error
		if v, err = parseNumber(s); err != nil {
			return fmt.Errorf("%s value %q is not a number; check that %s is a numeric variable: %w", c.Kind, truncate(s, 40), c.Name, err)
		}
	}
	if v <= maxAnnotationCode {
		if a := annotationOf(v); a != NoAnnotation {
			c.Annotation[i] = a
			if a == Controlled && c.Kind == KindMOE {
				c.Values[i], c.Valid[i] = 0, true
			}
			return nil
		}
	}
	c.setValue(codes, i, v)
	return nil
}

// setValue sets row i to the number v, which is not an annotation value,
// coded by the first entry of codes whose value is v.
func (c *Column) setValue(codes []TopCode, i int, v float64) {
	c.Values[i], c.Valid[i] = v, true
	for k := range codes {
		if codes[k].Value == v {
			c.Coding[i] = codes[k].Coding
			break
		}
	}
}
