// Package oakland embeds groundwork's default pipeline: Oakland's public
// schools in the hills and the flatlands, on real public data (see
// PROVENANCE.md).
package oakland

import "embed"

// Files holds pipeline.yaml and the data files it names, at the root.
//
//go:embed pipeline.yaml PROVENANCE.md *.csv *.json *.geojson
var Files embed.FS

// Pipeline is the name of the pipeline file in Files.
const Pipeline = "pipeline.yaml"
