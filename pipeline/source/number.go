package source

import "strconv"

// parseFloat is strconv.ParseFloat(s, 64), with a fast path for the
// plain decimals of most files: an optional minus, digits, and a point
// followed by digits, at most 19 digits in all that make an integer m
// under 2^53, with at most 22 after the point. Such a value is m / 10^k
// with both exact in a float64, so one IEEE division gives the correctly
// rounded value, which is what strconv returns (its own exact path does
// the same division). Anything else goes to strconv.
func parseFloat(s string) (float64, error) {
	if v, ok := plainDecimal(s); ok {
		return v, nil
	}
	return strconv.ParseFloat(s, 64)
}

// pow10 holds the powers of ten exact in a float64.
var pow10 = [...]float64{1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
	1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22}

// plainDecimal is parseFloat's fast path; ok is false when s is not of
// its form.
func plainDecimal(s string) (v float64, ok bool) {
	i, neg := 0, false
	if len(s) > 0 && s[0] == '-' {
		i, neg = 1, true
	}
	var m uint64
	start := i
	for ; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
		m = m*10 + uint64(s[i]-'0')
	}
	whole := i - start
	frac := 0
	if i < len(s) && s[i] == '.' {
		i++
		f0 := i
		for ; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
			m = m*10 + uint64(s[i]-'0')
		}
		if frac = i - f0; frac == 0 {
			return 0, false
		}
	}
	if i != len(s) || whole == 0 || whole+frac > 19 || frac >= len(pow10) || m >= 1<<53 {
		return 0, false
	}
	v = float64(m)
	if frac > 0 {
		v /= pow10[frac]
	}
	if neg {
		v = -v
	}
	return v, true
}

// parseInt is strconv.ParseInt(s, 10, 64), with a fast path for an
// optional sign and at most 18 digits (plainInt).
func parseInt(s string) (int64, error) {
	if v, ok := plainInt(s); ok {
		return v, nil
	}
	return strconv.ParseInt(s, 10, 64)
}

// plainInt is parseInt's fast path: an optional sign and 1 to 18 digits,
// which cannot overflow; ok is false for any other text.
func plainInt(s string) (v int64, ok bool) {
	i, neg := 0, false
	if len(s) > 0 && (s[0] == '-' || s[0] == '+') {
		i, neg = 1, s[0] == '-'
	}
	if n := len(s) - i; n == 0 || n > 18 {
		return 0, false
	}
	for ; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + int64(c-'0')
	}
	if neg {
		v = -v
	}
	return v, true
}
