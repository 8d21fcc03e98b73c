package contact

import (
	"strings"

	"github.com/groundwork-org/groundwork/pipeline/source"
)

// PlaceBook remembers where the contacts of a contact list were placed,
// keyed by a 64-bit hash of the lower-cased email (no email, name or address
// is kept), so that sign-ins can be placed where their contact was. Places
// are shared between contacts: memory is about 40 bytes per contact. Not safe
// for concurrent Add.
type PlaceBook struct {
	byEmail map[uint64]int32
	places  []bookPlace
	index   map[string]int32
}

type bookPlace struct {
	place    Place
	segments []string
}

// NewPlaceBook returns an empty book.
func NewPlaceBook() *PlaceBook {
	return &PlaceBook{byEmail: map[uint64]int32{}, index: map[string]int32{}}
}

// Add records c's place (its area, else its tract, else its ZIP) and
// segments. Contacts without an email are ignored.
func (b *PlaceBook) Add(c source.Contact) {
	if c.Email == "" {
		return
	}
	pl := Place{Kind: "unplaced"}
	switch {
	case c.Area != "":
		pl = Place{c.Area, "area"}
	case c.Tract != "":
		pl = Place{c.Tract, "tract"}
	case source.ZIP5(c.Zip) != "" && len(c.Segments) > 0:
		pl = Place{source.ZIP5(c.Zip), "zip"}
	}
	key := pl.Kind + "\x00" + pl.ID + "\x00" + strings.Join(c.Segments, "\x00")
	i, ok := b.index[key]
	if !ok {
		i = int32(len(b.places))
		b.places = append(b.places, bookPlace{pl, c.Segments})
		b.index[key] = i
	}
	b.byEmail[source.EmailKey(c.Email)] = i
}

// Len is the number of contacts recorded.
func (b *PlaceBook) Len() int { return len(b.byEmail) }

// Lookup returns the place and segments of the contact with this email
// (any case); ok is false for an email not recorded or a nil book.
func (b *PlaceBook) Lookup(email string) (Place, []string, bool) {
	if b == nil || email == "" {
		return Place{}, nil, false
	}
	i, ok := b.byEmail[source.EmailKey(email)]
	if !ok {
		return Place{}, nil, false
	}
	return b.places[i].place, b.places[i].segments, true
}
