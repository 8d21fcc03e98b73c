package config

import (
	"strings"
	"testing"
)

// TestValidateFollowUp: the followup section's problems are reported with
// their paths, all at once, before any file is read.
func TestValidateFollowUp(t *testing.T) {
	contacts := minimal + `
contacts:
  file: c.csv
  mapping: {email: Email, zip: Zip, sms_opt_in: SMS, do_not_call: DNC}
  tracts: b
`
	tests := []struct {
		name, yaml string
		want       []string
	}{
		{"valid", contacts + "followup:\n  files:\n    - {file: s.csv}\n    - {file: sheet.csv, mapping: {kind: signins, email: Email}}\n", nil},
		{"without contacts", minimal + "followup:\n  files: [{file: s.csv}]\n", []string{"followup: sign-ups are matched to the contacts section's list: add one"}},
		{"no files", contacts + "followup: {files: []}\n", []string{"followup.files: required"}},
		{"bad mappings", contacts + `followup:
  files:
    - {mapping: {kind: signins}}
    - {file: s.csv, mapping: {kind: walkins, preset: eventbrite}}
    - {file: sheet.csv, mapping: {kind: signins, first_name: First}}
`, []string{
			"followup.files[0].file: required",
			`followup.files[1].mapping: kind: "walkins" is not signups or signins`,
			`preset: "eventbrite" is unknown`,
			"followup.files[2].mapping: email, phone, first_name/last_name: map at least one way to recognise a person",
		}},
		// A custom field named as a column the exports already write
		// would give a file two columns of one name.
		{"custom fields that clash", contacts + "  exports: {profiles: [callhub], custom: [event, zipcode, language, language]}\nfollowup:\n  files: [{file: s.csv}]\n", []string{
			`contacts.exports.custom: custom field "language" is listed twice; list it once`,
			`contacts.exports.custom: custom field "zipcode": profile callhub and the follow-up lists already have a column of that name; rename the field`,
			`contacts.exports.custom: custom field "event": the follow-up lists already have a column of that name`,
		}},
		{"event is free without followup", contacts + "  exports: {profiles: [callhub], custom: [event]}\n", nil},
		{"unknown key", contacts + "followup:\n  files: [{file: s.csv, mapping: {emial: Email}}]\n", []string{`followup.files[0].mapping.emial: unknown key "emial"; did you mean "email"?`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("p.yaml", []byte(tt.yaml))
			if len(tt.want) == 0 {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("no error; want %q", tt.want)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error\n%v\nlacks %q", err, w)
				}
			}
		})
	}
}
