package report

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"path/filepath"
	"slices"
	"strings"

	"github.com/groundwork-org/groundwork/geo"
	"github.com/groundwork-org/groundwork/pipeline/config"
	"github.com/groundwork-org/groundwork/pipeline/source"
)

// ReadSeats reads the seat list of each decision layer of c that has one
// (Input.Seats) and checks that every seat it lists is a feature of the
// layer's boundary in layers.
func ReadSeats(ctx context.Context, c *config.Config, layers map[string]*geo.Layer) (map[string][]source.Seat, error) {
	out := map[string][]source.Seat{}
	for _, b := range c.DecisionLayers() {
		d := c.Boundaries[b].Decides
		if d.Seats == "" {
			continue
		}
		file := filepath.Base(d.Seats)
		seats, err := source.ReadWith(c.Path(d.Seats), func(r io.Reader) ([]source.Seat, error) { return source.ReadSeats(ctx, r, file) })
		if err != nil {
			return nil, fmt.Errorf("boundaries.%s.decides.seats: %w", b, err)
		}
		ids := map[string]bool{}
		for _, f := range layers[b].Features {
			ids[f.ID] = true
		}
		var errs []error
		for _, s := range seats {
			if !ids[s.Seat] {
				errs = append(errs, fmt.Errorf("boundaries.%s.decides.seats: %s: seat %q is not a feature of boundary %s (its %s values are %s)", b, file, s.Seat, b, c.Boundaries[b].ID, firstFew(slices.Sorted(maps.Keys(ids)), 5)))
			}
		}
		if err := errors.Join(errs...); err != nil {
			return nil, err
		}
		out[b] = seats
	}
	return out, nil
}

// firstFew joins the first n of list, with "…" when there are more.
func firstFew(list []string, n int) string {
	if len(list) > n {
		return strings.Join(list[:n], ", ") + ", …"
	}
	return strings.Join(list, ", ")
}
