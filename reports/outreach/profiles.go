// Package outreach writes contact lists in the import formats of the tools
// organizers use (CallHub, Action Network, EveryAction/NGP VAN,
// NationBuilder, Mobilize, and a generic CSV), one file per segment and
// profile, plus canvassing turfs (GeoJSON), printable walk lists and the
// follow-up lists of an event (reminder texts, confirmation calls, no-show
// follow-up).
//
// Safety contract: only the fields of Contact leave the machine, and each
// profile writes only its own columns, named as the receiving tool's import
// documentation names them (docs/outreach.md cites the page for each). Every
// cell passes through Neutralize. Consent is per channel: a number goes into
// a texting column only with SMS consent and only if it came from the mobile
// column; a number goes into a calling column only without a do-not-call
// mark; an email goes into a mailing tool only with email opt-in. A tool
// that has its own consent field (NationBuilder's email_opt_in and
// mobile_opt_in, Mobilize's sms_opt_in) gets the truth in it; a tool that
// has none gets the channel withheld. Every contact left out, and every
// channel withheld, is counted by reason. Phone numbers are written as
// E.164 digits without the "+" ("15105550123", country code kept) next to
// the country taken from the number, never from the address. All files are
// written to a temporary file in the destination directory and renamed into
// place.
package outreach

import (
	"strings"
)

// Contact is a contact ready for export; pipeline/source's contact-list
// reader fills it (source.Contact is this type). Phone and Mobile are E.164, PhoneRegion/MobileRegion
// the CLDR region of each number and PhoneCC/MobileCC its calling code;
// Segments are sorted. OptIn is email consent, SMSOptIn text consent,
// DoNotCall the do-not-call mark.
type Contact struct {
	Line         int
	ID           string
	First        string
	Last         string
	Email        string
	Phone        string
	Mobile       string
	PhoneRegion  string
	PhoneCC      string
	MobileRegion string
	MobileCC     string
	Street       string
	City         string
	State        string
	Zip          string
	Lon          float64
	Lat          float64
	HasPoint     bool
	GEOID        string
	Tract        string
	Area         string
	Segments     []string
	OptIn        bool
	SMSOptIn     bool
	DoNotCall    bool
	Custom       map[string]string
	Problems     []string
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

// Reasons a profile gives for a contact it leaves out, or for a channel
// (column) it leaves empty in an exported row.
const (
	ReasonNoPhone      = "no phone number"
	ReasonNoEmail      = "no email address"
	ReasonNotOptedIn   = "not opted in to email"
	ReasonNoName       = "no first and last name"
	ReasonNoIdentifier = "no email, and no phone with first and last name"
	ReasonNoZip        = "no ZIP code"
	ReasonDoNotCall    = "do not call"
	ReasonNoSMSConsent = "no text-message consent"
	ReasonLandlineOnly = "landline only (no mobile number)"
)

// row is what a profile makes of one contact: the cells, or the reason the
// contact is left out; withheld lists the reasons for channels left empty.
type row struct {
	cells    []string
	skip     string
	withheld []string
}

// profile is one export format: its columns and how a contact fills them.
type profile struct {
	name   string
	header func(custom []string) []string
	row    func(c *Contact, segment string, custom []string) row
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

// national is the number without its country calling code:
// ("+442079460958", "44") -> "2079460958".
func national(e164, cc string) string { return strings.TrimPrefix(digits(e164), cc) }

// vanCountryCode writes a calling code as VAN's bulk import documents it,
// two digits at least ("1" -> "01").
func vanCountryCode(cc string) string {
	if len(cc) == 1 {
		return "0" + cc
	}
	return cc
}

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

// tagSafe makes a name usable inside a comma-separated tag list.
func tagSafe(s string) string { return strings.ReplaceAll(s, ",", " ") }

// tags is the segment and the area of a contact as a comma-separated tag
// list ("flatlands,Clinton").
func tags(c *Contact, segments ...string) string {
	var t []string
	for _, s := range segments {
		t = append(t, tagSafe(s))
	}
	if c.Area != "" {
		t = append(t, tagSafe(c.Area))
	}
	return strings.Join(t, ",")
}

// Channel rules, the one place that decides consent.

// voice returns the number to call (mobile if there is no landline) and
// why there is none.
func voice(c *Contact) (number, region, cc, why string) {
	switch {
	case c.Phone == "" && c.Mobile == "":
		return "", "", "", ReasonNoPhone
	case c.DoNotCall:
		return "", "", "", ReasonDoNotCall
	case c.Phone != "":
		return c.Phone, c.PhoneRegion, c.PhoneCC, ""
	}
	return c.Mobile, c.MobileRegion, c.MobileCC, ""
}

// text returns the number to text and why there is none: only a number from
// the mobile column, only with SMS consent. Do-not-call does not forbid
// texts the person asked for.
func text(c *Contact) (number, why string) {
	switch {
	case c.Mobile == "" && c.Phone != "":
		return "", ReasonLandlineOnly
	case c.Mobile == "":
		return "", ReasonNoPhone
	case !c.SMSOptIn:
		return "", ReasonNoSMSConsent
	}
	return c.Mobile, ""
}

// mail returns the email to send to and why there is none.
func mail(c *Contact) (email, why string) {
	switch {
	case c.Email == "":
		return "", ReasonNoEmail
	case !c.OptIn:
		return "", ReasonNotOptedIn
	}
	return c.Email, ""
}

func yn(b bool) string {
	if b {
		return "Y"
	}
	return "N"
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// addressCountry is "US" for a contact with a street or ZIP (groundwork reads
// US ZIPs only), else empty.
func addressCountry(c *Contact) string {
	if c.Street != "" || c.Zip != "" {
		return "US"
	}
	return ""
}

// callHubMode restricts a CallHub row to one channel (follow-up lists).
type callHubMode int

const (
	callAndText callHubMode = iota
	callOnly
	textOnly
)

// callHubHeader is CallHub's contact fields by their API names (CallHub's
// own callhub/callhub-mcp, src/callhub/contacts.py, the field list of
// POST /v1/contacts/bulk_create/): contact is the number called in voice
// campaigns, mobile the number used for SMS.
func callHubHeader(custom []string) []string {
	return append([]string{"contact", "mobile", "first_name", "last_name", "email", "country_code", "address", "city", "state", "zipcode", "tags"}, custom...)
}

// callHubRow fills the CallHub columns; tagList is the tags cell.
func callHubRow(c *Contact, tagList string, custom []string, mode callHubMode) row {
	var r row
	vn, region, _, vwhy := voice(c)
	tn, twhy := text(c)
	if mode == textOnly {
		vn, vwhy = "", ""
	}
	if mode == callOnly {
		tn, twhy = "", ""
	}
	switch {
	case vn == "" && tn == "" && mode == textOnly:
		r.skip = twhy
		return r
	case vn == "" && tn == "" && mode == callOnly:
		r.skip = vwhy
		return r
	case vn == "" && tn == "":
		r.skip = vwhy
		if vwhy == ReasonDoNotCall && twhy != ReasonLandlineOnly {
			r.skip = ReasonDoNotCall + ", and " + twhy
		}
		return r
	}
	if vn == "" && vwhy != "" && vwhy != ReasonNoPhone {
		r.withheld = append(r.withheld, "voice: "+vwhy)
	}
	if tn == "" && twhy == ReasonNoSMSConsent {
		r.withheld = append(r.withheld, "mobile: "+twhy)
	}
	if vn == "" {
		region = c.MobileRegion
	}
	email, _ := mail(c)
	r.cells = append([]string{digits(vn), digits(tn), c.First, c.Last, email, region, c.Street, c.City, c.State, c.Zip, tagList}, customCells(c, custom)...)
	return r
}

var allProfiles = []profile{
	{
		// CallHub phone book: voice number in contact, SMS number in mobile,
		// country_code the ISO region of the number (CallHub's own field
		// list; the example update in callhub/callhub-mcp writes numbers as
		// digits with the country code, "contact=12015550123"), tags comma
		// separated: the segment and the area. Email only with opt-in.
		name:   CallHub,
		header: callHubHeader,
		row: func(c *Contact, segment string, custom []string) row {
			return callHubRow(c, tags(c, segment), custom, callAndText)
		},
	},
	{
		// Action Network upload by email or mobile number: "only upload
		// emails/mobile numbers of people who have explicitly opted in"
		// (help.actionnetwork.org 203112989); email, names, address, city,
		// state, ZIP, country and custom columns are accepted (203112959).
		// The segment is the upload's tag, chosen in the upload wizard; the
		// area is a custom column.
		name: ActionNetwork,
		header: func(custom []string) []string {
			return append([]string{"email", "mobile_number", "first_name", "last_name", "address", "city", "state", "zip_code", "country", "area"}, custom...)
		},
		row: func(c *Contact, _ string, custom []string) row {
			var r row
			email, ewhy := mail(c)
			mob, twhy := text(c)
			if email == "" && mob == "" {
				r.skip = ewhy
				if twhy == ReasonNoSMSConsent {
					r.skip = ewhy + "; " + twhy
				}
				return r
			}
			if email == "" && ewhy == ReasonNotOptedIn {
				r.withheld = append(r.withheld, "email: "+ewhy)
			}
			if mob == "" && twhy == ReasonNoSMSConsent {
				r.withheld = append(r.withheld, "mobile: "+twhy)
			}
			country := addressCountry(c)
			if country == "" && mob != "" {
				country = c.MobileRegion
			}
			r.cells = append([]string{email, digits(mob), c.First, c.Last, c.Street, c.City, c.State, zip5(c.Zip), country, c.Area}, customCells(c, custom)...)
			return r
		},
	},
	{
		// EveryAction / NGP VAN bulk import, mapping type
		// CreateOrUpdateContact (column names as move-coop/parsons
		// parsons/ngpvan/bulk_import.py documents them): phone numbers
		// national, their calling code in PhoneCountryCode /
		// CellPhoneCountryCode, CountryCode the address country, ExternalID
		// the list's own ID. VAN matches people on name plus email, phone or
		// address, so first and last name are required. The mapping has no
		// consent fields, so an email without opt-in and numbers marked
		// do-not-call are withheld. Segment, Area and the custom fields are
		// not fields of that mapping: they are for an activist-code or
		// custom-field mapping in the same upload (see docs/outreach.md).
		name: EveryAction,
		header: func(custom []string) []string {
			return append([]string{"ExternalID", "FirstName", "LastName", "Email", "Phone", "PhoneCountryCode", "CellPhone", "CellPhoneCountryCode",
				"AddressLine1", "City", "StateOrProvince", "ZipOrPostal", "CountryCode", "Segment", "Area"}, custom...)
		},
		row: func(c *Contact, segment string, custom []string) row {
			var r row
			if c.First == "" || c.Last == "" {
				r.skip = ReasonNoName
				return r
			}
			email, ewhy := mail(c)
			if email == "" && ewhy == ReasonNotOptedIn {
				r.withheld = append(r.withheld, "email: "+ewhy)
			}
			var ph, phcc, cell, cellcc string
			if c.DoNotCall && (c.Phone != "" || c.Mobile != "") {
				r.withheld = append(r.withheld, "phones: "+ReasonDoNotCall)
			} else {
				if c.Phone != "" {
					ph, phcc = national(c.Phone, c.PhoneCC), vanCountryCode(c.PhoneCC)
				}
				if c.Mobile != "" {
					cell, cellcc = national(c.Mobile, c.MobileCC), vanCountryCode(c.MobileCC)
				}
			}
			r.cells = append([]string{c.ID, c.First, c.Last, email, ph, phcc, cell, cellcc, c.Street, c.City, c.State, c.Zip, addressCountry(c), segment, c.Area}, customCells(c, custom)...)
			return r
		},
	},
	{
		// NationBuilder people import ("Fields available for import",
		// support.nationbuilder.com article 2895987, and the standard import
		// field list at nationbuilder.com/what_fields_are_available_for_imports):
		// email is a unique identifier on its own; a phone needs first and
		// last name. email_opt_in and mobile_opt_in are Y/N and carry the
		// truth; phone numbers marked do-not-call are withheld unless the
		// person opted in to texts on that mobile. The home address is the
		// Address fields address1, city, state, zip; tag_list is comma
		// separated: the segment and the area. language is the custom field
		// "language" when the list maps one.
		name: NationBuilder,
		header: func([]string) []string {
			return []string{"email", "email_opt_in", "first_name", "last_name", "phone_number", "mobile_number", "mobile_opt_in", "language",
				"address1", "city", "state", "zip", "tag_list"}
		},
		row: func(c *Contact, segment string, _ []string) row {
			var r row
			if c.Email == "" && ((c.Phone == "" && c.Mobile == "") || c.First == "" || c.Last == "") {
				r.skip = ReasonNoIdentifier
				return r
			}
			emailOptIn := ""
			if c.Email != "" {
				emailOptIn = yn(c.OptIn)
			}
			ph, mob, mobOptIn := c.Phone, c.Mobile, ""
			if c.DoNotCall && ph != "" {
				ph = ""
				r.withheld = append(r.withheld, "phone_number: "+ReasonDoNotCall)
			}
			if c.DoNotCall && mob != "" && !c.SMSOptIn {
				mob = ""
				r.withheld = append(r.withheld, "mobile_number: "+ReasonDoNotCall)
			}
			if mob != "" {
				mobOptIn = yn(c.SMSOptIn)
			}
			if c.Email == "" && ph == "" && mob == "" {
				r.skip = ReasonDoNotCall
				r.withheld = nil
				return r
			}
			r.cells = []string{c.Email, emailOptIn, c.First, c.Last, digits(ph), digits(mob), mobOptIn, c.Custom["language"],
				c.Street, c.City, c.State, c.Zip, tags(c, segment)}
			return r
		},
	},
	{
		// Mobilize has no contact import. This is the person of its API's
		// "Create organization event attendance" (github.com/mobilizeamerica/api:
		// given_name, family_name, email_address, phone_number, postal_code,
		// and sms_opt_in OPT_IN or UNSPECIFIED): a list of people to invite,
		// who are matched on email by Mobilize. Inviting is mailing, so email
		// opt-in is required; postal_code is required by that API.
		name: Mobilize,
		header: func([]string) []string {
			return []string{"given_name", "family_name", "email_address", "phone_number", "postal_code", "sms_opt_in"}
		},
		row: func(c *Contact, _ string, _ []string) row {
			var r row
			email, ewhy := mail(c)
			switch {
			case email == "":
				r.skip = ewhy
				return r
			case c.First == "" || c.Last == "":
				r.skip = ReasonNoName
				return r
			case zip5(c.Zip) == "":
				r.skip = ReasonNoZip
				return r
			}
			ph, optIn := "", "UNSPECIFIED"
			if mob, _ := text(c); mob != "" {
				ph, optIn = mob, "OPT_IN"
			} else if vn, _, _, why := voice(c); vn != "" {
				ph = vn
			} else if why == ReasonDoNotCall {
				r.withheld = append(r.withheld, "phone_number: "+why)
			}
			r.cells = []string{c.First, c.Last, email, digits(ph), zip5(c.Zip), optIn}
			return r
		},
	},
	{
		// Generic: every mapped field, the consent flags and where the
		// contact was placed, for the organization's own spreadsheet.
		// Coordinates are not written (a home's exact location is the most
		// sensitive field; tract and area are enough to route work).
		name: Generic,
		header: func(custom []string) []string {
			return append([]string{"id", "first_name", "last_name", "email", "phone", "phone_country", "mobile", "mobile_country", "street", "city", "state", "zip",
				"tract", "area", "segments", "email_opt_in", "sms_opt_in", "do_not_call"}, custom...)
		},
		row: func(c *Contact, _ string, custom []string) row {
			return row{cells: append([]string{c.ID, c.First, c.Last, c.Email, digits(c.Phone), c.PhoneRegion, digits(c.Mobile), c.MobileRegion, c.Street, c.City, c.State, c.Zip,
				c.Tract, c.Area, strings.Join(c.Segments, "; "), yesNo(c.OptIn), yesNo(c.SMSOptIn), yesNo(c.DoNotCall)}, customCells(c, custom)...)}
		},
	},
}
