package source

import "testing"

func TestNormalizeStreet(t *testing.T) {
	tests := []struct{ in, want string }{
		{"750 International Boulevard", "750 international blvd"},
		{"750  International Blvd.", "750 international blvd"},
		{"1001 E. 14th Street, Apt 3", "1001 e 14th st apt 3"},
		{"1001 East 14th St", "1001 e 14th st"},
		{"...", ""},
	}
	for _, tt := range tests {
		if got := NormalizeStreet(tt.in); got != tt.want {
			t.Errorf("NormalizeStreet(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
