package source

import (
	"context"
	"strings"
	"testing"
)

func TestScanSignInsHeaderErrors(t *testing.T) {
	_, err := ScanSignIns(context.Background(), strings.NewReader("Event,Email,Status\n"), "signins.csv", SignInMapping{Email: "Email", Status: "Status"}, func(SignIn) error { return nil })
	for _, w := range []string{`column "event_id": mapped as event_id`, `column "attended": mapped as attended`, `column "postal_code"`} {
		if err == nil || !strings.Contains(err.Error(), w) {
			t.Errorf("err = %v, want it to contain %q", err, w)
		}
	}
}
