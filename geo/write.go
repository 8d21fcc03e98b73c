package geo

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/paulmach/orb/geojson"
)

// WriteGeoJSON writes l as an RFC 7946 GeoJSON FeatureCollection at path,
// atomically (a temporary file in the same directory, renamed into place).
// Features keep layer order; each gets its ID as the property idProp next to
// its other properties, and its geometry as a MultiPolygon in EPSG:4326
// lon/lat (no crs member). Output is deterministic: property keys are sorted
// by encoding/json.
func WriteGeoJSON(ctx context.Context, path string, l *Layer, idProp string) (err error) {
	fc := geojson.NewFeatureCollection()
	for i, f := range l.Features {
		if i%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		props := make(geojson.Properties, len(f.Props)+1)
		for k, v := range f.Props {
			props[k] = v
		}
		props[idProp] = f.ID
		g := geojson.NewFeature(f.Geom)
		g.Properties = props
		fc.Append(g)
	}
	data, err := fc.MarshalJSON()
	if err != nil {
		return fmt.Errorf("write boundary %q: %w", l.Name, err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return fmt.Errorf("write boundary %q: %w", l.Name, err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if _, err = tmp.Write(data); err != nil {
		return fmt.Errorf("write boundary %q: %w", l.Name, err)
	}
	if err = tmp.Close(); err != nil {
		return fmt.Errorf("write boundary %q: %w", l.Name, err)
	}
	if err = os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write boundary %q: %w", l.Name, err)
	}
	return nil
}
