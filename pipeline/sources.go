package pipeline

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/groundwork-org/groundwork/pipeline/censusread"
	"github.com/groundwork-org/groundwork/pipeline/config"
	"github.com/groundwork-org/groundwork/pipeline/frame"
	"github.com/groundwork-org/groundwork/pipeline/notes"
	"github.com/groundwork-org/groundwork/pipeline/result"
	"github.com/groundwork-org/groundwork/pipeline/source"
	"github.com/groundwork-org/groundwork/pipeline/store"
	"github.com/groundwork-org/groundwork/pipeline/table"
)

// loadSources is the extract and load stage: every source is read, typed,
// and written to raw/<name>.parquet.
func (st *state) loadSources(ctx context.Context) error {
	c := st.cfg
	var errs []error
	for _, name := range slices.Sorted(maps.Keys(c.Sources)) {
		s := c.Sources[name]
		var rec arrow.RecordBatch
		var err error
		var file string
		var info result.Source // what a census source adds to its note
		switch s.Kind {
		case config.KindCensus:
			rec, file, err = censusread.Reader{Config: c, Options: st.census, Log: st.log, Warn: st.warn}.Read(ctx, name, s, &info)
		case config.KindCSV:
			file = c.Path(s.File)
			spec := s.CSVSpec()
			spec.Warnings = &notes.Set{}
			spec.Repeats, spec.RepeatsMean = c.RepeatCheck(name)
			if c.StreamedSource(name) {
				n, err := st.streamCSV(ctx, name, file, spec)
				st.noteWarnings(name, spec.Warnings)
				if err != nil {
					errs = append(errs, fmt.Errorf("source %q: %w", name, err))
					continue
				}
				st.sourceInfo = append(st.sourceInfo, result.Source{Name: name, Title: s.Title, About: s.About, File: filepath.Base(file), Rows: n, Streamed: true})
				st.log.Info("loaded source", "name", name, "rows", n, "streamed", true)
				continue
			}
			rec, err = source.ReadCSV(ctx, file, spec)
			st.noteWarnings(name, spec.Warnings)
		case config.KindParquet, config.KindGeoJSON:
			file = c.Path(s.File)
			spec := s.PointsSpec()
			spec.Warnings = &notes.Set{}
			spec.Repeats, spec.RepeatsMean = c.RepeatCheck(name)
			if s.Kind == config.KindParquet {
				rec, err = source.ReadParquet(ctx, file, spec)
			} else {
				rec, err = source.ReadGeoJSONPoints(ctx, file, spec)
			}
			st.noteWarnings(name, spec.Warnings)
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("source %q: %w", name, err))
			continue
		}
		st.raw[name] = rec
		from := filepath.Base(file)
		if s.Kind == config.KindCensus && s.Recorded == "" {
			from = file // a pull: "Census Data API 2012, 2018/acs/acs5", not its last element
		}
		st.sourceInfo = append(st.sourceInfo, result.Source{Name: name, Title: s.Title, About: s.About, File: from, Rows: int(rec.NumRows()), Confidence: censusread.Confidence(c, name), NotCounts: info.NotCounts, Labels: info.Labels, Changes: info.Changes, LabelChanges: info.LabelChanges})
		st.log.Info("loaded source", "name", name, "rows", rec.NumRows())
		if err := st.writeParquet(ctx, filepath.Join("raw", name+".parquet"), rec); err != nil {
			return err
		}
	}
	return errors.Join(errs...)
}

// streamChunk is the number of records a streamed source is read, placed
// and written in at a time: one Parquet row group.
var streamChunk = 64 * 1024 // a variable so that tests can make chunks small

// streamCSV reads a streamed CSV source a chunk at a time into
// raw/<name>.parquet, holding one chunk in memory, and returns its number
// of rows. When the stage shares its pass with a places stage (st.feed),
// each chunk is also handed to it once written (the chunk's own typed
// columns, source.ScanCSVColumns), and the feed is closed when the file
// has been read. On an error nothing is left at
// raw/<name>.parquet.
func (st *state) streamCSV(ctx context.Context, name, file string, spec source.CSV) (int, error) {
	fd := st.feed
	if fd != nil && fd.Source() != name {
		fd = nil
	}
	f, err := os.Open(file)
	if err != nil {
		if fd != nil {
			fd.Close(err)
		}
		return 0, err
	}
	defer f.Close()
	var w *store.Writer
	n := 0
	err = source.ScanCSVColumns(ctx, file, f, spec, streamChunk, func(cols []*table.Column, meta map[string]string) error {
		if w == nil {
			schema, err := store.ColumnsSchema(meta, cols)
			if err == nil {
				w, err = st.parquetWriter(filepath.Join("raw", name+".parquet"), schema)
			}
			if err != nil {
				return err
			}
		}
		if len(cols) > 0 {
			n += cols[0].Len()
		}
		// Written first: the places stage changes the columns it gets.
		if err := w.WriteColumns(ctx, cols); err != nil {
			return err
		}
		if fd == nil {
			return nil
		}
		// The places stage gets the chunk's own columns, the chunk it
		// would read back from the raw file.
		c, err := frame.FromColumns(cols)
		if err != nil {
			return err
		}
		return fd.Send(ctx, c, nil)
	})
	if fd != nil {
		fd.Close(err)
	}
	if err == nil && w == nil {
		err = errors.New("no records read") // ScanCSV always gives one, if empty
	}
	if err == nil {
		err = w.Close()
	}
	if err != nil && w != nil {
		w.Abort()
	}
	return n, err
}

// noteWarnings makes the warnings of reading source name (summarised by
// kind, with the first examples) warnings of the run.
func (st *state) noteWarnings(name string, w *notes.Set) {
	for _, line := range w.Lines() {
		st.warn("source %s: %s", name, line)
	}
}

// CensusOptions configure live Census Data API pulls and boundary
// downloads (censusread.Options): the zero value pulls from the real API
// with the key in CENSUS_API_KEY, caching under the user cache folder.
type CensusOptions = censusread.Options
