package census

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// DefaultBaseURL is the Census Data API's root.
const DefaultBaseURL = "https://api.census.gov/data"

// DefaultMaxResponseBytes is the default limit on one answer: 256 MiB, about
// five times the largest answer a pipeline needs (all 85,000 tracts of the
// nation with 50 variables is about 50 MB), so that a runaway answer cannot
// exhaust memory.
const DefaultMaxResponseBytes = 256 << 20

// Config configures a Client. Zero values take the defaults named.
type Config struct {
	// HTTP is the client used for requests (default: a new http.Client).
	// Its redirects are never followed: the Client uses a copy whose
	// CheckRedirect stops at the first response.
	HTTP *http.Client
	// BaseURL defaults to DefaultBaseURL.
	BaseURL string
	// Key is the Census Data API key (see ResolveKey). It is sent as the
	// key query parameter and never written to logs, errors, the cache or
	// its file names.
	Key string
	// CacheDir holds cached responses; "" disables the cache.
	CacheDir string
	// Offline serves everything from CacheDir and fails with ErrOffline on a
	// miss, without touching the network.
	Offline bool
	// Refresh fetches every answer from the API again instead of serving it
	// from CacheDir, and replaces the cached copy once the new answer passes
	// the checks. It is the way out of a cached answer that is valid but cut
	// short at a row boundary, which only a comparison with a boundary layer
	// (TractCoverage) or CheckComplete notices. Offline wins over it.
	Refresh bool
	// Concurrency bounds the requests in flight (default 2, at most 8: the
	// API is a shared public service).
	Concurrency int
	// Logger receives one line per request (default: discard).
	Logger *slog.Logger
	// Progress, when set, receives "requests done/total" lines; with
	// Terminal set they overwrite one line (carriage return) and show an
	// ETA.
	Progress io.Writer
	Terminal bool
	// MaxAttempts bounds tries of one request (default 5); MaxRetryTime
	// bounds the time spent waiting between them (default 2 minutes);
	// RequestTimeout bounds each try (default 60 seconds); BaseBackoff is the
	// first wait (default 1 second), doubled each retry up to 30 seconds.
	MaxAttempts    int
	MaxRetryTime   time.Duration
	RequestTimeout time.Duration
	BaseBackoff    time.Duration
	// MaxResponseBytes bounds the body of one answer (default
	// DefaultMaxResponseBytes). A larger answer is refused, not truncated,
	// with advice to request fewer variables or a smaller geography.
	MaxResponseBytes int64
	// CheckComplete also requests the list of geographies (get=NAME, cached
	// like any answer) of every query whose for= is a wildcard, and refuses
	// an answer that lacks any of them. It is the only way to notice an
	// answer cut at a row boundary that is still valid JSON; it costs one
	// small request per geography query.
	CheckComplete bool
	// Now, Sleep and Jitter are injectable for tests. Sleep must return
	// ctx.Err() when ctx ends first; Jitter returns a value in [0, 1).
	Now    func() time.Time
	Sleep  func(ctx context.Context, d time.Duration) error
	Jitter func() float64
}

// Client talks to the Census Data API. It is safe for concurrent use.
type Client struct {
	cfg  Config
	http *http.Client

	mu   sync.Mutex
	meta map[string]*metaEntry
}

type metaEntry struct {
	mu sync.Mutex
	m  *Metadata
}

// NewClient returns a client for cfg, with defaults filled in.
func NewClient(cfg Config) *Client {
	if cfg.BaseURL == "" {
		cfg.BaseURL = DefaultBaseURL
	}
	cfg.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	if cfg.Concurrency <= 0 {
		cfg.Concurrency = 2
	}
	cfg.Concurrency = min(cfg.Concurrency, 8)
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = 5
	}
	if cfg.MaxRetryTime <= 0 {
		cfg.MaxRetryTime = 2 * time.Minute
	}
	if cfg.RequestTimeout <= 0 {
		cfg.RequestTimeout = 60 * time.Second
	}
	if cfg.BaseBackoff <= 0 {
		cfg.BaseBackoff = time.Second
	}
	if cfg.MaxResponseBytes <= 0 {
		cfg.MaxResponseBytes = DefaultMaxResponseBytes
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Sleep == nil {
		cfg.Sleep = sleepCtx
	}
	if cfg.Jitter == nil {
		cfg.Jitter = rand.Float64
	}
	hc := http.Client{}
	if cfg.HTTP != nil {
		hc = *cfg.HTTP
	}
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &Client{cfg: cfg, http: &hc, meta: map[string]*metaEntry{}}
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// ResolveKey returns the API key named by ref: "" means the environment
// variable CENSUS_API_KEY; "env:NAME" or "${NAME}" names another variable.
// A literal key in ref is refused (pipeline files are shared; keys are not).
// An unset or empty variable gives an error wrapping ErrNoKey.
func ResolveKey(ref string, getenv func(string) string) (string, error) {
	name := "CENSUS_API_KEY"
	switch {
	case ref == "":
	case strings.HasPrefix(ref, "env:"):
		name = strings.TrimPrefix(ref, "env:")
	case strings.HasPrefix(ref, "${") && strings.HasSuffix(ref, "}"):
		name = ref[2 : len(ref)-1]
	default:
		return "", errors.New("census: the key setting must name an environment variable (api_key: env:CENSUS_API_KEY), not hold the key itself")
	}
	k := strings.TrimSpace(getenv(name))
	if k == "" {
		return "", fmt.Errorf("environment variable %s is empty: %w", name, ErrNoKey)
	}
	return k, nil
}

// call is one GET of the API, identified by its keyless URL.
type call struct {
	url   string // keyless, canonical (sorted query)
	cache string // cache file path relative to CacheDir
	// json says whether the body must decode as an array of arrays (data)
	// or as an object (metadata).
	data bool
	// where names what is requested, for errors ("variables.json of 2018
	// acs/acs5").
	where string
	// expect is what a data answer must hold (nil for metadata).
	expect *expect
}

func (c *Client) dataCall(dataset string, year int, q url.Values) call {
	u := fmt.Sprintf("%s/%d/%s?%s", c.cfg.BaseURL, year, dataset, q.Encode())
	sum := sha256.Sum256([]byte(fmt.Sprintf("%d/%s?%s", year, dataset, q.Encode())))
	e, err := expectFor(strings.Split(q.Get("get"), ","), q.Get("for"), q.Get("in"))
	if err != nil {
		// plan built q from parsed clauses: a failure here is a bug.
		panic("census: dataCall: " + err.Error())
	}
	return call{
		url:    u,
		cache:  filepath.Join("data", strconv.Itoa(year), safeName(dataset), hex.EncodeToString(sum[:12])+".json"),
		data:   true,
		where:  fmt.Sprintf("%d %s get=%s for=%s in=%s", year, dataset, q.Get("get"), q.Get("for"), q.Get("in")),
		expect: e,
	}
}

func (c *Client) metaCall(dataset string, year int, file string) call {
	return call{
		url:   fmt.Sprintf("%s/%d/%s/%s", c.cfg.BaseURL, year, dataset, file),
		cache: filepath.Join("meta", strconv.Itoa(year), safeName(dataset), file),
		where: fmt.Sprintf("%s of %d %s", file, year, dataset),
	}
}

func safeName(s string) string {
	return strings.NewReplacer("/", "_", "\\", "_", "..", "_").Replace(s)
}

// get returns the body of cl from the cache or the API, with retries, and
// for a data call the decoded table. A body is cached only after it was
// checked (valid JSON of the right shape, and for data the checks of
// Table.check against the request); a cached body is checked again when it
// is read, and one that fails (written by an older version, or edited) is
// removed and fetched again (offline: an error naming the file).
func (c *Client) get(ctx context.Context, cl call) ([]byte, *Table, error) {
	path := ""
	if c.cfg.CacheDir != "" {
		path = filepath.Join(c.cfg.CacheDir, cl.cache)
		if b, err := os.ReadFile(path); err == nil && (!c.cfg.Refresh || c.cfg.Offline) {
			t, err := cl.accept(b)
			if err == nil {
				c.cfg.Logger.Debug("census cache hit", "url", cl.url)
				return b, t, nil
			}
			if c.cfg.Offline {
				return nil, nil, fmt.Errorf("census: %s: the cached answer %s fails the checks (%w); run once without --offline to fetch it again", cl.where, path, err)
			}
			c.cfg.Logger.Warn("census: a cached answer fails the checks; fetching it again", "file", path, "reason", err.Error())
			if err := os.Remove(path); err != nil {
				return nil, nil, fmt.Errorf("census: removing the bad cached answer %s: %w", path, err)
			}
		}
	}
	if c.cfg.Offline {
		return nil, nil, fmt.Errorf("census: %s: %w (run once without --offline to fill the cache%s)", cl.where, ErrOffline, cacheDirNote(c.cfg.CacheDir))
	}
	body, t, err := c.fetch(ctx, cl)
	if err != nil {
		return nil, nil, err
	}
	if path != "" {
		if err := writeAtomic(path, body); err != nil {
			return nil, nil, fmt.Errorf("census: caching %s: %w", cl.where, err)
		}
	}
	return body, t, nil
}

// accept checks a body for cl: a data body must decode and answer
// cl.expect; a metadata body must be a JSON object.
func (cl call) accept(b []byte) (*Table, error) {
	if !cl.data {
		if !jsonObject(b) {
			return nil, errors.New("not a JSON object")
		}
		return nil, nil
	}
	t, err := Decode(bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	if err := t.check(cl.expect); err != nil {
		return nil, err
	}
	return t, nil
}

func cacheDirNote(dir string) string {
	if dir == "" {
		return "; no cache directory is set"
	}
	return "; cache: " + dir
}

// writeAtomic writes b to path through a temporary file in the same
// directory and a rename.
func writeAtomic(path string, b []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	f, err := os.CreateTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		return err
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		os.Remove(f.Name())
		return err
	}
	if err := f.Close(); err != nil {
		os.Remove(f.Name())
		return err
	}
	if err := os.Rename(f.Name(), path); err != nil {
		os.Remove(f.Name())
		return err
	}
	return nil
}

// retryable is a failure worth another try.
type retryable struct {
	err        error
	status     int
	body       string
	retryAfter time.Duration // from Retry-After, 0 if none
}

func (r *retryable) Error() string { return r.err.Error() }

// fetch performs cl against the network with retries and backoff.
func (c *Client) fetch(ctx context.Context, cl call) ([]byte, *Table, error) {
	start := c.cfg.Now()
	var waited time.Duration
	for attempt := 1; ; attempt++ {
		body, t, err := c.try(ctx, cl)
		if err == nil {
			c.cfg.Logger.Info("census request", "url", cl.url, "attempt", attempt, "bytes", len(body), "elapsed", c.cfg.Now().Sub(start))
			return body, t, nil
		}
		var r *retryable
		if !errors.As(err, &r) {
			return nil, nil, err
		}
		if ctx.Err() != nil {
			return nil, nil, fmt.Errorf("census: %s: %w", cl.where, ctx.Err())
		}
		d := c.backoff(attempt)
		if r.retryAfter > 0 {
			d = r.retryAfter
		}
		if attempt >= c.cfg.MaxAttempts || waited+d > c.cfg.MaxRetryTime {
			return nil, nil, c.giveUp(cl, r, attempt, d, waited)
		}
		c.cfg.Logger.Warn("census request failed, retrying", "url", cl.url, "attempt", attempt, "wait", d, "reason", r.err.Error())
		if err := c.cfg.Sleep(ctx, d); err != nil {
			return nil, nil, fmt.Errorf("census: %s: %w", cl.where, err)
		}
		waited += d
	}
}

// giveUp is the error of a request whose retries are over: attempt tries
// were made, waited was spent waiting, and the next wait would be next.
func (c *Client) giveUp(cl call, r *retryable, attempt int, next, waited time.Duration) error {
	ae := &APIError{Status: r.status, URL: cl.url, Body: r.body, Attempts: attempt, Err: r.err}
	switch {
	case r.retryAfter > 0 && waited+next > c.cfg.MaxRetryTime:
		ae.Hint = fmt.Sprintf("the API asked to wait %s (Retry-After) before the next try, more than the %s left of the %s retry budget; try again after %s",
			r.retryAfter.Round(time.Second), (c.cfg.MaxRetryTime - waited).Round(time.Second), c.cfg.MaxRetryTime, c.cfg.Now().Add(r.retryAfter).UTC().Format("15:04 MST"))
	case r.status == 0:
		ae.Hint = "no HTTP answer (" + r.err.Error() + "); check the internet connection, a proxy or firewall, or run with --offline from the cache"
	case r.status == http.StatusTooManyRequests:
		ae.Hint = fmt.Sprintf("gave up (%s): the API is rate-limiting this key; wait and try again later, or lower the concurrency", r.err)
	case r.status >= 500:
		ae.Hint = fmt.Sprintf("gave up (%s); the API may be down or overloaded: try again later", r.err)
	default:
		ae.Hint = fmt.Sprintf("refused every answer (%s); nothing was cached: try again later", r.err)
	}
	return ae
}

// backoff is the exponential wait before retry n (1-based) with jitter:
// BaseBackoff*2^(n-1), capped at 30 s, scaled by a factor in [0.5, 1).
func (c *Client) backoff(n int) time.Duration {
	d := c.cfg.BaseBackoff << (n - 1)
	if d > 30*time.Second || d <= 0 {
		d = 30 * time.Second
	}
	return time.Duration(float64(d) * (0.5 + c.cfg.Jitter()/2))
}

// keyed returns cl's URL with the key added.
func (c *Client) keyed(raw string) string {
	if c.cfg.Key == "" {
		return raw
	}
	sep := "?"
	if strings.Contains(raw, "?") {
		sep = "&"
	}
	return raw + sep + "key=" + url.QueryEscape(c.cfg.Key)
}

// redact removes the key from s.
func (c *Client) redact(s string) string {
	if c.cfg.Key == "" {
		return s
	}
	s = strings.ReplaceAll(s, url.QueryEscape(c.cfg.Key), "REDACTED")
	return strings.ReplaceAll(s, c.cfg.Key, "REDACTED")
}

// ErrNetwork is wrapped when the API cannot be reached at all: its name does
// not resolve (no internet, a DNS failure) or the connection is refused or
// has no route. Such a failure is reported at once, not retried.
var ErrNetwork = errors.New("cannot reach the Census Data API")

// networkFailure returns a non-retryable error for a request error that
// retrying would not cure, or nil.
func (c *Client) networkFailure(cl call, err error) error {
	host := ""
	if u, perr := url.Parse(cl.url); perr == nil {
		host = u.Host
	}
	const fix = "check the internet connection (or the proxy settings: HTTPS_PROXY), or run with --offline to use the cache"
	var dns *net.DNSError
	if errors.As(err, &dns) && !dns.IsTimeout {
		return fmt.Errorf("census: %s: %w: looking up %s failed (%s); %s", cl.where, ErrNetwork, dns.Name, dns.Err, fix)
	}
	for _, e := range []error{syscall.ECONNREFUSED, syscall.ENETUNREACH, syscall.EHOSTUNREACH} {
		if errors.Is(err, e) {
			return fmt.Errorf("census: %s: %w: connecting to %s failed (%s); %s", cl.where, ErrNetwork, host, e, fix)
		}
	}
	return nil
}

// try performs one attempt and checks the answer (see call.accept).
func (c *Client) try(ctx context.Context, cl call) ([]byte, *Table, error) {
	ctx, cancel := context.WithTimeout(ctx, c.cfg.RequestTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.keyed(cl.url), nil)
	if err != nil {
		return nil, nil, fmt.Errorf("census: building request for %s: %s", cl.where, c.redact(err.Error()))
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "groundwork (https://github.com/groundwork-org/groundwork)")
	resp, err := c.http.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			ue.URL = cl.url
		}
		if ctx.Err() != nil && errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return nil, nil, &retryable{err: fmt.Errorf("request timed out after %s", c.cfg.RequestTimeout)}
		}
		if nerr := c.networkFailure(cl, err); nerr != nil {
			return nil, nil, nerr // names the host and the cause only: no key
		}
		return nil, nil, &retryable{err: fmt.Errorf("%s", c.redact(err.Error()))}
	}
	defer resp.Body.Close()
	if resp.Header.Get("X-DataWebAPI-KeyError") != "" {
		return nil, nil, &KeyError{URL: cl.url, Reason: "X-DataWebAPI-KeyError: " + c.redact(resp.Header.Get("X-DataWebAPI-KeyError"))}
	}
	if resp.StatusCode >= 300 && resp.StatusCode < 400 {
		loc := resp.Header.Get("Location")
		switch {
		case strings.Contains(loc, "missing_key"):
			return nil, nil, &KeyError{URL: cl.url, Reason: "redirected to the missing_key page"}
		case strings.Contains(loc, "invalid_key"):
			return nil, nil, &KeyError{URL: cl.url, Reason: "redirected to the invalid_key page"}
		}
		return nil, nil, &APIError{Status: resp.StatusCode, URL: cl.url, Body: "redirect to " + c.redact(loc),
			Hint: "the API redirected instead of answering; redirects are not followed (check BaseURL)"}
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, c.cfg.MaxResponseBytes+1))
	if err != nil {
		if ctx.Err() != nil {
			return nil, nil, &retryable{err: fmt.Errorf("request timed out after %s while reading the body", c.cfg.RequestTimeout)}
		}
		return nil, nil, &retryable{err: fmt.Errorf("reading body: %s", c.redact(err.Error()))}
	}
	if int64(len(body)) > c.cfg.MaxResponseBytes {
		return nil, nil, fmt.Errorf("census: %s: %w: the answer is larger than %s (the limit, max_response_mb); request fewer variables at a time or a smaller geography (one county instead of a state), or raise the limit", cl.where, ErrTooLarge, sizeText(c.cfg.MaxResponseBytes))
	}
	text := c.redact(snippet(body))
	lower := bytes.ToLower(body)
	switch {
	case bytes.Contains(lower, []byte("error while running your query")):
		return nil, nil, &retryable{err: errors.New("the API reported an error while running the query"), status: resp.StatusCode, body: text}
	case bytes.Contains(lower, []byte("maintenance")) && isHTML(body):
		return nil, nil, &retryable{err: errors.New("the API is down for maintenance"), status: resp.StatusCode, body: text, retryAfter: retryAfter(resp.Header, c.cfg.Now())}
	case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500:
		return nil, nil, &retryable{err: fmt.Errorf("HTTP %d", resp.StatusCode), status: resp.StatusCode, body: text, retryAfter: retryAfter(resp.Header, c.cfg.Now())}
	case resp.StatusCode == http.StatusNoContent:
		return nil, nil, fmt.Errorf("census: %s: %w; check that the geography exists in this vintage (codes change between years, e.g. Connecticut's counties became planning regions in the 2022 ACS) and that the variables are published at this level", cl.where, ErrNoData)
	case resp.StatusCode == http.StatusNotFound && !cl.data:
		return nil, nil, errNotFound
	case resp.StatusCode >= 400:
		return nil, nil, &APIError{Status: resp.StatusCode, URL: cl.url, Body: text, Hint: hintFor(string(body))}
	case resp.StatusCode != http.StatusOK:
		return nil, nil, &APIError{Status: resp.StatusCode, URL: cl.url, Body: text, Hint: "unexpected status"}
	case isHTML(body):
		if bytes.Contains(lower, []byte("key")) || c.cfg.Key == "" {
			return nil, nil, &KeyError{URL: cl.url, Reason: "an HTML page came back where JSON was expected"}
		}
		return nil, nil, &retryable{err: errors.New("an HTML page came back where JSON was expected"), status: resp.StatusCode, body: text}
	}
	t, err := cl.accept(body)
	switch {
	case err == nil:
		return body, t, nil
	case errors.Is(err, ErrTruncated):
		return nil, nil, &retryable{err: fmt.Errorf("truncated body (%d bytes)", len(body)), status: resp.StatusCode}
	case errors.Is(err, ErrIncomplete):
		return nil, nil, &retryable{err: err, status: resp.StatusCode}
	case !cl.data && len(bytes.TrimSpace(body)) > 0 && bytes.TrimSpace(body)[0] == '{':
		return nil, nil, &retryable{err: fmt.Errorf("truncated metadata body (%d bytes)", len(body)), status: resp.StatusCode}
	case !cl.data:
		return nil, nil, fmt.Errorf("census: %s: refusing the response (not cached): not a JSON object: %s", cl.where, text)
	}
	return nil, nil, fmt.Errorf("census: %s: refusing the response (not cached): %w", cl.where, err)
}

var errNotFound = errors.New("not found")

// sizeText formats a byte count: "256 MiB", "30 KiB", "512 bytes".
func sizeText(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

func jsonObject(b []byte) bool {
	var v map[string]any
	return json.Unmarshal(b, &v) == nil
}

func isHTML(b []byte) bool {
	t := bytes.TrimSpace(b)
	if len(t) == 0 || t[0] != '<' {
		return false
	}
	l := bytes.ToLower(t[:min(len(t), 512)])
	return bytes.Contains(l, []byte("<html")) || bytes.Contains(l, []byte("<!doctype")) || bytes.Contains(l, []byte("<head")) || bytes.Contains(l, []byte("<body"))
}

func snippet(b []byte) string {
	s := strings.Join(strings.Fields(string(b)), " ")
	if len(s) > 300 {
		s = s[:300] + "..."
	}
	return s
}

// retryAfter reads a Retry-After header (seconds or an HTTP date).
func retryAfter(h http.Header, now time.Time) time.Duration {
	v := h.Get("Retry-After")
	if v == "" {
		return 0
	}
	if n, err := strconv.Atoi(v); err == nil && n >= 0 {
		return time.Duration(n) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

// hintFor turns the API's 400 message into advice.
func hintFor(body string) string {
	l := strings.ToLower(body)
	switch {
	case strings.Contains(l, "unknown variable"):
		return "a variable does not exist in this dataset and year: check the code (tables are renamed, e.g. B16002 became C16002) with 'groundwork vars search'"
	case strings.Contains(l, "heirarchy") || strings.Contains(l, "hierarchy"):
		return "the for/in geography combination is not supported by this dataset: see its geography.json for the levels each geography requires"
	case strings.Contains(l, "zip code tabulation area") && strings.Contains(l, "state"):
		return "from the 2020 vintages ZCTAs cannot be filtered by state: request all ZCTAs (no in clause) and filter by GEOID"
	case strings.Contains(l, "invalid 'for'") || strings.Contains(l, "invalid 'in'") || strings.Contains(l, "ambiguous"):
		return "check the geography codes and their hierarchy (for=tract:* in=state:06 county:001)"
	case strings.Contains(l, "unknown predicate") || strings.Contains(l, "unknown/unsupported"):
		return "a name in get= or the geography is not known to this dataset"
	}
	return ""
}
