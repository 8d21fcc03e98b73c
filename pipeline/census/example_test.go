package census_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
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

// exampleAPI stands in for api.census.gov: metadata from testdata/fakeapi
// (hand-written excerpts, see testdata/PROVENANCE.md) and, for any data
// request, the first two tracts of the real Alameda County file.
func exampleAPI() *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, ".json") {
			http.ServeFile(w, r, filepath.Join("testdata", "fakeapi", strings.TrimPrefix(r.URL.Path, "/data/")))
			return
		}
		fmt.Fprint(w, `[["NAME","B19013_001E","state","county","tract"],
["Census Tract 4002, Alameda County, California","160536","06","001","400200"],
["Census Tract 4001, Alameda County, California","200893","06","001","400100"]]`)
	}))
}

func ExampleClient_Get() {
	srv := exampleAPI()
	defer srv.Close()
	c := census.NewClient(census.Config{
		BaseURL:  srv.URL + "/data", // default: census.DefaultBaseURL
		Key:      "from ResolveKey",
		CacheDir: "", // e.g. ".groundwork/cache/census"
	})
	t, err := c.Get(context.Background(), census.Request{
		Dataset:   "acs/acs5",
		Year:      2018,
		Variables: []string{"B19013_001E"},
		For:       "tract:*",
		In:        "state:06 county:001",
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	ids := t.GEOIDs()
	income := t.Column("B19013_001E")
	for i := 0; i < t.Len(); i++ {
		fmt.Println(ids[i], income.Values[i])
	}
	// Output:
	// 06001400100 200893
	// 06001400200 160536
}

func ExampleSearchVariables() {
	srv := exampleAPI()
	defer srv.Close()
	c := census.NewClient(census.Config{BaseURL: srv.URL + "/data", Key: "k"})
	vars, err := census.SearchVariables(context.Background(), c, "acs/acs5", 2018, "median value")
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, v := range vars {
		fmt.Printf("%s\t%s\n", v.Name, v.Label)
	}
	// Output:
	// B25077_001E	Estimate!!Median value (dollars)
	// B25077_001M	Margin of Error!!Median value (dollars)
}
