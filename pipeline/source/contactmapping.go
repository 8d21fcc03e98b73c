package source

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/nyaruka/phonenumbers"

	"github.com/groundwork-org/groundwork/pipeline/suggest"
)

// ContactMapping names, for each contact field groundwork understands, the
// column of a contact list CSV that holds it. It is decoded from the pipeline
// file (the yaml tags are the keys there). An empty string means the field is
// not in the list. Only mapped columns are ever read: every other column of
// the file is ignored and never leaves the machine.
type ContactMapping struct {
	ID     string `yaml:"id"`
	First  string `yaml:"first_name"`
	Last   string `yaml:"last_name"`
	Email  string `yaml:"email"`
	Phone  string `yaml:"phone"`
	Mobile string `yaml:"mobile"`
	Street string `yaml:"street"`
	City   string `yaml:"city"`
	State  string `yaml:"state"`
	Zip    string `yaml:"zip"`
	Lat    string `yaml:"lat"`
	Lon    string `yaml:"lon"`
	GEOID  string `yaml:"geoid"`
	// OptIn is the email opt-in column (yes/no).
	OptIn string `yaml:"opt_in"`
	// SMSOptIn is the text-message opt-in column (yes/no). Without it no
	// contact is sent to a texting list: consent is never assumed.
	SMSOptIn string `yaml:"sms_opt_in"`
	// DoNotCall marks contacts who must not be phoned (yes/no; a value that
	// is not yes/no counts as do-not-call). Their numbers are withheld from
	// calling lists; email and texting consent are separate.
	DoNotCall    string `yaml:"do_not_call"`
	DoNotContact string `yaml:"do_not_contact"`
	// Custom maps an output field name (lower case letters, digits and
	// underscores; it becomes an export column) to a source column.
	Custom map[string]string `yaml:"custom"`
	// PhoneRegion is the CLDR region used for numbers written without a
	// country code; empty means "US".
	PhoneRegion string `yaml:"phone_region"`
}

// fields lists the mapping's standard fields as (yaml key, column) pairs in a
// fixed order.
func (m *ContactMapping) fields() [][2]string {
	return [][2]string{
		{"id", m.ID}, {"first_name", m.First}, {"last_name", m.Last}, {"email", m.Email},
		{"phone", m.Phone}, {"mobile", m.Mobile}, {"street", m.Street}, {"city", m.City},
		{"state", m.State}, {"zip", m.Zip}, {"lat", m.Lat}, {"lon", m.Lon}, {"geoid", m.GEOID},
		{"opt_in", m.OptIn}, {"sms_opt_in", m.SMSOptIn}, {"do_not_call", m.DoNotCall}, {"do_not_contact", m.DoNotContact},
	}
}

func (m *ContactMapping) region() string {
	if m.PhoneRegion == "" {
		return "US"
	}
	return strings.ToUpper(m.PhoneRegion)
}

// Validate checks the mapping on its own, before any file is opened, and
// reports every problem at once (joined with errors.Join), each prefixed with
// its key.
func (m *ContactMapping) Validate() error {
	var errs []error
	add := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if m.Email == "" && m.Phone == "" && m.Mobile == "" {
		add("email, phone, mobile: none is mapped; map at least one, a contact must be reachable")
	}
	if (m.Lat == "") != (m.Lon == "") {
		add("lat, lon: only one is mapped; map both columns or neither")
	}
	if m.Lat == "" && m.GEOID == "" && m.Zip == "" {
		add("lat/lon, geoid, zip: none is mapped; map one of them so contacts can be placed in areas")
	}
	used := map[string]string{}
	use := func(key, col string) {
		if col == "" {
			return
		}
		if prev, dup := used[col]; dup {
			add("%s: column %q is already mapped to %s; map each column once", key, col, prev)
			return
		}
		used[col] = key
	}
	for _, f := range m.fields() {
		use(f[0], f[1])
	}
	std := map[string]bool{}
	for _, f := range m.fields() {
		std[f[0]] = true
	}
	for _, name := range slices.Sorted(maps.Keys(m.Custom)) {
		key := "custom." + name
		if !validFieldName(name) {
			add("%s: field name must be lower case letters, digits and underscores, starting with a letter", key)
		}
		if std[name] {
			add("%s: %q is a standard field; map it with its own key", key, name)
		}
		if m.Custom[name] == "" {
			add("%s: no source column given", key)
			continue
		}
		use(key, m.Custom[name])
	}
	if m.PhoneRegion != "" {
		ok := false
		for r := range phonenumbers.GetSupportedRegions() {
			if r == m.region() {
				ok = true
				break
			}
		}
		if !ok {
			add("phone_region: %q is not a region code; use a two-letter code such as US", m.PhoneRegion)
		}
	}
	return errors.Join(errs...)
}

// CheckHeader reports every mapped column missing from header, naming the
// file and suggesting a header of the same spelling in another case.
func (m *ContactMapping) CheckHeader(file string, header []string) error {
	have := map[string]bool{}
	for _, h := range header {
		have[h] = true
	}
	var errs []error
	check := func(key, col string) {
		if col == "" || have[col] {
			return
		}
		errs = append(errs, &ParseError{File: file, Line: 1, Column: col,
			Err: fmt.Errorf("mapped as %s but not in the header%s", key, suggest.Hint(col, header))})
	}
	for _, f := range m.fields() {
		check(f[0], f[1])
	}
	for _, name := range slices.Sorted(maps.Keys(m.Custom)) {
		check("custom."+name, m.Custom[name])
	}
	return errors.Join(errs...)
}

func validFieldName(s string) bool {
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_') {
			return false
		}
	}
	return true
}
