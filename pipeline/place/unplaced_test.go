package place

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"sort"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/groundwork-org/groundwork/pipeline/frame"
	"github.com/groundwork-org/groundwork/pipeline/result"
	"github.com/groundwork-org/groundwork/pipeline/table"
)

// TestUnplacedAsSortedSlice: Unplaced gives what the Placer kept before it
// (a []result.Unplaced of copies, with outside reasons formatted when
// added, sorted stably by ID): over several sorted runs, with repeated IDs
// (the merge must keep the order they were added in), text and integer
// IDs, null and empty names, and both kinds of reason. MADE-UP records.
func TestUnplacedAsSortedSlice(t *testing.T) {
	for _, n := range []int{0, 1, 5, unplacedRun - 1, unplacedRun, 3*unplacedRun + 17} {
		for _, idCol := range []string{"s", "i"} {
			t.Run(fmt.Sprintf("%d records, id %s", n, idCol), func(t *testing.T) {
				rnd := rand.New(rand.NewPCG(uint64(n), 3))
				r := frame.New()
				r.AddCol("s", table.String)
				r.AddCol("i", table.Int)
				r.AddCol("name", table.String)
				for k := range n {
					row := map[string]any{"s": fmt.Sprintf("P%05d", rnd.IntN(n/2+1)), "i": int64(rnd.IntN(n/3+1) - n/6)}
					if k%7 != 0 {
						row["name"] = fmt.Sprintf("name %d", k) // null every 7th, "" never set otherwise
					}
					r.AppendRow(row)
				}
				var u Unplaced
				var want []result.Unplaced
				for i := range n {
					id, name := fmt.Sprint(r.Get(i, idCol)), r.Str(i, "name")
					if i%3 == 0 {
						reason := fmt.Sprintf("no coordinates (row %d)", i)
						u.add(r, i, idCol, "name", reason)
						want = append(want, result.Unplaced{ID: id, Name: name, Reason: reason})
						continue
					}
					lat, lon := (rnd.Float64()-0.5)*180, (rnd.Float64()-0.5)*360
					u.addOutside(r, i, idCol, "name", lat, lon)
					want = append(want, result.Unplaced{ID: id, Name: name, Reason: fmt.Sprintf("its location (%.6f, %.6f) is outside every boundary", lat, lon)})
				}
				sort.SliceStable(want, func(i, j int) bool { return want[i].ID < want[j].ID })
				if u.Len() != n {
					t.Fatalf("Len %d, want %d", u.Len(), n)
				}
				for pass := range 2 { // Each may be called again
					got := []result.Unplaced{} // copies: Each's strings are valid during the call only
					if err := u.Each(func(x result.Unplaced) error {
						got = append(got, result.Unplaced{ID: x.ID, Name: x.Name, Reason: string([]byte(x.Reason))})
						return nil
					}); err != nil {
						t.Fatal(err)
					}
					if diff := cmp.Diff(append([]result.Unplaced{}, want...), got); diff != "" {
						t.Fatalf("pass %d (-want +got):\n%s", pass, diff)
					}
				}
			})
		}
	}
}

// TestUnplacedEachStops: Each returns f's first error and calls f no more.
func TestUnplacedEachStops(t *testing.T) {
	r := frame.New()
	r.AddCol("s", table.String)
	for k := range 10 {
		r.AppendRow(map[string]any{"s": fmt.Sprint(k)})
	}
	var u Unplaced
	for i := range r.Len() {
		u.add(r, i, "s", "name", "no coordinates")
	}
	stop, calls := errors.New("stop"), 0
	if err := u.Each(func(result.Unplaced) error { calls++; return stop }); err != stop || calls != 1 {
		t.Errorf("Each = %v after %d call(s), want %v after 1", err, calls, stop)
	}
}
