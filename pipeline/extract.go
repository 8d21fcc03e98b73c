package pipeline

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/groundwork-org/groundwork/pipeline/census"
	"github.com/groundwork-org/groundwork/pipeline/config"
)

// CensusOptions configure live Census Data API pulls. The zero value pulls
// from the real API with the key in CENSUS_API_KEY, caching responses under
// the user cache folder.
type CensusOptions struct {
	// Client holds the client settings: HTTP and BaseURL (tests point them
	// at an httptest server), CacheDir ("" means <user cache
	// dir>/groundwork/census), Offline, Progress and Terminal. Its Key and
	// Logger are set by the run: the key comes from the environment.
	Client census.Config
	// Getenv reads the environment (default os.Getenv); the key is never
	// logged or written.
	Getenv func(string) string
}

// readCensus reads a census source: the recorded response when the pipeline
// file names one, otherwise a pull through the Census Data API client. It
// returns the record and a description of where it came from.
func (st *state) readCensus(ctx context.Context, name string, s *config.Source, o CensusOptions) (arrow.RecordBatch, string, error) {
	if s.Recorded != "" {
		file := st.cfg.Path(s.Recorded)
		rec, err := readRecorded(file)
		return rec, file, err
	}
	getenv := o.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	key, err := census.ResolveKey(s.APIKey, getenv)
	if err != nil && !o.Client.Offline {
		return nil, "", err
	}
	cfg := o.Client
	if cfg.CacheDir == "" {
		dir, err := os.UserCacheDir()
		if err != nil {
			return nil, "", fmt.Errorf("no cache folder for Census responses (set one with --census-cache): %w", err)
		}
		cfg.CacheDir = filepath.Join(dir, "groundwork", "census")
	}
	cfg.Key, cfg.Logger = key, st.log
	client := census.NewClient(cfg)
	var vars []string
	for _, v := range s.Variables {
		if v != "NAME" {
			vars = append(vars, v)
		}
	}
	t, err := client.Get(ctx, census.Request{Dataset: s.Dataset, Year: s.Year, Variables: vars, For: s.For, In: s.In})
	if err != nil {
		return nil, "", err
	}
	rec, err := t.Record()
	return rec, fmt.Sprintf("Census Data API %d/%s", s.Year, s.Dataset), err
}
