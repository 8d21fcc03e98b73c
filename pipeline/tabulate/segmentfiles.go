package tabulate

import (
	"encoding/json"
	"io"
	"strconv"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"github.com/groundwork-org/groundwork/pipeline/frame"
	"github.com/groundwork-org/groundwork/pipeline/result"
	"github.com/groundwork-org/groundwork/reports/outreach"
)

// SegmentCSV writes segments/<name>.csv of res: a rank column (from 1)
// then res.Columns, a row per record in rank order, every cell neutralised
// (outreach.WriteCSV).
func SegmentCSV(res *result.Segment) func(io.Writer) error {
	return func(w io.Writer) error {
		header := append([]string{"rank"}, res.Columns...)
		return outreach.WriteCSV(w, header, func(emit func(...string) error) error {
			for i, row := range res.Rows {
				cells := []string{strconv.Itoa(i + 1)}
				for _, c := range res.Columns {
					cells = append(cells, frame.Cell(row[c]))
				}
				if err := emit(cells...); err != nil {
					return err
				}
			}
			return nil
		})
	}
}

// SegmentGeoJSON writes segments/<name>.geojson of res: a feature per
// record in rank order, its geometry geom(row), with the properties rank
// and res.Columns (indented JSON).
func SegmentGeoJSON(res *result.Segment, geom func(row map[string]any) orb.Geometry) func(io.Writer) error {
	return func(w io.Writer) error {
		fc := geojson.NewFeatureCollection()
		for i, row := range res.Rows {
			f := geojson.NewFeature(geom(row))
			f.Properties["rank"] = i + 1
			for _, c := range res.Columns {
				f.Properties[c] = row[c]
			}
			fc.Append(f)
		}
		b, err := json.MarshalIndent(fc, "", " ")
		if err != nil {
			return err
		}
		_, err = w.Write(append(b, '\n'))
		return err
	}
}
