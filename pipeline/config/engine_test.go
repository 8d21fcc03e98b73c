package config

import (
	"strings"
	"testing"
)

func TestCheckEngine(t *testing.T) {
	for _, tc := range []struct {
		engine, want string
	}{
		{"", ""},
		{"native", ""},
		{"sedona", ""},
		{"spark", `engine: unknown engine "spark"; use native or sedona`},
	} {
		t.Run(tc.engine, func(t *testing.T) {
			p := &problems{}
			(&Config{Engine: tc.engine}).checkEngine(p)
			got := strings.Join(p.list, "; ")
			if got != tc.want {
				t.Errorf("checkEngine(%q) = %q, want %q", tc.engine, got, tc.want)
			}
		})
	}
}
