package source

import (
	"strings"
	"unicode"
)

var streetWords = map[string]string{"boulevard": "blvd", "avenue": "ave", "av": "ave", "street": "st", "road": "rd", "drive": "dr",
	"lane": "ln", "court": "ct", "place": "pl", "terrace": "ter", "highway": "hwy", "parkway": "pkwy", "circle": "cir", "way": "way",
	"north": "n", "south": "s", "east": "e", "west": "w", "apartment": "apt", "suite": "ste", "unit": "unit"}

// NormalizeStreet normalises a street address for matching one address
// against another: lower case, punctuation dropped, words separated by
// single spaces, the usual street-type and direction words abbreviated
// ("750 International Boulevard" and "750 International Blvd." are both
// "750 international blvd").
func NormalizeStreet(s string) string {
	f := strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	for i, w := range f {
		if a, ok := streetWords[w]; ok {
			f[i] = a
		}
	}
	return strings.Join(f, " ")
}
