package outdir

import "os"

// exchangeByRenames swaps a and b through a third name: b is renamed aside,
// a takes its place, and the old b takes a's name. Between the first two
// renames b does not exist.
func exchangeByRenames(a, b string) error {
	tmp := a + ".swap"
	if err := os.Rename(b, tmp); err != nil {
		return err
	}
	if err := os.Rename(a, b); err != nil {
		os.Rename(tmp, b)
		return err
	}
	return os.Rename(tmp, a)
}
