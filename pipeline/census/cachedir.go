package census

import (
	"os"
	"path/filepath"
)

// DefaultCacheDir is the folder that holds cached Census responses when the
// user names none (--census-cache): groundwork/census under the user cache
// folder (os.UserCacheDir; on Linux $XDG_CACHE_HOME or ~/.cache). The error
// is os.UserCacheDir's, when the environment gives no such folder.
func DefaultCacheDir() (string, error) {
	dir, err := os.UserCacheDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, "groundwork", "census"), nil
}
