package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/groundwork-org/groundwork/pipeline/census"
)

const varsUsage = `Usage: groundwork vars search TEXT [--dataset acs/acs5] [--year 2022] [--online]

Searches the Census variables of a dataset: every word of TEXT must appear in
the variable's code, label or concept. It reads the metadata cache, so it works
offline once a run (or one --online search) has fetched the dataset's metadata.

Examples:
  groundwork vars search median household income --dataset acs/acs5 --year 2018
  groundwork vars search renter occupied --online

Flags:
`

func varsCmd(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("vars", flag.ContinueOnError)
	fs.SetOutput(helpOutput(args, stdout, stderr))
	dataset := fs.String("dataset", "acs/acs5", "Census `dataset`")
	year := fs.Int("year", 2022, "dataset `year` (vintage)")
	online := fs.Bool("online", false, "fetch the metadata from the API when it is not cached (needs CENSUS_API_KEY)")
	cacheDir := fs.String("census-cache", "", "`folder` of cached Census responses (default: the user cache folder)")
	fs.Usage = func() { fmt.Fprint(fs.Output(), varsUsage); fs.PrintDefaults() }
	if code, ok := parseSubcommand(fs, args, "search"); !ok {
		return code
	}
	text := strings.Join(fs.Args(), " ")
	if strings.TrimSpace(text) == "" {
		fmt.Fprintln(stderr, "groundwork vars search: give the words to search for")
		return ExitUsage
	}
	cache := *cacheDir
	if cache == "" {
		dir, err := census.DefaultCacheDir()
		if err != nil {
			fmt.Fprintf(stderr, "groundwork vars: no cache folder (use --census-cache): %v\n", err)
			return ExitFailure
		}
		cache = dir
	}
	key := ""
	if *online {
		k, err := census.ResolveKey("", os.Getenv)
		if err != nil {
			fmt.Fprintf(stderr, "groundwork vars: %v\n", err)
			return ExitFailure
		}
		key = k
	}
	c := census.NewClient(census.Config{Key: key, CacheDir: cache, Offline: !*online})
	vars, err := census.SearchVariables(ctx, c, *dataset, *year, text)
	if errors.Is(err, census.ErrOffline) {
		// one hint, not the client's "without --offline" as well
		fmt.Fprintf(stderr, "groundwork vars: the variables of %d %s are not cached yet: run `groundwork vars search %s --dataset %s --year %d --online` once with CENSUS_API_KEY set\n", *year, *dataset, text, *dataset, *year)
		return ExitFailure
	}
	if err != nil {
		fmt.Fprintf(stderr, "groundwork vars: %v\n", err)
		return ExitFailure
	}
	if len(vars) == 0 {
		fmt.Fprintf(stderr, "no variable of %d %s matches %q\n", *year, *dataset, text)
		return ExitFailure
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	for _, v := range vars {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", v.Name, v.Label, v.Concept)
	}
	tw.Flush()
	return ExitOK
}

// parseSubcommand parses `want [flags...]`: it checks that args start with
// the subcommand want and parses the rest into fs. When it returns false the
// caller returns code (ExitOK for --help, ExitUsage otherwise; usage printed).
func parseSubcommand(fs *flag.FlagSet, args []string, want string) (code int, ok bool) {
	if len(args) == 0 || args[0] != want {
		fs.Usage()
		if len(args) > 0 && (args[0] == "--help" || args[0] == "-h") {
			return ExitOK, false
		}
		return ExitUsage, false
	}
	if err := parseInterspersed(fs, args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return ExitOK, false
		}
		return ExitUsage, false
	}
	return ExitOK, true
}
