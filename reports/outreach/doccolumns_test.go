package outreach

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// docColumns is the one table of each tool's import columns as its own
// documentation names them, with the page. It is written from the pages,
// not from profiles.go, so the golden files are checked against the
// documentation and not against themselves. extra lists the columns a
// profile writes that the page does not name (custom fields, which every
// tool below accepts, and the segment/area columns), each explained in
// docs/outreach.md. required lists columns of which every row must fill at
// least one.
var docColumns = []struct {
	profile string
	url     string
	// caseless: the tool matches column names without case (VAN, per
	// parsons: "permutations with underscores, spaces and capitalization").
	caseless bool
	columns  []string
	extra    []string
	required []string
}{
	{
		// CallHub's own MCP server documents the field list of its bulk
		// contact import (POST /v1/contacts/bulk_create/): "0: Contact (phone
		// number used for voice campaigns) 1: Mobile (phone number used for
		// SMS campaigns) 2: Last name 3: First name 4: Email 5: Country code
		// 6: Address 7: City 8: State 9: Zipcode ... 16: Tags
		// (comma-separated)"; the API names are those of create_contact.
		profile: CallHub,
		url:     "https://github.com/callhub/callhub-mcp/blob/43a8ecf/src/callhub/contacts.py",
		columns: []string{"contact", "mobile", "last_name", "first_name", "email", "country_code", "address", "city", "state", "zipcode",
			"job_title", "company_name", "company_website", "name", "tags"},
		extra:    []string{"language"},
		required: []string{"contact", "mobile"},
	},
	{
		// "we require at least email address ... We also accept first names,
		// last names, cities, states, addresses, and countries ... as well as
		// any custom columns"; uploads match "by email address and mobile
		// number" (203112989). The exact header spellings are not on these
		// pages: the upload screen matches columns to fields.
		profile:  ActionNetwork,
		url:      "https://help.actionnetwork.org/hc/en-us/articles/203112959-File-formats-for-list-uploads",
		columns:  []string{"email", "mobile_number", "first_name", "last_name", "address", "city", "state", "zip_code", "country"},
		extra:    []string{"area", "language"},
		required: []string{"email", "mobile_number"},
	},
	{
		// parsons/ngpvan/bulk_import.py, bulk_upsert_contacts (mapping type
		// CreateOrUpdateContact): the table of valid column names.
		profile:  EveryAction,
		url:      "https://github.com/move-coop/parsons/blob/6e3e3f1669f65c9dd5b11ea6a0356484939b89de/parsons/ngpvan/bulk_import.py",
		caseless: true,
		columns: []string{"vanid", "votervanid", "externalid", "firstname", "middlename", "lastname", "dob", "sex",
			"addressline1", "addressline2", "addressline3", "city", "stateorprovince", "ziporpostal", "countrycode", "displayasentered",
			"cellphone", "cellphonecountrycode", "phone", "phonecountrycode", "email", "otheremail"},
		extra:    []string{"segment", "area", "language"},
		required: []string{"firstname"},
	},
	{
		// The standard import fields (email, email_opt_in, first_name,
		// last_name, phone_number, mobile_number, mobile_opt_in, language,
		// tag_list "comma separated") and, in "Fields available for import"
		// (support.nationbuilder.com/en/articles/2895987), the home address
		// fields "Address address1 ... city ... state ... zip".
		profile: NationBuilder,
		url:     "http://nationbuilder.com/what_fields_are_available_for_imports",
		columns: []string{"email", "email_opt_in", "prefix", "first_name", "middle_name", "last_name", "suffix", "phone_number", "work_phone_number",
			"mobile_number", "mobile_opt_in", "language", "tag_list", "address1", "address2", "address3", "city", "state", "zip"},
		required: []string{"email", "phone_number", "mobile_number"},
	},
	{
		// Mobilize has no contact import; "Create organization event
		// attendance" takes a person (given_name, family_name,
		// email_address, phone_number, postal_code) and sms_opt_in.
		profile:  Mobilize,
		url:      "https://github.com/mobilizeamerica/api/blob/1025d0f/README.md#create-organization-event-attendance",
		columns:  []string{"given_name", "family_name", "email_address", "phone_number", "postal_code", "sms_opt_in"},
		required: []string{"email_address"},
	},
}

// TestGoldenColumnsMatchDocumentation parses every golden export file of
// each profile with the documented column list: every header must be a
// documented (or explained extra) column, every row as wide as the header,
// and every row must fill one of the required columns.
func TestGoldenColumnsMatchDocumentation(t *testing.T) {
	for _, d := range docColumns {
		allowed := map[string]bool{}
		norm := func(s string) string {
			if d.caseless {
				return strings.ToLower(s)
			}
			return s
		}
		for _, c := range append(append([]string(nil), d.columns...), d.extra...) {
			allowed[norm(c)] = true
		}
		files, _ := filepath.Glob(filepath.Join("testdata", "golden", d.profile, "*.csv"))
		if len(files) == 0 {
			t.Errorf("%s: no golden files", d.profile)
		}
		for _, f := range files {
			rows := readCSV(t, f)
			idx := map[string]int{}
			for i, h := range rows[0] {
				idx[norm(h)] = i
				if !allowed[norm(h)] {
					t.Errorf("%s: column %q is not in %s", f, h, d.url)
				}
			}
			for n, r := range rows[1:] {
				if len(r) != len(rows[0]) {
					t.Errorf("%s:%d: %d fields, header has %d", f, n+2, len(r), len(rows[0]))
					continue
				}
				filled := false
				for _, req := range d.required {
					if i, ok := idx[norm(req)]; ok && r[i] != "" {
						filled = true
					}
				}
				if !filled {
					t.Errorf("%s:%d: none of %v is filled", f, n+2, d.required)
				}
			}
		}
	}
}

// TestDocsCiteEveryPage checks that docs/outreach.md cites each page of
// docColumns, so the table and the documentation cannot drift apart.
func TestDocsCiteEveryPage(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("..", "..", "docs", "outreach.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range docColumns {
		if !strings.Contains(string(doc), d.url) {
			t.Errorf("docs/outreach.md does not cite %s (profile %s)", d.url, d.profile)
		}
	}
}
