package cli

// knownSilent names the cases of the corpus that groundwork still accepts
// silently (a bug each), with why; TestBadInputCorpus skips them so that the
// list stays visible here instead of in a failing run.
var knownSilent = map[string]string{}

// moreBadInput extends badInputCorpus to every class of issue 19, one
// mutation of the demo's inputs each (same fields: name, edits, exit code,
// message fragments; a code 0 case must show its fragments in the log and
// the report's run notes).
var moreBadInput = []struct {
	name  string
	edits []corpusEdit
	code  int
	want  []string
}{
	// Names used in paths.
	{"contact segment name escapes", []corpusEdit{{"pipeline.yaml", "{name: flatlands, area: terrain", "{name: ../flatlands, area: terrain"}}, ExitConfig, []string{"contacts.segments[0].name", `"../flatlands" is not a valid name`, "rename it"}},
	{"segment name with a space", []corpusEdit{{"pipeline.yaml", "  - name: highest_need_tracts", "  - name: highest need"}}, ExitConfig, []string{"segments[1].name", `"highest need" is not a valid name: use only letters, digits, _ and -`}},
	{"unknown export profile", []corpusEdit{{"pipeline.yaml", "profiles: [callhub,", "profiles: [callhubb,"}}, ExitConfig, []string{"pipeline.yaml:", "callhubb"}},

	// CSV files: headers, fields, values.
	{"duplicate used header in the directory", []corpusEdit{{"cde_schools_2018_oakland.csv", "District,School,", "School,School,"}}, ExitFailure, []string{`cde_schools_2018_oakland.csv:1: column "School": the header names this column 2 times`}},
	{"duplicate used header in the lookup", []corpusEdit{{"oakland_hills_flatlands.csv", "neighborhood,terrain", "terrain,terrain"}}, ExitFailure, []string{"oakland_hills_flatlands.csv:1", `column "terrain"`}},
	{"extra field in the directory", []corpusEdit{{"cde_schools_2018_oakland.csv", ",2016/05/10\n", ",2016/05/10,x\n"}}, ExitFailure, []string{"cde_schools_2018_oakland.csv:2: row has 41 fields, the header has 40", "allow_extra_fields"}},
	{"extra field in the lookup", []corpusEdit{{"oakland_hills_flatlands.csv", `"Adams Point",flatlands`, `"Adams Point",flatlands,x`}}, ExitFailure, []string{"oakland_hills_flatlands.csv:3: row has 3 fields, the header has 2"}},
	{"short row in the lookup", []corpusEdit{{"oakland_hills_flatlands.csv", `"Adams Point",flatlands`, `"Adams Point"`}}, ExitFailure, []string{"oakland_hills_flatlands.csv:3"}},
	{"unterminated quote", []corpusEdit{{"oakland_hills_flatlands.csv", `"Adams Point",flatlands`, `"Adams Point,flatlands`}}, ExitFailure, []string{"oakland_hills_flatlands.csv:3"}},
	{"NaN in Longitude", []corpusEdit{{"cde_schools_2018_oakland.csv", "-122.28356", "NaN"}}, ExitFailure, []string{`cde_schools_2018_oakland.csv:2: column "Longitude": value "NaN" is not a finite number`}},
	{"lower-case nan", []corpusEdit{{"cde_schools_2018_oakland.csv", "37.847375", "nan"}}, ExitFailure, []string{`cde_schools_2018_oakland.csv:2: column "Latitude": value "nan" is not a finite number`}},
	{"Infinity spelled out", []corpusEdit{{"cde_schools_2018_oakland.csv", "37.847375", "Infinity"}}, ExitFailure, []string{`cde_schools_2018_oakland.csv:2: column "Latitude": value "Infinity" is not a finite number`}},
	{"-Inf in a float column", []corpusEdit{{"cde_schools_2018_oakland.csv", "-122.28356", "-Inf"}}, ExitFailure, []string{`cde_schools_2018_oakland.csv:2: column "Longitude": value "-Inf" is not a finite number`}},
	{"NaN in an int column", []corpusEdit{{"api_2000_oakland.csv", ",67,418,433,", ",67,NaN,433,"}}, ExitFailure, []string{`api_2000_oakland.csv:2: column "api00": value "NaN" is not a whole number`}},
	{"decimal in an int column", []corpusEdit{{"api_2000_oakland.csv", ",67,418,433,", ",67,41.8,433,"}}, ExitFailure, []string{`api_2000_oakland.csv:2: column "api00": value "41.8" is not a whole number`}},
	{"text in an int column", []corpusEdit{{"api_2000_oakland.csv", ",67,418,433,", ",67,abc,433,"}}, ExitFailure, []string{`api_2000_oakland.csv:2: column "api00": value "abc" is not a whole number`}},
	{"text in a float column", []corpusEdit{{"cde_schools_2018_oakland.csv", "37.847375", "north"}}, ExitFailure, []string{`cde_schools_2018_oakland.csv:2: column "Latitude": value "north"`}},
	{"decimal comma in a float column", []corpusEdit{{"cde_schools_2018_oakland.csv", "37.847375", `"37,847375"`}}, ExitFailure, []string{`cde_schools_2018_oakland.csv:2: column "Latitude": value "37,847375"`}},
	{"thousands separator in api.stu", []corpusEdit{{"api_2000_oakland.csv", ",1560,878\n", ",1560,\"1,878\"\n"}}, ExitFailure, []string{`api_2000_oakland.csv:2: column "api.stu"`, "thousands separators"}},
	{"NA in a float column", []corpusEdit{{"cde_schools_2018_oakland.csv", "37.847375", "NA"}}, ExitFailure, []string{`cde_schools_2018_oakland.csv:2: column "Latitude": value "NA"`, `null: ["NA"]`}},
	{"N/A in an int column", []corpusEdit{{"api_2000_oakland.csv", ",67,418,433,", ",67,N/A,433,"}}, ExitFailure, []string{`api_2000_oakland.csv:2: column "api00": value "N/A"`, "null"}},
	{"Latin-1 in the lookup", []corpusEdit{{"oakland_hills_flatlands.csv", `"Adams Point"`, "\"Adams P\xf6int\""}}, ExitFailure, []string{"oakland_hills_flatlands.csv:3", "invalid UTF-8", "encoding: latin1"}},
	{"Latin-1 in the directory", []corpusEdit{{"cde_schools_2018_oakland.csv", "Yu Ming Charter", "Yu Ming Ch\xe0rter"}}, ExitFailure, []string{`cde_schools_2018_oakland.csv:2: column "School": invalid UTF-8`}},
	{"NUL in the lookup", []corpusEdit{{"oakland_hills_flatlands.csv", `"Adams Point"`, "\"Adams\x00Point\""}}, ExitFailure, []string{"oakland_hills_flatlands.csv:3", "NUL byte"}},
	{"NUL in the directory", []corpusEdit{{"cde_schools_2018_oakland.csv", "Yu Ming Charter", "Yu Ming\x00Charter"}}, ExitFailure, []string{`cde_schools_2018_oakland.csv:2: column "School": value holds a NUL byte`}},
	{"left-to-right isolate", []corpusEdit{{"api_2000_oakland.csv", `"Fremont Senior High"`, "\"Fremont \u2066Senior High\""}}, ExitOK, []string{`removed them: api_2000_oakland.csv:3: column "sname"`}},
	{"right-to-left embedding in the directory", []corpusEdit{{"cde_schools_2018_oakland.csv", "Yu Ming Charter", "Yu Ming \u202bCharter"}}, ExitOK, []string{`cde_schools_2018_oakland.csv:2: column "School"`}},
	{"semicolon-delimited API file", []corpusEdit{{"api_2000_oakland.csv", "*,", ";"}}, ExitFailure, []string{"api_2000_oakland.csv:1", "semicolon", `delimiter: ";"`}},
	{"semicolon-delimited directory", []corpusEdit{{"cde_schools_2018_oakland.csv", "*,", ";"}}, ExitFailure, []string{"cde_schools_2018_oakland.csv:1", "semicolon", `delimiter: ";"`}},
	{"tab-delimited lookup", []corpusEdit{{"oakland_hills_flatlands.csv", "*,", "\t"}}, ExitFailure, []string{"oakland_hills_flatlands.csv:1", "delimiter"}},
	{"missing used column", []corpusEdit{{"api_2000_oakland.csv", `"api.stu"`, `"api_stu"`}}, ExitFailure, []string{"api_2000_oakland.csv:1", `column "api.stu": no such column in the header`}},
	{"missing lookup column", []corpusEdit{{"oakland_hills_flatlands.csv", "neighborhood,terrain", "neighborhood,kind"}}, ExitFailure, []string{"oakland_hills_flatlands.csv:1", `column "terrain": no such column`}},
	{"missing key column", []corpusEdit{{"cde_schools_2018_oakland.csv", "CDSCode,NCESDist", "CDS,NCESDist"}}, ExitFailure, []string{"cde_schools_2018_oakland.csv:1", `column "CDSCode": no such column`}},
	{"duplicate school key", []corpusEdit{{"api_2000_oakland.csv", `"01612590133132"`, `"01612590132092"`}}, ExitFailure, []string{"api_2000_oakland.csv:3", "01612590132092"}},
	{"duplicate directory key", []corpusEdit{{"cde_schools_2018_oakland.csv", "01100170125567,", "01100170124172,"}}, ExitFailure, []string{"cde_schools_2018_oakland.csv:3", "01100170124172"}},
	{"duplicate lookup key", []corpusEdit{{"oakland_hills_flatlands.csv", `"Adams Point",flatlands`, `"Acorn-Acorn Industrial",hills`}}, ExitFailure, []string{"oakland_hills_flatlands.csv:3", "Acorn-Acorn Industrial"}},
	{"lost leading zero in the directory", []corpusEdit{{"cde_schools_2018_oakland.csv", "01100170124172,", "1100170124172,"}}, ExitFailure, []string{"cde_schools_2018_oakland.csv:2", "leading zeros were probably lost"}},
	{"empty lookup file", []corpusEdit{{"oakland_hills_flatlands.csv", "", ""}}, ExitFailure, []string{"oakland_hills_flatlands.csv"}},
	{"header-only lookup file", []corpusEdit{{"oakland_hills_flatlands.csv", "", "neighborhood,terrain\n"}}, ExitOK, []string{"area terrain: 131 feature(s) of neighborhood have no row in terrain_lookup and belong to no area"}},

	// Missing files.
	{"missing directory file", []corpusEdit{{"cde_schools_2018_oakland.csv", "", "DELETE"}}, ExitFailure, []string{"cde_schools_2018_oakland.csv", "no such file"}},
	{"missing lookup file", []corpusEdit{{"oakland_hills_flatlands.csv", "", "DELETE"}}, ExitFailure, []string{"oakland_hills_flatlands.csv", "no such file"}},
	{"missing recorded census file", []corpusEdit{{"alameda_acs5_2018_tracts.json", "", "DELETE"}}, ExitFailure, []string{"alameda_acs5_2018_tracts.json"}},
	{"missing tract boundaries", []corpusEdit{{"alameda_tracts_2010.geojson", "", "DELETE"}}, ExitFailure, []string{"alameda_tracts_2010.geojson", "no such file"}},
	{"missing neighborhood boundaries", []corpusEdit{{"oakland_neighborhoods.geojson", "", "DELETE"}}, ExitFailure, []string{"oakland_neighborhoods.geojson", "no such file"}},
	{"missing seat list", []corpusEdit{{"fixture_seats_oakland_city.csv", "", "DELETE"}}, ExitFailure, []string{"fixture_seats_oakland_city.csv"}},
	{"missing contact list", []corpusEdit{{"fixture_contacts.csv", "", "DELETE"}}, ExitFailure, []string{"fixture_contacts.csv"}},
	{"missing survey export", []corpusEdit{{"fixture_limesurvey_responses.csv", "", "DELETE"}}, ExitFailure, []string{"fixture_limesurvey_responses.csv"}},
	{"missing sign-in sheet", []corpusEdit{{"fixture_signin_sheet.csv", "", "DELETE"}}, ExitFailure, []string{"fixture_signin_sheet.csv"}},
	{"missing attendee export", []corpusEdit{{"fixture_mobilize_attendees.csv", "", "DELETE"}}, ExitFailure, []string{"fixture_mobilize_attendees.csv"}},

	// Census responses.
	{"census response is HTML", []corpusEdit{{"alameda_acs5_2018_tracts.json", "", "<html><body>error</body></html>\n"}}, ExitFailure, []string{"alameda_acs5_2018_tracts.json"}},
	{"census response is empty", []corpusEdit{{"alameda_acs5_2018_tracts.json", "", ""}}, ExitFailure, []string{"alameda_acs5_2018_tracts.json"}},
	{"census header lacks a variable", []corpusEdit{{"alameda_acs5_2018_tracts.json", `"B19013_001E"`, `"B19013_001X"`}}, ExitFailure, []string{"alameda_acs5_2018_tracts.json", "B19013_001E"}},
	{"census header names a column twice", []corpusEdit{{"alameda_acs5_2018_tracts.json", `"B03002_001M"`, `"B03002_001E"`}}, ExitFailure, []string{"alameda_acs5_2018_tracts.json", "B03002_001E"}},
	{"census row of another state", []corpusEdit{{"alameda_acs5_2018_tracts.json", `"06","001","400100"]`, `"07","001","400100"]`}}, ExitFailure, []string{"alameda_acs5_2018_tracts.json", "state"}},
	{"census value not a number", []corpusEdit{{"alameda_acs5_2018_tracts.json", `"3115","219"`, `"31x5","219"`}}, ExitFailure, []string{"alameda_acs5_2018_tracts.json", "31x5"}},
	{"census row too short", []corpusEdit{{"alameda_acs5_2018_tracts.json", `"3115","219",`, ``}}, ExitFailure, []string{"alameda_acs5_2018_tracts.json"}},
	{"census response cut mid-row", []corpusEdit{{"alameda_acs5_2018_tracts.json", "", "TRUNCATE-HALF"}}, ExitFailure, []string{"alameda_acs5_2018_tracts.json"}},
	{"census variable typo", []corpusEdit{{"pipeline.yaml", "B25064_001E, B25064_001M,", "B25064_001E, B25064_01M,"}}, ExitFailure, []string{"B25064_01M"}},
	{"census dataset differs from the recording", []corpusEdit{{"pipeline.yaml", "dataset: acs/acs5", "dataset: acs/acs1"}}, ExitFailure, []string{"acs5", "acs1"}},
	{"census geography differs from the recording", []corpusEdit{{"pipeline.yaml", `for: "tract:*"`, `for: "county:*"`}}, ExitFailure, []string{"alameda_acs5_2018_tracts.json", `it has a "tract" column, a finer geography than the query's (for county)`}},

	// GeoJSON boundaries.
	// Swapping the ring's points 2 and 3 makes a bow-tie (shapely 2.2:
	// explain_validity gives "Self-intersection[-122.2331016 37.8814412]").
	// Swapping points 1 and 2, as this case first did, leaves a valid ring
	// of another shape (shapely: "Valid Geometry"), which no check can tell
	// from what was drawn.
	{"self-intersecting ring", []corpusEdit{{"alameda_tracts_2010.geojson", "[-122.238679,37.883325],[-122.230979,37.881325]", "[-122.230979,37.881325],[-122.238679,37.883325]"}}, ExitOK,
		[]string{"alameda_tracts_2010.geojson: feature 0 (06001400100): polygon 0 ring 0: self-intersection", "rebuilt from its edges by the even-odd rule into 2 polygon(s)", "repaired"}},
	{"projected coordinates", []corpusEdit{{"alameda_tracts_2010.geojson", "*[-122.24692,37.885438]", "[6052000.5,2125000.25]"}}, ExitFailure, []string{"alameda_tracts_2010.geojson: feature 0 (06001400100): polygon 0 ring 0", "outside lon/lat range; reproject to EPSG:4326"}},
	{"unknown CRS", []corpusEdit{{"oakland_city_boundary_2020.geojson", "urn:ogc:def:crs:OGC:1.3:CRS84", "urn:ogc:def:crs:EPSG::2227"}}, ExitFailure, []string{"oakland_city_boundary_2020.geojson", "EPSG:2227 is not one groundwork knows", "reproject the file to EPSG:4326"}},
	{"empty geometry", []corpusEdit{{"alameda_tracts_2010.geojson", `"geometry":{"type":"MultiPolygon","coordinates":[[[[-122.24692,37.885438],`, `"geometry":{"type":"MultiPolygon","coordinates":[]},"x":{"c":[[[[-122.24692,37.885438],`}}, ExitFailure, []string{"alameda_tracts_2010.geojson: feature 0", "empty"}},
	{"null geometry", []corpusEdit{{"alameda_tracts_2010.geojson", `"geometry":{"type":"MultiPolygon","coordinates":[[[[-122.24692,37.885438],`, `"geometry":null,"x":{"c":[[[[-122.24692,37.885438],`}}, ExitFailure, []string{"alameda_tracts_2010.geojson: feature 0"}},
	{"feature without its ID", []corpusEdit{{"alameda_tracts_2010.geojson", `"GEOID":"06001400100",`, ``}}, ExitFailure, []string{"alameda_tracts_2010.geojson: feature 0", "GEOID"}},
	{"boundary ID property typo", []corpusEdit{{"pipeline.yaml", "    id: GEOID\n", "    id: GEOIDX\n"}}, ExitFailure, []string{"alameda_tracts_2010.geojson", "GEOIDX"}},
	{"duplicate neighborhood name", []corpusEdit{{"oakland_neighborhoods.geojson", `"name": "Peralta-Laney"`, `"name": "Melrose"`}}, ExitFailure, []string{"oakland_neighborhoods.geojson", `duplicate ID "Melrose"`}},
	{"Latin-1 in a GeoJSON name", []corpusEdit{{"oakland_neighborhoods.geojson", `"name": "Melrose"`, "\"name\": \"Melr\xf3se\""}}, ExitFailure, []string{"oakland_neighborhoods.geojson:6: invalid UTF-8 (byte 0xF3)", "convert the file"}},
	{"GeoJSON file empty", []corpusEdit{{"oakland_neighborhoods.geojson", "", ""}}, ExitFailure, []string{"oakland_neighborhoods.geojson"}},
	{"GeoJSON not a FeatureCollection", []corpusEdit{{"oakland_city_boundary_2020.geojson", `"type": "FeatureCollection"`, `"type": "Feature"`}}, ExitFailure, []string{"oakland_city_boundary_2020.geojson"}},

	// The pipeline file: syntax, unknown keys and typos in each section.
	{"unknown top-level key", []corpusEdit{{"pipeline.yaml", "\nsources:\n", "\ncolour: red\nsources:\n"}}, ExitConfig, []string{"pipeline.yaml:", "colour"}},
	{"unknown source key", []corpusEdit{{"pipeline.yaml", "    key: cds\n", "    key: cds\n    nul: [\"x\"]\n"}}, ExitConfig, []string{"pipeline.yaml:", "nul"}},
	{"unknown column type", []corpusEdit{{"pipeline.yaml", "- api00: int", "- api00: integr"}}, ExitConfig, []string{"pipeline.yaml:", "integr"}},
	{"digits not a number", []corpusEdit{{"pipeline.yaml", "digits: 14}", "digits: fourteen}"}}, ExitConfig, []string{"pipeline.yaml:", "fourteen"}},
	{"unknown source kind", []corpusEdit{{"pipeline.yaml", "kind: census", "kind: censuss"}}, ExitConfig, []string{"pipeline.yaml:", "censuss"}},
	{"year not a number", []corpusEdit{{"pipeline.yaml", "    year: 2018\n", "    year: last\n"}}, ExitConfig, []string{"pipeline.yaml:", "year"}},
	{"duplicate YAML key", []corpusEdit{{"pipeline.yaml", "    year: 2018\n", "    year: 2018\n    year: 2019\n"}}, ExitConfig, []string{"pipeline.yaml:", "year"}},
	{"unclosed flow sequence", []corpusEdit{{"pipeline.yaml", "variables: [NAME,", "variables: [[NAME,"}}, ExitConfig, []string{"pipeline.yaml:"}},
	{"unknown boundary key", []corpusEdit{{"pipeline.yaml", "    id: GEOID\n", "    id: GEOID\n    ids: x\n"}}, ExitConfig, []string{"pipeline.yaml:", "ids"}},
	{"unknown area key", []corpusEdit{{"pipeline.yaml", "    order: [hills", "    ordr: [hills"}}, ExitConfig, []string{"pipeline.yaml:", "ordr"}},
	{"area lookup value typo", []corpusEdit{{"pipeline.yaml", "value: terrain}", "value: terain}"}}, ExitConfig, []string{"areas.terrain.lookup.value", `source "terrain_lookup" declares no column "terain"`}},
	{"area compare focus typo", []corpusEdit{{"pipeline.yaml", "focus: flatlands", "focus: flatland"}}, ExitConfig, []string{"flatland"}},
	{"unknown places key", []corpusEdit{{"pipeline.yaml", "    name: sname\n", "    name: sname\n    nmae: x\n"}}, ExitConfig, []string{"pipeline.yaml:", "nmae"}},
	{"unknown locate key", []corpusEdit{{"pipeline.yaml", "      lon: Longitude\n", "      lon: Longitude\n      long: x\n"}}, ExitConfig, []string{"pipeline.yaml:", "long"}},
	{"places id column typo", []corpusEdit{{"pipeline.yaml", "    id: cds\n", "    id: cdss\n"}}, ExitConfig, []string{"places.schools.id", `declares no column "cdss"`}},
	{"places where syntax error", []corpusEdit{{"pipeline.yaml", `where: 'dname == "Oakland Unified"'`, `where: 'dname = "Oakland Unified"'`}}, ExitConfig, []string{"places.schools.where"}},
	{"places where unknown column", []corpusEdit{{"pipeline.yaml", `where: 'dname == "Oakland Unified"'`, `where: 'dnam == "Oakland Unified"'`}}, ExitConfig, []string{"places.schools.where", `unknown column "dnam" (did you mean "dname"?)`}},
	{"unknown tracts key", []corpusEdit{{"pipeline.yaml", "  boundary: tract\n\nindicators", "  boundary: tract\n  boundry: tract\n\nindicators"}}, ExitConfig, []string{"pipeline.yaml:", "boundry"}},
	{"unknown indicators key", []corpusEdit{{"pipeline.yaml", "  confidence: 90\n", "  confidence: 90\n  confidance: 95\n"}}, ExitConfig, []string{"pipeline.yaml:", "confidance"}},
	{"confidence out of range", []corpusEdit{{"pipeline.yaml", "confidence: 90", "confidence: 150"}}, ExitConfig, []string{"confidence", "150"}},
	{"confidence not a number", []corpusEdit{{"pipeline.yaml", "confidence: 90", "confidence: ninety"}}, ExitConfig, []string{"confidence"}},
	{"reliability caution above unreliable", []corpusEdit{{"pipeline.yaml", "{caution: 15, unreliable: 30}", "{caution: 45, unreliable: 30}"}}, ExitConfig, []string{"reliability"}},
	{"reliability negative", []corpusEdit{{"pipeline.yaml", "{caution: 15, unreliable: 30}", "{caution: -5, unreliable: 30}"}}, ExitConfig, []string{"reliability"}},
	{"indicator expression syntax error", []corpusEdit{{"pipeline.yaml", `expr: "B03002_003E / B03002_001E"`, `expr: "B03002_003E / / B03002_001E"`}}, ExitConfig, []string{"white_share"}},
	{"indicator expression unknown column", []corpusEdit{{"pipeline.yaml", `expr: "B03002_003E / B03002_001E"`, `expr: "B03002_003X / B03002_001E"`}}, ExitConfig, []string{"indicators.define[2].expr", "unknown column B03002_003X; did you mean B03002_003E?"}},
	{"indicator kind typo", []corpusEdit{{"pipeline.yaml", "kind: proportion, percent: true}", "kind: proportio, percent: true}"}}, ExitConfig, []string{"proportio"}},
	{"compare unknown indicator", []corpusEdit{{"pipeline.yaml", "indicators: [renter_share,", "indicators: [rentr_share,"}}, ExitConfig, []string{"rentr_share"}},
	{"segregation unknown column", []corpusEdit{{"pipeline.yaml", "column: B03002_004E}", "column: B03002_004X}"}}, ExitConfig, []string{"indicators.segregation.groups[1]", "needs a name and a column of acs"}},
	{"need method typo", []corpusEdit{{"pipeline.yaml", "method: percentile", "method: percentil"}}, ExitConfig, []string{"percentil"}},
	{"need direction typo", []corpusEdit{{"pipeline.yaml", "direction: lower_is_worse}", "direction: lowr}"}}, ExitConfig, []string{"lowr"}},
	{"need unknown column", []corpusEdit{{"pipeline.yaml", "{column: pre1950_share,", "{column: pre1950_shar,"}}, ExitConfig, []string{"pre1950_shar"}},
	{"unknown summary key", []corpusEdit{{"pipeline.yaml", "    of: schools\n    by:", "    of: schools\n    bye: x\n    by:"}}, ExitConfig, []string{"pipeline.yaml:", "bye"}},
	{"summary stat typo", []corpusEdit{{"pipeline.yaml", "stats: [min, median, max]}", "stats: [min, medain, max]}"}}, ExitConfig, []string{"medain"}},
	{"summary format typo", []corpusEdit{{"pipeline.yaml", "format: dollars, stats", "format: dollar, stats"}}, ExitConfig, []string{"dollar"}},
	{"summary measure unknown column", []corpusEdit{{"pipeline.yaml", "{column: enroll, label: Enrollment", "{column: enrol, label: Enrollment"}}, ExitConfig, []string{"enrol"}},
	{"summary by unknown column", []corpusEdit{{"pipeline.yaml", "by: [terrain, stype]", "by: [terrain, stype2]"}}, ExitConfig, []string{"stype2"}},
	{"summary of unknown places", []corpusEdit{{"pipeline.yaml", "    of: schools\n    by:", "    of: school\n    by:"}}, ExitConfig, []string{"school"}},
	{"segment where syntax error", []corpusEdit{{"pipeline.yaml", "api00 < 600'", "api00 < '"}}, ExitConfig, []string{"segments[0].where", "unexpected token"}},
	{"segment where unknown column", []corpusEdit{{"pipeline.yaml", "api00 < 600'", "api01 < 600'"}}, ExitConfig, []string{"api01"}},
	{"segment where type mismatch", []corpusEdit{{"pipeline.yaml", `stype == "E"`, `stype == 5`}}, ExitConfig,
		[]string{"pipeline.yaml: 1 problem(s)", "line 201: segments[0].where", `column "stype" is text but is compared with the number 5, which never matches; quote the value: stype == "5"`}},
	{"segment rank unknown column", []corpusEdit{{"pipeline.yaml", "rank: {by: enroll,", "rank: {by: enrol,"}}, ExitConfig, []string{"enrol"}},
	{"segment rank order typo", []corpusEdit{{"pipeline.yaml", "order: desc}", "order: down}"}}, ExitConfig, []string{"down"}},
	{"segment unknown column", []corpusEdit{{"pipeline.yaml", "columns: [sname, cds,", "columns: [sname, cdss,"}}, ExitConfig, []string{"cdss"}},
	{"segment negative limit", []corpusEdit{{"pipeline.yaml", "limit: 20", "limit: -3"}}, ExitConfig, []string{"limit"}},
	{"segment limit not a number", []corpusEdit{{"pipeline.yaml", "limit: 20", "limit: twenty"}}, ExitConfig, []string{"limit"}},
	{"segment of unknown table", []corpusEdit{{"pipeline.yaml", "    of: tracts\n    where: 'terrain != nil'", "    of: tract\n    where: 'terrain != nil'"}}, ExitConfig, []string{"tract"}},
	{"map shade unknown column", []corpusEdit{{"pipeline.yaml", "shade: {column: B19013_001E", "shade: {column: B19013_001X"}}, ExitConfig, []string{"B19013_001X"}},
	{"map format typo", []corpusEdit{{"pipeline.yaml", "format: dollars}\n    shades", "format: dolars}\n    shades"}}, ExitConfig, []string{"report.map.shade.format", `unknown format "dolars"; use number, dollars, percent or year`}},
	{"map outline unknown area", []corpusEdit{{"pipeline.yaml", "outline: terrain", "outline: terain"}}, ExitConfig, []string{"terain"}},
	{"map point size unknown column", []corpusEdit{{"pipeline.yaml", "size: enroll, size_label", "size: enrol, size_label"}}, ExitConfig, []string{"enrol"}},
	{"findings unknown summary", []corpusEdit{{"pipeline.yaml", "    summary: schools\n", "    summary: schoolz\n"}}, ExitConfig, []string{"schoolz"}},
	{"unknown report key", []corpusEdit{{"pipeline.yaml", "  intro: >\n", "  intor: x\n  intro: >\n"}}, ExitConfig, []string{"pipeline.yaml:", "intor"}},

	// Outreach: contacts, survey, sign-ins, seats.
	{"contacts mapping column typo", []corpusEdit{{"pipeline.yaml", "    email: Email\n    phone: Phone\n    mobile", "    email: E-mail\n    phone: Phone\n    mobile"}}, ExitFailure, []string{"fixture_contacts.csv", "E-mail"}},
	{"unknown contacts mapping field", []corpusEdit{{"pipeline.yaml", "    mobile: Cell\n", "    mobile: Cell\n    fax: Fax\n"}}, ExitConfig, []string{"pipeline.yaml:", "fax"}},
	// A flaw of one contact row is a warning (the run goes on: one bad row of
	// 10,000 must not stop the exports) naming the row, the column, the
	// value and what was done with the row, counted per kind.
	{"contact with a bad phone", []corpusEdit{{"fixture_contacts.csv", "(510) 555-0101", "(510) 555-01O1"}}, ExitOK,
		[]string{"row(s) kept without a phone number that is not valid (no call or text list has it)", `fixture_contacts.csv:2: column "Phone": "(510) 555-01O1" holds the letter(s) O: a letter in a phone number is usually a typo for a digit`}},
	{"contact with a bad email", []corpusEdit{{"fixture_contacts.csv", "fixture001@example.org", "fixture001example.org"}}, ExitOK,
		[]string{"contacts: row(s) kept without their email, which is not an address", `fixture_contacts.csv:2: column "Email": "fixture001example.org" is not an email address`}},
	// Two rows with one ID are one record to the tools the exports go to.
	{"duplicate contact ID", []corpusEdit{{"fixture_contacts.csv", "F002,Fixture", "F001,Fixture"}}, ExitOK,
		[]string{"row(s) skipped as duplicates of an earlier row", `fixture_contacts.csv:3: column "Contact ID": ID "F001" is also the ID of line 2; the row is skipped: give each contact its own ID`}},
	{"contact opt-in not yes or no", []corpusEdit{{"fixture_contacts.csv", ",yes,,yes,,Spanish", ",maybe,,yes,,Spanish"}}, ExitOK,
		[]string{"row(s) with an email opt-in that is not yes or no, treated as not opted in", `fixture_contacts.csv:2: column "Email Opt In": value "maybe" is not yes/no, treated as not opted in`}},
	{"contact latitude out of range", []corpusEdit{{"fixture_contacts.csv", "37.793888,-122.25135,,yes", "97.793888,-122.25135,,yes"}}, ExitOK,
		[]string{"row(s) whose coordinates were not used", `fixture_contacts.csv:2: column "Latitude": latitude 97.793888 is outside -90..90; coordinates must be EPSG:4326 degrees; the row is not placed (in no tract, area or segment)`}},
	{"contact Latin-1 name", []corpusEdit{{"fixture_contacts.csv", "F001,Fixture,Person 001", "F001,Fixture,Pers\xf3n 001"}}, ExitOK, []string{"malformed row: 2"}},
	{"contact extra field", []corpusEdit{{"fixture_contacts.csv", ",fixture private note 001", ",fixture private note 001,x"}}, ExitOK, []string{"malformed row: 2"}},
	{"contact segment value typo", []corpusEdit{{"pipeline.yaml", "area: terrain, value: flatlands}", "area: terrain, value: flatland}"}}, ExitConfig, []string{"flatland"}},
	{"contact segment unknown segment", []corpusEdit{{"pipeline.yaml", "segment: highest_need_tracts}", "segment: highest_need}"}}, ExitConfig, []string{"highest_need"}},
	{"survey coordinate column typo", []corpusEdit{{"fixture_limesurvey_responses.csv", `"loc[lat]"`, `"loc[latitude]"`}}, ExitFailure, []string{"fixture_limesurvey_responses.csv", "loc[lat]"}},
	{"survey coordinate not a number", []corpusEdit{{"fixture_limesurvey_responses.csv", `"37.774400"`, `"abc"`}}, ExitOK,
		[]string{"listening: response(s) whose coordinates were not used", `fixture_limesurvey_responses.csv:2: column "loc[lat]": location not used: latitude "abc": not decimal degrees; not placed: counted in the overall concerns only`}},
	{"sign-in mapping column typo", []corpusEdit{{"pipeline.yaml", "first_name: First,", "first_name: Given,"}}, ExitFailure, []string{"fixture_signin_sheet.csv", "Given"}},
	{"sign-in extra field", []corpusEdit{{"fixture_signin_sheet.csv", "Fixture,Person 009,,(510) 555-0109,,10:02", "Fixture,Person 009,,(510) 555-0109,,10:02,x"}}, ExitOK, []string{"fixture_signin_sheet.csv:2: malformed row: 7 fields, the header has 6"}},
	{"attendee header missing email", []corpusEdit{{"fixture_mobilize_attendees.csv", "email_address", "e_mail"}}, ExitFailure, []string{"fixture_mobilize_attendees.csv"}},
	{"seat list column typo", []corpusEdit{{"fixture_seats_oakland_city.csv", "seat,name,office,contact", "seat,nam,office,contact"}}, ExitFailure, []string{"fixture_seats_oakland_city.csv:1", `did you mean "name"?`}},
	{"seat of no area", []corpusEdit{{"fixture_seats_oakland_city.csv", "Oakland,FIXTURE", "Oaklnd,FIXTURE"}}, ExitFailure, []string{"fixture_seats_oakland_city.csv", "Oaklnd"}},
}

// corpusCases is badInputCorpus and moreBadInput together.
func corpusCases() []struct {
	name  string
	edits []corpusEdit
	code  int
	want  []string
} {
	return append(badInputCorpus[:len(badInputCorpus):len(badInputCorpus)], moreBadInput...)
}
