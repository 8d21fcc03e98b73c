// Package suggest finds the name a user probably meant, for "did you mean"
// messages: a mistyped column, variable, state or rule identifier.
package suggest

import (
	"fmt"
	"strings"
)

// Distance is the Levenshtein edit distance between a and b: the fewest
// single-character insertions, deletions and substitutions that turn one into
// the other (Levenshtein 1966), counted in runes.
func Distance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}

// Closest returns the candidate nearest to want by edit distance, ignoring
// case, when it is within a third of want's length (and at least 2 edits);
// ties go to the candidate that sorts first. Failing that, the one
// candidate that shortens want or that want shortens (a prefix of at least
// three letters, ignoring case: a header renamed from Latitude to Lat). It
// returns "" when none is close or have is empty.
func Closest(want string, have []string) string {
	if best := closestByEdits(want, have); best != "" {
		return best
	}
	return onlyPrefix(want, have)
}

// onlyPrefix returns the only candidate that is a prefix of want or has want
// as its prefix, ignoring case, the shorter of the two at least three
// letters long; "" when there is none or more than one.
func onlyPrefix(want string, have []string) string {
	w, found := strings.ToLower(want), ""
	for _, h := range have {
		l := strings.ToLower(h)
		short, long := l, w
		if len(short) > len(long) {
			short, long = long, short
		}
		if len([]rune(short)) < 3 || !strings.HasPrefix(long, short) {
			continue
		}
		if found != "" {
			return ""
		}
		found = h
	}
	return found
}

func closestByEdits(want string, have []string) string {
	best, bestD := "", -1
	w := strings.ToLower(want)
	for _, h := range have {
		d := Distance(w, strings.ToLower(h))
		if bestD < 0 || d < bestD || (d == bestD && h < best) {
			best, bestD = h, d
		}
	}
	if bestD >= 0 && bestD <= max(2, len([]rune(want))/3) {
		return best
	}
	return ""
}

// Hint is the "; did you mean X?" that error messages append for a name
// not found among have (Closest), or "" when none is close.
func Hint(want string, have []string) string {
	if best := Closest(want, have); best != "" {
		return fmt.Sprintf("; did you mean %q?", best)
	}
	return ""
}
