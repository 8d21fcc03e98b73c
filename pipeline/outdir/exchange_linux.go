package outdir

import "golang.org/x/sys/unix"

// exchange swaps the names a and b in one step (renameat2 with
// RENAME_EXCHANGE, Linux 3.15 and later, on ext4, xfs, btrfs, tmpfs and
// most others); where the file system does not support it, it falls back to
// two renames.
func exchange(a, b string) error {
	err := unix.Renameat2(unix.AT_FDCWD, a, unix.AT_FDCWD, b, unix.RENAME_EXCHANGE)
	if err == unix.EINVAL || err == unix.ENOSYS || err == unix.EOPNOTSUPP {
		return exchangeByRenames(a, b)
	}
	return err
}
