package config

import (
	"maps"
	"slices"
)

// SeatColumn is the name of the column that holds a record's seat of the
// decision layer on boundary b.
func SeatColumn(b string) string { return b + "_seat" }

// DecisionLayers returns the names of the boundaries declared decision
// layers, sorted.
func (c *Config) DecisionLayers() []string {
	var out []string
	for _, n := range slices.Sorted(maps.Keys(c.Boundaries)) {
		if b := c.Boundaries[n]; b != nil && b.Decides != nil {
			out = append(out, n)
		}
	}
	return out
}
