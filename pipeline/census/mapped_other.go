//go:build !unix

package census

import "os"

// decodeMapped is Decode's mapped path where files are not mapped: never
// taken.
func decodeMapped(*os.File) (*Table, bool) { return nil, false }

// withFaults runs f (nothing is mapped, so there is no fault to catch).
func withFaults(f func()) error {
	f()
	return nil
}
