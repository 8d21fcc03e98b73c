package census_test

import (
	"fmt"
	"strings"

	"github.com/groundwork-org/groundwork/pipeline/census"
)

// Decode a response body as the API sends it (here the first two tracts of
// testdata/alameda_acs5_2018_tracts.json, trimmed to three variables) and
// convert it to an Arrow record.
func ExampleDecode() {
	body := `[["NAME","B19013_001E","B25064_001E","B25064_001M","state","county","tract"],
["Census Tract 4001, Alameda County, California","200893","3501","-333333333","06","001","400100"],
["Census Tract 4002, Alameda County, California","160536","1902","200","06","001","400200"]]`
	t, err := census.Decode(strings.NewReader(body))
	if err != nil {
		fmt.Println(err)
		return
	}
	rec, err := t.Record()
	if err != nil {
		fmt.Println(err)
		return
	}
	defer rec.Release()
	for _, f := range rec.Schema().Fields() {
		fmt.Println(f.Name, f.Type)
	}
	fmt.Println(t.GEOIDs())
	n, _ := t.Column("B25064_001E").Note(0)
	fmt.Println(n)
	// Output:
	// geoid utf8
	// name utf8
	// B19013_001E float64
	// B25064_001E float64
	// B25064_001E_note utf8
	// B25064_001M float64
	// B25064_001M_note utf8
	// state utf8
	// county utf8
	// tract utf8
	// [06001400100 06001400200]
	// top-coded: 3,500 or more (3501)
}
