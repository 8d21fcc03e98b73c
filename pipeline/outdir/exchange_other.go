//go:build !linux

package outdir

// exchange swaps the names a and b with two renames (no atomic exchange
// outside Linux); it is used once per output folder, when a real folder
// written before links is replaced by a link.
func exchange(a, b string) error { return exchangeByRenames(a, b) }
