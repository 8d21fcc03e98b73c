package census

import (
	"errors"
	"fmt"
	"strings"
)

// KeySignupURL is where a Census Data API key is requested (free, by e-mail).
const KeySignupURL = "https://api.census.gov/data/key_signup.html"

const keyHowTo = "get a free key at " + KeySignupURL + ", then set it in the environment " +
	"(export CENSUS_API_KEY=...) or name another variable in the pipeline file (api_key: env:MY_CENSUS_KEY)"

// ErrNoKey is returned by ResolveKey when no key is set.
var ErrNoKey = errors.New("census: no Census Data API key: " + keyHowTo)

// KeyError reports that the API refused the request for its key: a redirect
// to the missing_key or invalid_key page, an X-DataWebAPI-KeyError header, or
// an HTML page where JSON was expected. It never holds the key.
type KeyError struct {
	URL    string // the request URL without the key
	Reason string // what the API signalled
}

func (e *KeyError) Error() string {
	return fmt.Sprintf("census: the Census Data API refused the key (%s) for %s: %s", e.Reason, e.URL, keyHowTo)
}

// APIError is a failed API request that is not retried (or no longer): a
// 4xx status, or a 5xx/429 after the last attempt. Body is the start of the
// response text; Hint says what to do, where known.
type APIError struct {
	Status   int
	URL      string // without the key
	Body     string
	Hint     string
	Attempts int
	// Err is the last failure when the retries are over (nil otherwise).
	Err error
}

func (e *APIError) Error() string {
	var b strings.Builder
	if e.Status == 0 {
		fmt.Fprintf(&b, "census: %s: no answer", e.URL)
	} else {
		fmt.Fprintf(&b, "census: %s: HTTP %d", e.URL, e.Status)
	}
	if e.Attempts > 1 {
		fmt.Fprintf(&b, " after %d attempts", e.Attempts)
	}
	if e.Body != "" {
		fmt.Fprintf(&b, ": %s", e.Body)
	}
	if e.Hint != "" {
		fmt.Fprintf(&b, "; %s", e.Hint)
	}
	return b.String()
}

// Unwrap returns the last failure of a request whose retries are over, so
// that errors.Is finds ErrIncomplete or ErrTruncated in it.
func (e *APIError) Unwrap() error { return e.Err }

// ErrTooLarge is wrapped when an answer exceeds Config.MaxResponseBytes.
var ErrTooLarge = errors.New("the answer is too large")

// ErrNoData is wrapped when the API answers 204 No Content: the query was
// valid but matched no rows.
var ErrNoData = errors.New("the API found no data for this query (HTTP 204)")

// ErrOffline is wrapped when the client is offline and a response is not in
// the cache.
var ErrOffline = errors.New("not in the cache and offline mode is on")

// ValidationError lists every problem found in a request before any data
// request was sent.
type ValidationError struct {
	Dataset  string
	Year     int
	Problems []string
}

func (e *ValidationError) Error() string {
	return fmt.Sprintf("census: %d %s request: %s", e.Year, e.Dataset, strings.Join(e.Problems, "; "))
}

// DatasetError reports a dataset or year the API does not have.
type DatasetError struct {
	Dataset string
	Year    int
	Hint    string
}

func (e *DatasetError) Error() string {
	s := fmt.Sprintf("census: the Census Data API has no dataset %q for %d", e.Dataset, e.Year)
	if e.Hint != "" {
		s += ": " + e.Hint
	}
	return s
}

func datasetHint(dataset string, year int) string {
	switch {
	case dataset == "acs/acs1" && year == 2020:
		return "the 2020 ACS 1-year estimates were not released (pandemic data collection); use acs/acs5 for 2016-2020 or another year"
	case strings.HasPrefix(dataset, "acs/acs1") && year < 2005:
		return "ACS 1-year estimates start with 2005"
	case strings.HasPrefix(dataset, "acs/acs5") && year < 2009:
		return "ACS 5-year estimates start with 2005-2009 (year 2009)"
	case strings.HasPrefix(dataset, "dec/") && year%10 != 0:
		return "decennial census datasets exist only for census years (2000, 2010, 2020)"
	case dataset == "dec/sf1" && year == 2020:
		return "the 2020 census has no SF1; use dec/dhc (or dec/pl for redistricting counts)"
	case (dataset == "dec/dhc" || dataset == "dec/pl") && year < 2020 && dataset == "dec/dhc":
		return "dec/dhc exists from 2020; use dec/sf1 for 2010 and 2000"
	}
	return "check the dataset name and year in the API's catalogue (https://api.census.gov/data.html)"
}
