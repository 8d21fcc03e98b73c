package source

import (
	"errors"
	"fmt"
	"math"
	"net/mail"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/nyaruka/phonenumbers"
	"github.com/paulmach/orb"
)

// parseYesNo reads the usual spreadsheet spellings of a flag; ok is false for
// anything else.
func parseYesNo(s string) (yes, ok bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "y", "yes", "true", "t", "1", "x", "opted in", "opt-in", "opt in", "subscribed":
		return true, true
	case "n", "no", "false", "f", "0", "opted out", "opt-out", "opt out", "unsubscribed":
		return false, true
	}
	return false, false
}

// NormalizePhone parses s as a phone number (numbers without a country code
// are read in region, a CLDR code such as "US") and returns it in E.164
// ("+15105550123"). Extensions ("x23", "ext. 23") are dropped. A number
// holding any other letter is refused: in a list of people a letter is a
// typo for a digit far more often than a vanity number (libphonenumber
// would read "555-01O1" as 555-0161), so it is never guessed. Numbers
// libphonenumber does not consider valid for their region are refused.
func NormalizePhone(s, region string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", errors.New("empty phone number")
	}
	if letters := phoneLetters(s); letters != "" {
		return "", fmt.Errorf("%q holds the letter(s) %s: a letter in a phone number is usually a typo for a digit (O for 0, I or l for 1); fix the number (a vanity number such as 1-800-FLOWERS: write its digits)", s, letters)
	}
	n, err := phonenumbers.Parse(s, region)
	if err != nil {
		return "", fmt.Errorf("%q is not a phone number: %w", s, err)
	}
	if !phonenumbers.IsValidNumber(n) {
		if r := phonenumbers.GetRegionCodeForCountryCode(int(n.GetCountryCode())); strings.HasPrefix(s, "+") && r != "ZZ" {
			return "", fmt.Errorf("%q is not a valid phone number of its country (%s, +%d)", s, r, n.GetCountryCode())
		}
		return "", fmt.Errorf("%q is not a valid phone number for region %s; write it with its area code, or with +country code", s, region)
	}
	return phonenumbers.Format(n, phonenumbers.E164), nil
}

// phoneExtension matches an extension at the end of a phone number.
var phoneExtension = regexp.MustCompile(`(?i)\s*(?:;ext=|ext\.?|extension|x|#)\s*[0-9]+\s*$`)

// phoneLetters returns the letters of s outside a trailing extension, each
// once, in order ("" when there are none).
func phoneLetters(s string) string {
	s = phoneExtension.ReplaceAllString(s, "")
	var out []rune
	for _, r := range s {
		if unicode.IsLetter(r) && !slices.Contains(out, r) {
			out = append(out, r)
		}
	}
	return string(out)
}

// PhoneCountry returns the CLDR region ("GB") and country calling code
// ("44") of an E.164 number, read from the number itself. A number shared
// by several regions (+1 covers the US, Canada and the Caribbean) gets the
// region libphonenumber assigns to its area code. Both are empty when e164
// does not parse.
func PhoneCountry(e164 string) (region, callingCode string) {
	n, err := phonenumbers.Parse(e164, "ZZ")
	if err != nil {
		return "", ""
	}
	return phonenumbers.GetRegionCodeForNumber(n), strconv.Itoa(int(n.GetCountryCode()))
}

// NormalizeEmail checks that s is a bare email address (RFC 5322 addr-spec as
// net/mail parses it, no display name) with a dotted domain, at most 254
// characters and a local part of at most 64, and returns it with the domain
// lower-cased.
func NormalizeEmail(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", errors.New("empty email")
	}
	if len(s) > 254 {
		return "", fmt.Errorf("email of %d characters, the limit is 254", len(s))
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || a.Name != "" {
		return "", fmt.Errorf("%q is not an email address", s)
	}
	at := strings.LastIndexByte(s, '@')
	local, domain := s[:at], strings.ToLower(s[at+1:])
	if len(local) > 64 {
		return "", fmt.Errorf("%q: the part before @ is longer than 64 characters", s)
	}
	if !strings.Contains(domain, ".") || strings.HasPrefix(domain, ".") || strings.HasSuffix(domain, ".") || strings.Contains(domain, "..") || strings.HasPrefix(domain, "[") {
		return "", fmt.Errorf("%q: domain %q is not a dotted host name", s, domain)
	}
	return local + "@" + domain, nil
}

// NormalizeZIP accepts a US ZIP ("94601") or ZIP+4 ("94601-1234" or
// "946011234") and returns "94601" or "94601-1234".
func NormalizeZIP(s string) (string, error) {
	s = strings.TrimSpace(s)
	d := strings.ReplaceAll(s, "-", "")
	switch {
	case len(d) == 5 && allDigits(d):
		return d, nil
	case len(d) == 9 && allDigits(d):
		return d[:5] + "-" + d[5:], nil
	case (len(d) == 4 || len(d) == 8) && allDigits(d):
		return "", fmt.Errorf("ZIP %q has %d digits: a leading zero was probably lost; format the column as text", s, len(d))
	}
	return "", fmt.Errorf("%q is not a 5-digit ZIP or ZIP+4", s)
}

// ValidateGEOID checks a tract (11 digits: state 2, county 3, tract 6) or
// block-group (12 digits) GEOID written as text and returns it. It explains
// the two ways spreadsheets break GEOIDs: a lost leading zero and scientific
// notation.
func ValidateGEOID(s string) (string, error) {
	s = strings.TrimSpace(s)
	if allDigits(s) && (len(s) == 11 || len(s) == 12) {
		return s, nil
	}
	if allDigits(s) && (len(s) == 10 || len(s) == 9) {
		return "", fmt.Errorf("GEOID %q has %d digits: a leading zero was probably lost (write 0%s); format the column as text", s, len(s), s)
	}
	if strings.ContainsAny(s, "eE") {
		if _, err := strconv.ParseFloat(s, 64); err == nil {
			return "", fmt.Errorf("GEOID %q is in scientific notation: a spreadsheet turned it into a number; format the column as text and re-enter it", s)
		}
	}
	if strings.HasSuffix(s, ".0") && allDigits(strings.TrimSuffix(s, ".0")) {
		return "", fmt.Errorf("GEOID %q was stored as a number; write it as 11 or 12 digits of text", s)
	}
	return "", fmt.Errorf("%q is not a tract (11-digit) or block-group (12-digit) GEOID", s)
}

// ParseLonLat parses decimal-degree longitude and latitude (EPSG:4326) and
// refuses empty halves, non-numbers, values out of range, and (0, 0). It
// points out a likely swap of the two columns.
func ParseLonLat(lon, lat string) (orb.Point, error) {
	if lon == "" || lat == "" {
		return orb.Point{}, fmt.Errorf("only one of longitude %q and latitude %q is given", lon, lat)
	}
	x, errx := strconv.ParseFloat(lon, 64)
	y, erry := strconv.ParseFloat(lat, 64)
	bad := func(err error, v float64) bool { return err != nil || math.IsNaN(v) || math.IsInf(v, 0) }
	switch {
	case bad(errx, x) && bad(erry, y):
		return orb.Point{}, fmt.Errorf("longitude %q, latitude %q: not decimal degrees", lon, lat)
	case bad(erry, y):
		return orb.Point{}, fmt.Errorf("latitude %q: not decimal degrees", lat)
	case bad(errx, x):
		return orb.Point{}, fmt.Errorf("longitude %q: not decimal degrees", lon)
	}
	if err := checkLonLat(x, y, lon, lat); err != nil {
		return orb.Point{}, err
	}
	return orb.Point{x, y}, nil
}

// CheckLonLat refuses a point that is no place on Earth in EPSG:4326
// degrees: NaN or infinite halves, a latitude outside -90..90 or a
// longitude outside -180..180 (pointing out a likely swap of the two), and
// the placeholder (0, 0). The error says which and why, as ParseLonLat's.
func CheckLonLat(lon, lat float64) error {
	if math.IsNaN(lon) || math.IsInf(lon, 0) || math.IsNaN(lat) || math.IsInf(lat, 0) {
		return fmt.Errorf("longitude %v, latitude %v: not decimal degrees", lon, lat)
	}
	// A point in range is the common case, once per record placed: the
	// numbers are formatted only for the error.
	if lat >= -90 && lat <= 90 && lon >= -180 && lon <= 180 && (lon != 0 || lat != 0) {
		return nil
	}
	return checkLonLat(lon, lat, strconv.FormatFloat(lon, 'f', -1, 64), strconv.FormatFloat(lat, 'f', -1, 64))
}

// checkLonLat is CheckLonLat's range test on finite x and y, written in
// errors as lon and lat.
func checkLonLat(x, y float64, lon, lat string) error {
	if y < -90 || y > 90 || x < -180 || x > 180 {
		switch {
		case x >= -90 && x <= 90 && y >= -180 && y <= 180:
			return fmt.Errorf("latitude %s is out of range but longitude %s would fit: are the lat and lon columns swapped?", lat, lon)
		case x >= -180 && x <= 180:
			return fmt.Errorf("latitude %s is outside -90..90; coordinates must be EPSG:4326 degrees", lat)
		case y >= -90 && y <= 90:
			return fmt.Errorf("longitude %s is outside -180..180; coordinates must be EPSG:4326 degrees", lon)
		}
		return fmt.Errorf("longitude %s, latitude %s are outside lon/lat range; coordinates must be EPSG:4326 degrees (reproject them)", lon, lat)
	}
	if x == 0 && y == 0 {
		return errors.New("point (0, 0) is a placeholder, not a location")
	}
	return nil
}
