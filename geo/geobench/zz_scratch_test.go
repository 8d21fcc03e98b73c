package geobench

import (
	"context"
	"os"
	"testing"
)

// TestOursOnly: scratch, groundwork rows only (not committed).
func TestOursOnly(t *testing.T) {
	if !*full {
		t.Skip("run with -full")
	}
	if err := Run(context.Background(), Options{Workloads: DefaultWorkloads(*dataDir), Workers: 2}, os.Stdout); err != nil {
		t.Fatal(err)
	}
}
