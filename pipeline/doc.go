// Package pipeline is the runner: it turns a validated pipeline file
// (pipeline/config) into a graph of stages (pipeline/stagegraph, bound to
// the stage methods in graph.go), computes each stage's
// cache key (cache.go, with package stagecache), plans what runs (Plan), and runs the stages
// concurrently (scheduler.go) into a new version folder to which the output
// path (a link) is switched with one rename only when every stage has
// succeeded (package outdir; outdir.go refuses a folder groundwork did not
// write). The work of a
// stage lives in the packages it calls; the stage functions here only read
// their inputs from the run's state, call them, and record what they wrote.
//
// # The stage contract
//
// A stage runs on a fork of the run's state whose Config holds only its own
// item (state.fork). It reads only the state its Deps wrote (the scheduler
// starts it once they are merged), adds to its fork only (collect and merge
// bring the additions back in graph order, so outputs do not depend on which
// parallel stage finished first), writes files only under the staging folder
// through state.writeParquet, parquetWriter or writeFile (which list them
// and prove with store.Path, through state.outPath, that the path stays
// inside the staging folder),
// reports warnings through state.warn and rows done through state.progress,
// and checks its context in long loops. A panic in a stage is a bug: it
// becomes an error wrapping ErrInternal and the run fails, leaving the
// output folder untouched.
//
// One exception to "once they are merged": a streamed source, the places
// stage that reads it and the summaries and segments over those places,
// when they run, start together and share one pass over the file
// (stagegraph.Passes, pipeline/feed): the source stage hands each chunk it
// writes to raw/<source>.parquet to the places stage, which hands each chunk it
// writes to places/<name>.parquet to the summaries and segments; each is
// merged after the one before. Their outputs and cache entries are what
// they give apart. A pass takes one of the Parallel places.
//
// Its cache key is the SHA-256 of the code version, the JSON of its
// configuration subtree, the bytes of its input files and its Deps' keys. On
// a hit the files it wrote are linked from the cache and the exported
// fields of its stageOut (results from pipeline/result, warnings, source
// notes) are decoded (gob); in-memory tables are rebuilt from its files
// (stageOut.restore), and a boundary stage, whose index lives only in
// memory, runs again when a dependant runs.
//
//	stage (file)                 reads                                   writes                                        cached
//	source:<name> (sources.go;   the source file, recording or Census   raw/<name>.parquet; state raw, sourceInfo     file; Source note
//	  census: pipeline/censusread)
//	boundary:<name> (boundaries) the boundary file                       state layers, indexes (geo.Index)            reloaded (runs again)
//	area:<name> (boundaries.go)  its lookup source, its boundary        state areaOf[name]                             AreaOf
//	tracts (tracts.go,           the tracts source, every boundary      tracts.parquet, indicators/areas.parquet;      files; Indicators
//	  indicators.go)             and area                               state tracts, indicators
//	sedona (spark.go; the        the places sets' sources, every        nothing (one Spark job in a temporary folder); Spark
//	  sedona engine only:        boundary and area, the contact,        state spark (sedona.Out): every point's       (sedona.Out)
//	  pipeline/sedona, job:      survey and sign-in files               placements, the summaries and segments
//	  pipeline/sedona/gather)                                           over places
//	places:<name> (places.go)    its source (and locate directory),     places/<name>.parquet, unplaced/<name>.csv;   files; Unplaced,
//	                             every boundary and area                state places, unplaced, placedBy               PlacedBy
//	summary:<name> (summary.go)  tracts or a places set; the areas      summaries/<name>.parquet; state summaries     Summaries
//	segment:<name> (segments.go) tracts or a places set                 segments/<name>.csv and .geojson              Segments
//	outreach (outreach.go;       contact, listening, turnout and        exports/...; state outreach                   files; Outreach
//	  follow-up: pipeline/       attendance files; tract boundary,
//	  followup)                  area, tract segments
//	partitions:... (partitions;  tracts or a places set                 partitioned/... (with Options.Partitioned)    files
//	  pipeline/partition)
//	report (report.go)           every stage's results but partitions  report.html (view-model: pipeline/report)      file
//
// docs/architecture.md has the package map and, for adding a source kind, a
// statistic, an export profile, a report section or a stage, the files to
// touch.
package pipeline
