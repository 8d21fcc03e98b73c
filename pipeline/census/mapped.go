//go:build unix

package census

import (
	"errors"
	"io"
	"os"
	"runtime/debug"
	"syscall"
	"unsafe"
)

// decodeMapped is Decode's fastest path for a regular file read from its
// start: scanTable on the file's memory mapping, with no copy of the
// bytes into the heap (reading a national response, 21.7 MB, into a
// fresh buffer zeroes it and then copies it: about 8 ms of a 100 ms
// decode). scanTable's table holds no reference to the body (its strings
// are copies, its numbers' texts canonical or copied), so the mapping is
// removed before decodeMapped returns. ok is false, with f not read, for
// anything scanTable does not take or when the file cannot be mapped or
// faults while it is read (cut short meanwhile): Decode then reads it.
func decodeMapped(f *os.File) (t *Table, ok bool) {
	fi, err := f.Stat()
	if err != nil || !fi.Mode().IsRegular() || fi.Size() == 0 || uint64(fi.Size()) > maxScanBytes {
		return nil, false
	}
	if off, err := f.Seek(0, io.SeekCurrent); err != nil || off != 0 {
		return nil, false
	}
	rc, err := f.SyscallConn()
	if err != nil {
		return nil, false
	}
	var m []byte
	var merr error
	if err := rc.Control(func(fd uintptr) {
		m, merr = syscall.Mmap(int(fd), 0, int(fi.Size()), syscall.PROT_READ, syscall.MAP_SHARED)
	}); err != nil || merr != nil {
		return nil, false
	}
	defer syscall.Munmap(m)
	if afterMap != nil {
		afterMap(f)
	}
	if withFaults(func() { t, ok = scanTableOf(unsafe.String(unsafe.SliceData(m), len(m)), true) }) != nil || !ok {
		return nil, false
	}
	// As if read: the reader is consumed.
	if _, err := f.Seek(0, io.SeekEnd); err != nil {
		return nil, false
	}
	return t, true
}

// afterMap, when set (by tests), is called with the file once it is
// mapped.
var afterMap func(*os.File)

// errFault is withFaults's error.
var errFault = errors.New("memory fault reading a mapped file")

// withFaults runs f, returning errFault if it faulted on memory (a mapped
// file's page beyond the file's end) rather than ending the process.
// Other panics are not caught.
func withFaults(f func()) (err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			if _, fault := r.(interface{ Addr() uintptr }); !fault {
				panic(r)
			}
			err = errFault
		}
	}()
	f()
	return nil
}
