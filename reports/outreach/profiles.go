// Package outreach writes contact lists in the import formats of the tools
// organizers use (CallHub, Action Network, EveryAction/NGP VAN,
// NationBuilder, Mobilize, and a generic CSV), one file per segment and
// profile, plus canvassing turfs (GeoJSON) and walk lists.
//
// Safety contract: only the fields of Contact leave the machine, and each
// profile writes only its own documented columns. Every cell is passed
// through Neutralize (OWASP "CSV Injection": a cell beginning with =, +, -,
// @, tab or carriage return gets a leading single quote). Phone numbers are
// written as E.164 digits without the leading "+" (country code kept,
// "15105550123"), so they never need neutralising and every tool above reads
// them as a number with its country code. All files are written to a
// temporary file in the destination directory and renamed into place.
//
// docs/outreach.md documents each profile's columns and the receiving tool's
// import steps.
package outreach

import (
	"strings"
)

// Contact is a contact ready for export. It has the same fields, in the same
// order, as source.Contact, so the pipeline converts one to the other with
// outreach.Contact(c). Phone and Mobile are E.164; Segments are sorted.
type Contact struct {
	Line     int
	ID       string
	First    string
	Last     string
	Email    string
	Phone    string
	Mobile   string
	Street   string
	City     string
	State    string
	Zip      string
	Lon      float64
	Lat      float64
	HasPoint bool
	GEOID    string
	Tract    string
	Area     string
	Segments []string
	OptIn    bool
	Custom   map[string]string
	Problems []string
}

// Neutralize defends a cell against spreadsheet formula injection (OWASP CSV
// Injection; OWASP ASVS 5.0 requirement 1.2.10): a value beginning with '=',
// '+', '-', '@', tab, carriage return or NUL is prefixed with a single quote,
// which spreadsheets treat as "this is text". Other values are returned
// unchanged.
func Neutralize(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r', 0:
		return "'" + s
	}
	return s
}

// Profile names.
const (
	CallHub       = "callhub"
	ActionNetwork = "actionnetwork"
	EveryAction   = "everyaction"
	NationBuilder = "nationbuilder"
	Mobilize      = "mobilize"
	Generic       = "generic"
)

// Profiles lists the profile names in output order.
func Profiles() []string {
	return []string{CallHub, ActionNetwork, EveryAction, NationBuilder, Mobilize, Generic}
}

// Skip reasons a profile gives for a contact it cannot export.
const (
	ReasonNoPhone      = "no phone number"
	ReasonNoEmail      = "no email address"
	ReasonNotOptedIn   = "not opted in to email"
	ReasonNoName       = "no first and last name"
	ReasonNoIdentifier = "no email, and no phone with first and last name"
)

// profile is one export format: its columns and how a contact fills them.
// row returns a skip reason instead of a row when the contact cannot be
// exported in this format.
type profile struct {
	name   string
	header func(custom []string) []string
	row    func(c *Contact, segment string, custom []string) ([]string, string)
}

func profileByName(name string) (profile, bool) {
	for _, p := range allProfiles {
		if p.name == name {
			return p, true
		}
	}
	return profile{}, false
}

// digits renders an E.164 number without its "+": "+15105550123" ->
// "15105550123".
func digits(e164 string) string { return strings.TrimPrefix(e164, "+") }

func zip5(z string) string {
	if len(z) >= 5 {
		return z[:5]
	}
	return z
}

func customCells(c *Contact, custom []string) []string {
	out := make([]string, len(custom))
	for i, k := range custom {
		out[i] = c.Custom[k]
	}
	return out
}

// tagSafe makes a segment name usable inside a comma-separated tag list.
func tagSafe(s string) string { return strings.ReplaceAll(s, ",", " ") }

var allProfiles = []profile{
	{
		// CallHub phone book import: a phone number with country code is
		// mandatory; names, email, address and custom fields are mapped in
		// the import wizard. Mobile is preferred (texting), else Phone.
		name: CallHub,
		header: func(custom []string) []string {
			return append([]string{"phone_number", "first_name", "last_name", "email", "address", "city", "state", "zipcode"}, custom...)
		},
		row: func(c *Contact, _ string, custom []string) ([]string, string) {
			ph := c.Mobile
			if ph == "" {
				ph = c.Phone
			}
			if ph == "" {
				return nil, ReasonNoPhone
			}
			return append([]string{digits(ph), c.First, c.Last, c.Email, c.Street, c.City, c.State, c.Zip}, customCells(c, custom)...), ""
		},
	},
	{
		// Action Network upload by email: email is the key, ZIP strongly
		// recommended; only people who opted in may be uploaded (Action
		// Network's 100% opt-in policy). The segment goes in as the upload's
		// tag in the upload wizard; the file name carries it.
		name: ActionNetwork,
		header: func(custom []string) []string {
			return append([]string{"email", "first_name", "last_name", "address", "city", "state", "zip_code"}, custom...)
		},
		row: func(c *Contact, _ string, custom []string) ([]string, string) {
			if c.Email == "" {
				return nil, ReasonNoEmail
			}
			if !c.OptIn {
				return nil, ReasonNotOptedIn
			}
			return append([]string{c.Email, c.First, c.Last, c.Street, c.City, c.State, zip5(c.Zip)}, customCells(c, custom)...), ""
		},
	},
	{
		// EveryAction / NGP VAN bulk import, CreateOrUpdateContact mapping:
		// VAN matches people on name plus email, phone or address, so first
		// and last name are required.
		name: EveryAction,
		header: func([]string) []string {
			return []string{"FirstName", "LastName", "Email", "Phone", "CellPhone", "AddressLine1", "City", "StateOrProvince", "ZipOrPostal", "CountryCode"}
		},
		row: func(c *Contact, _ string, _ []string) ([]string, string) {
			if c.First == "" || c.Last == "" {
				return nil, ReasonNoName
			}
			country := ""
			if c.Street != "" || c.Zip != "" {
				country = "US"
			}
			return []string{c.First, c.Last, c.Email, digits(c.Phone), digits(c.Mobile), c.Street, c.City, c.State, c.Zip, country}, ""
		},
	},
	{
		// NationBuilder people import: email is a unique identifier on its
		// own; a phone needs first and last name. tag_list is comma
		// separated; the segment is the tag.
		name: NationBuilder,
		header: func([]string) []string {
			return []string{"email", "email_opt_in", "first_name", "last_name", "phone_number", "mobile_number", "primary_address1", "primary_city", "primary_state", "primary_zip", "tag_list"}
		},
		row: func(c *Contact, segment string, _ []string) ([]string, string) {
			if c.Email == "" && ((c.Phone == "" && c.Mobile == "") || c.First == "" || c.Last == "") {
				return nil, ReasonNoIdentifier
			}
			optIn := "N"
			if c.OptIn {
				optIn = "Y"
			}
			if c.Email == "" {
				optIn = ""
			}
			return []string{c.Email, optIn, c.First, c.Last, digits(c.Phone), digits(c.Mobile), c.Street, c.City, c.State, c.Zip, tagSafe(segment)}, ""
		},
	},
	{
		// Mobilize identifies people by email. The columns are the fields of
		// Mobilize's person attendance and affiliation objects (its API:
		// given_name, family_name, email_address and phone_number are required,
		// postal_code too for an event sign-up), so the file fits its bulk
		// sign-up and affiliation paths, and the attendance export that comes
		// back matches on email.
		name: Mobilize,
		header: func([]string) []string {
			return []string{"email_address", "given_name", "family_name", "phone_number", "postal_code"}
		},
		row: func(c *Contact, _ string, _ []string) ([]string, string) {
			ph := c.Mobile
			if ph == "" {
				ph = c.Phone
			}
			switch {
			case c.Email == "":
				return nil, ReasonNoEmail
			case ph == "":
				return nil, ReasonNoPhone
			case c.First == "" || c.Last == "":
				return nil, ReasonNoName
			}
			return []string{c.Email, c.First, c.Last, digits(ph), zip5(c.Zip)}, ""
		},
	},
	{
		// Generic: every mapped field plus where the contact was placed.
		// Coordinates are not written (a home's exact location is the most
		// sensitive field; tract and area are enough to route work).
		name: Generic,
		header: func(custom []string) []string {
			return append([]string{"id", "first_name", "last_name", "email", "phone", "mobile", "street", "city", "state", "zip", "tract", "area", "segments", "opt_in"}, custom...)
		},
		row: func(c *Contact, _ string, custom []string) ([]string, string) {
			optIn := "no"
			if c.OptIn {
				optIn = "yes"
			}
			return append([]string{c.ID, c.First, c.Last, c.Email, digits(c.Phone), digits(c.Mobile), c.Street, c.City, c.State, c.Zip,
				c.Tract, c.Area, strings.Join(c.Segments, "; "), optIn}, customCells(c, custom)...), ""
		},
	},
}
