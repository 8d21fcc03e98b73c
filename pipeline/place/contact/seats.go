package contact

import (
	"github.com/paulmach/orb"

	"github.com/groundwork-org/groundwork/pipeline/source"
)

// Seats returns a function that puts a contact's seat of each decision
// layer (boundary) in its custom column column(boundary): the feature that
// locate finds for its point, else its tract's seat (tractSeat: boundary ->
// geoid -> seat), else "". It counts each contact per segment in seats
// (boundary -> segment -> seat).
func Seats(layers []string, tractSeat map[string]map[string]string, locate func(boundary string, p orb.Point) (string, bool), column func(string) string) (func(*source.Contact), map[string]map[string]map[string]int) {
	if len(layers) == 0 {
		return func(*source.Contact) {}, nil
	}
	seats := map[string]map[string]map[string]int{}
	for _, b := range layers {
		seats[b] = map[string]map[string]int{}
	}
	return func(c *source.Contact) {
		if c.Custom == nil {
			c.Custom = map[string]string{}
		}
		for _, b := range layers {
			seat := ""
			if c.HasPoint {
				if id, ok := locate(b, orb.Point{c.Lon, c.Lat}); ok {
					seat = id
				}
			} else if c.GEOID != "" {
				seat = tractSeat[b][c.GEOID]
			}
			c.Custom[column(b)] = seat
			for _, sg := range c.Segments {
				if seats[b][sg] == nil {
					seats[b][sg] = map[string]int{}
				}
				seats[b][sg][seat]++
			}
		}
	}, seats
}
