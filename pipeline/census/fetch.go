package census

import (
	"archive/zip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	neturl "net/url"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// FilesConfig configures a Files fetcher. Zero values take the defaults
// named.
type FilesConfig struct {
	// HTTP is the client used for downloads (default: a new http.Client
	// with a 10-minute timeout per try; state files run to tens of MB).
	HTTP *http.Client
	// BaseURL defaults to DefaultBoundaryBaseURL.
	BaseURL string
	// CacheDir holds the downloaded files, mirroring the Bureau's paths
	// (CacheDir/GENZ2018/shp/cb_2018_13_tract_500k.zip), each with a
	// .sha256 file beside it. Required.
	CacheDir string
	// Offline serves files from CacheDir only and fails with ErrOffline on a
	// miss.
	Offline bool
	// OfflineHint is the command a user runs to fill the cache, quoted in
	// the offline error (default: "run once without --offline").
	OfflineHint string
	// MaxAttempts bounds tries of one file (default 5); BaseBackoff is the
	// first wait between them (default 2 seconds), doubled each retry.
	MaxAttempts int
	BaseBackoff time.Duration
	// Logger receives one line per download (default: discard).
	Logger *slog.Logger
	// Sleep is injectable for tests; it must return ctx.Err() when ctx ends
	// first.
	Sleep func(ctx context.Context, d time.Duration) error
}

// Files downloads the Census Bureau's published files (boundary zips, the
// tract relationship file) into a cache and serves them from it. A file is
// downloaded at most once: later calls, and runs with Offline set, read the
// cache. It is safe for concurrent use as long as two calls do not fetch the
// same file at the same time.
type Files struct {
	cfg  FilesConfig
	http *http.Client
}

// NewFiles returns a fetcher for cfg with defaults filled in.
func NewFiles(cfg FilesConfig) *Files {
	if cfg.BaseURL == "" {
		cfg.BaseURL = DefaultBoundaryBaseURL
	}
	cfg.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = 5
	}
	if cfg.BaseBackoff <= 0 {
		cfg.BaseBackoff = 2 * time.Second
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Sleep == nil {
		cfg.Sleep = sleepCtx
	}
	if cfg.OfflineHint == "" {
		cfg.OfflineHint = "run once without --offline to download it"
	}
	hc := &http.Client{Timeout: 10 * time.Minute}
	if cfg.HTTP != nil {
		hc = cfg.HTTP
	}
	return &Files{cfg: cfg, http: hc}
}

// Fetched is a file in the cache.
type Fetched struct {
	URL string // where it came from
	// Published is where the Bureau publishes it (the same path under
	// DefaultBoundaryBaseURL), which a report cites even when a mirror or
	// a test server served it.
	Published string
	Path      string // the cached file
	SHA256    string // hex SHA-256 of its bytes, checked on every use
	Cached    bool   // served from the cache without a download
}

// URL returns the full URL of a path under the base URL; "../" steps out of
// it (the relationship files live in geo/docs, beside geo/tiger).
func (f *Files) URL(rel string) string {
	base := f.cfg.BaseURL
	for strings.HasPrefix(rel, "../") {
		rel = strings.TrimPrefix(rel, "../")
		if i := strings.LastIndex(base, "/"); i > len("https://") {
			base = base[:i]
		}
	}
	return base + "/" + rel
}

// cachePath maps a published path to its place in the cache. Only the
// path's cleaned segments are used, never a query or anything secret.
func (f *Files) cachePath(rel string) string {
	clean := path.Clean("/" + strings.ReplaceAll(rel, "../", "up/"))
	return filepath.Join(f.cfg.CacheDir, filepath.FromSlash(strings.TrimPrefix(clean, "/")))
}

// Get returns the file published at rel (a path under the base URL), from
// the cache when it is there and its bytes still match its recorded
// SHA-256, otherwise downloaded: to a .part file that an interrupted
// download resumes with an HTTP Range request, checked by check (for a zip:
// that it opens and holds a shapefile), and then moved into place with its
// .sha256 file. want, when not empty, is the SHA-256 the caller pins; a file
// that does not match it is refused. Server errors (5xx, 429) and cut-off
// bodies are retried with backoff; 404 is not.
func (f *Files) Get(ctx context.Context, rel, want string, check func(path string) error) (*Fetched, error) {
	if f.cfg.CacheDir == "" {
		return nil, errors.New("census files: no cache directory is set")
	}
	url := f.URL(rel)
	published := (&Files{cfg: FilesConfig{BaseURL: DefaultBoundaryBaseURL}}).URL(rel)
	dst := f.cachePath(rel)
	sum, err := verifyCached(dst)
	if errors.Is(err, errNoChecksum) {
		// No .sha256: a copy the user put there (a download writes the
		// .sha256 before its file). Used if it is what a download would
		// keep; never deleted offline, where it is all there is.
		var aerr error
		if sum, aerr = adopt(dst, want, check); aerr == nil {
			f.cfg.Logger.Info("census files: using the copy put in the cache", "file", dst, "sha256", sum)
			err = nil
		} else if f.cfg.Offline {
			return nil, fmt.Errorf("census files: %s: the copy in the cache (%s) is not usable: %w; replace it with the file published at %s", url, dst, aerr, published)
		} else {
			err = aerr
		}
	}
	if err == nil {
		if want != "" && !strings.EqualFold(want, sum) {
			return nil, fmt.Errorf("census files: %s: the cached file's SHA-256 is %s, the pipeline file pins %s: delete %s to download it again, or correct the pin", url, sum, want, dst)
		}
		return &Fetched{URL: url, Published: published, Path: dst, SHA256: sum, Cached: true}, nil
	} else if !errors.Is(err, os.ErrNotExist) {
		f.cfg.Logger.Warn("census files: cached file is damaged; downloading it again", "file", dst, "reason", err.Error())
		os.Remove(dst)
		os.Remove(dst + ".sha256")
	}
	if f.cfg.Offline {
		return nil, fmt.Errorf("census files: %s: %w: %s, or put a copy of the file published there at %s", url, ErrOffline, f.cfg.OfflineHint, dst)
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return nil, fmt.Errorf("census files: %w", err)
	}
	part := dst + ".part"
	var lastErr error
	for attempt := 1; attempt <= f.cfg.MaxAttempts; attempt++ {
		if attempt > 1 {
			d := f.cfg.BaseBackoff << (attempt - 2)
			f.cfg.Logger.Warn("census files: download failed, retrying", "url", url, "attempt", attempt-1, "wait", d, "reason", lastErr.Error())
			if err := f.cfg.Sleep(ctx, d); err != nil {
				return nil, fmt.Errorf("census files: %s: %w", url, err)
			}
		}
		err := f.download(ctx, url, part)
		if err == nil {
			break
		}
		var perm *permanentError
		if errors.As(err, &perm) {
			return nil, err
		}
		if ctx.Err() != nil {
			return nil, fmt.Errorf("census files: %s: %w", url, err)
		}
		lastErr = err
		if attempt == f.cfg.MaxAttempts {
			kept := ""
			if st, err := os.Stat(part); err == nil && st.Size() > 0 {
				kept = fmt.Sprintf("; the %d bytes downloaded are kept in %s and resumed next time", st.Size(), part)
			}
			return nil, fmt.Errorf("census files: %s: gave up after %d attempts: %w%s. Without a connection to the Bureau, put a copy of the file published at %s at %s (it is checked as a download is)", url, attempt, lastErr, kept, published, dst)
		}
	}
	if check != nil {
		if err := check(part); err != nil {
			os.Remove(part)
			return nil, fmt.Errorf("census files: %s: the downloaded file is not usable: %w", url, err)
		}
	}
	sum, err = fileSHA256(part)
	if err != nil {
		return nil, fmt.Errorf("census files: %w", err)
	}
	if want != "" && !strings.EqualFold(want, sum) {
		os.Remove(part)
		return nil, fmt.Errorf("census files: %s: downloaded file's SHA-256 is %s, the pipeline file pins %s: the Bureau may have republished it; check and update the pin", url, sum, want)
	}
	if err := writeAtomic(dst+".sha256", []byte(sum+"  "+filepath.Base(dst)+"\n")); err != nil {
		return nil, fmt.Errorf("census files: %w", err)
	}
	if err := os.Rename(part, dst); err != nil {
		return nil, fmt.Errorf("census files: %w", err)
	}
	f.cfg.Logger.Info("census files: downloaded", "url", url, "sha256", sum)
	return &Fetched{URL: url, Published: published, Path: dst, SHA256: sum}, nil
}

// permanentError is a failure that another try will not fix.
type permanentError struct{ err error }

func (e *permanentError) Error() string { return e.err.Error() }
func (e *permanentError) Unwrap() error { return e.err }

// download fetches url into part, resuming from part's current size with a
// Range request when part exists. A server that ignores the range (200)
// restarts the file.
func (f *Files) download(ctx context.Context, url, part string) error {
	var have int64
	if st, err := os.Stat(part); err == nil {
		have = st.Size()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return &permanentError{err}
	}
	req.Header.Set("User-Agent", "groundwork (https://github.com/groundwork-org/groundwork)")
	if have > 0 {
		req.Header.Set("Range", "bytes="+strconv.FormatInt(have, 10)+"-")
	}
	resp, err := f.http.Do(req)
	if err != nil {
		var ue *neturl.Error
		if errors.As(err, &ue) {
			return ue.Err // the caller names the URL
		}
		return err
	}
	defer resp.Body.Close()
	flag := os.O_CREATE | os.O_WRONLY
	total := resp.ContentLength
	switch {
	case resp.StatusCode == http.StatusPartialContent && have > 0:
		flag |= os.O_APPEND
		if total >= 0 {
			total += have
		}
	case resp.StatusCode == http.StatusRequestedRangeNotSatisfiable && have > 0:
		// part is complete already (or longer than the file): start over.
		os.Remove(part)
		return errors.New("the partial download did not fit the file (HTTP 416); starting over")
	case resp.StatusCode == http.StatusOK:
		flag |= os.O_TRUNC
		have = 0
	case resp.StatusCode == http.StatusNotFound:
		return &permanentError{fmt.Errorf("census files: %s: HTTP 404: the Bureau publishes no such file; check the layer, year and state (not every layer exists for every vintage)", url)}
	case resp.StatusCode >= 500 || resp.StatusCode == http.StatusTooManyRequests:
		return fmt.Errorf("HTTP %d", resp.StatusCode)
	default:
		return &permanentError{fmt.Errorf("census files: %s: HTTP %d", url, resp.StatusCode)}
	}
	out, err := os.OpenFile(part, flag, 0o644)
	if err != nil {
		return &permanentError{fmt.Errorf("census files: %w", err)}
	}
	n, copyErr := io.Copy(out, resp.Body)
	if err := out.Close(); err != nil && copyErr == nil {
		copyErr = err
	}
	if copyErr != nil {
		return fmt.Errorf("download cut off after %d bytes: %w", have+n, copyErr)
	}
	if resp.ContentLength >= 0 && n != resp.ContentLength {
		return fmt.Errorf("download cut off: %d of %d bytes", have+n, total)
	}
	return nil
}

// verifyCached returns the recorded SHA-256 of a cached file after checking
// that the file still has it. A missing file gives an error wrapping
// os.ErrNotExist; a damaged one (no or mismatching .sha256) another error.
func verifyCached(p string) (string, error) {
	if _, err := os.Stat(p); err != nil {
		return "", err
	}
	rec, err := os.ReadFile(p + ".sha256")
	if err != nil {
		return "", fmt.Errorf("%s: %w", p, errNoChecksum)
	}
	want := strings.Fields(string(rec))
	if len(want) == 0 {
		return "", fmt.Errorf("empty checksum file beside %s", p)
	}
	got, err := fileSHA256(p)
	if err != nil {
		return "", err
	}
	if got != want[0] {
		return "", fmt.Errorf("%s: SHA-256 %s, recorded %s", p, got, want[0])
	}
	return got, nil
}

// errNoChecksum is verifyCached's error for a file with no .sha256 beside it.
var errNoChecksum = errors.New("no checksum file beside it")

// adopt checks a file put in the cache by hand as a download is checked
// (check, then the pin want) and records its SHA-256 beside it.
func adopt(p, want string, check func(string) error) (string, error) {
	if check != nil {
		if err := check(p); err != nil {
			return "", err
		}
	}
	sum, err := fileSHA256(p)
	if err != nil {
		return "", err
	}
	if want != "" && !strings.EqualFold(want, sum) {
		return "", fmt.Errorf("its SHA-256 is %s, the pipeline file pins %s", sum, want)
	}
	if err := writeAtomic(p+".sha256", []byte(sum+"  "+filepath.Base(p)+"\n")); err != nil {
		return "", err
	}
	return sum, nil
}

func fileSHA256(p string) (string, error) {
	f, err := os.Open(p)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// CheckShapefileZip checks that the file at p is a zip holding a .shp with
// its .dbf, as every Census boundary zip does.
func CheckShapefileZip(p string) error {
	z, err := zip.OpenReader(p)
	if err != nil {
		return fmt.Errorf("not a zip file: %w", err)
	}
	defer z.Close()
	var shp, dbf bool
	for _, m := range z.File {
		switch strings.ToLower(path.Ext(m.Name)) {
		case ".shp":
			shp = true
		case ".dbf":
			dbf = true
		}
	}
	if !shp || !dbf {
		return errors.New("the zip holds no shapefile (.shp and .dbf)")
	}
	return nil
}
