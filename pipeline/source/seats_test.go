package source

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestReadSeats(t *testing.T) {
	for _, tt := range []struct {
		name, csv string
		want      []Seat
		wantErr   string
	}{
		{"all columns, any case, extra ignored", "\ufeffSeat,Name,Office,Contact,Notes\nD1,A. Made-Up,Trustee,d1@example.org,x\nD2,,,,\n",
			[]Seat{{Seat: "D1", Name: "A. Made-Up", Office: "Trustee", Contact: "d1@example.org"}, {Seat: "D2"}}, ""},
		{"seat alone", "seat\nOakland\n", []Seat{{Seat: "Oakland"}}, ""},
		{"no seat column", "district,name\nD1,x\n", nil, `seats.csv:1: no "seat" column in the header (district, name)`},
		{"empty seat", "seat,name\n,x\n", nil, `seats.csv:2: column "seat": empty seat`},
		{"listed twice", "seat,name\nD1,x\nD1,y\n", nil, `seats.csv:3: column "seat": seat "D1" is listed twice (first on line 2)`},
		{"short row", "seat,name\nD1\n", nil, "seats.csv:2: malformed row"},
		{"empty file", "", nil, "seats.csv: empty file"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ReadSeats(context.Background(), strings.NewReader(tt.csv), "seats.csv")
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v; want it to contain %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("seats (-want +got):\n%s", diff)
			}
		})
	}
}
