package geoparquet

// Hooks for the tests of package geoparquet_test (readcols_real_test.go).

// DecodeWKB is decodeWKB.
var DecodeWKB = decodeWKB

// ReadRowsOnly makes Read read through its row loop alone (rows) or through
// readColumns alone (!rows, failing where it would fall back), until the
// returned function restores it.
func ReadRowsOnly(rows bool) (restore func()) {
	old := readMode
	readMode = columnsOnly
	if rows {
		readMode = rowsOnly
	}
	return func() { readMode = old }
}
