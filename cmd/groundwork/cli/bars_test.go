package cli

import (
	"bytes"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/groundwork-org/groundwork/pipeline"
)

// TestBarLines draws the snapshots of pipeline's TestProgressSnapshots.
func TestBarLines(t *testing.T) {
	ms := time.Millisecond
	tracts := pipeline.Progress{Done: 1, Total: 5, ETA: 9720 * ms, ETAKnown: true, Stages: []pipeline.StageProgress{
		{Name: "tracts", Rows: 32768, Total: 85528, Rate: 8192, Elapsed: 5 * time.Second, ETA: 6440 * ms, ETAFrom: "rows"},
	}}
	for _, c := range []struct {
		name  string
		p     pipeline.Progress
		width int
		want  []string
	}{
		{
			name: "known total", p: tracts, width: 80,
			want: []string{
				"tracts   [=========>                ]  38%  32.8k/85.5k   8192/s  eta 6.4s",
				"overall  1/5 stages done, eta 9.7s",
			},
		},
		{
			name: "unknown total with last run", width: 80,
			p: pipeline.Progress{Done: 2, Total: 5, ETA: 4500 * ms, ETAKnown: true, Stages: []pipeline.StageProgress{
				{Name: "summary:income", Rows: 1234, Rate: 308.5, Elapsed: 4 * time.Second, Last: 10 * time.Second, ETA: 6 * time.Second, ETAFrom: "last run"},
			}},
			want: []string{
				"summary:income                                1234 rows    308/s  eta ~6.0s",
				"overall         2/5 stages done, eta 4.5s",
			},
		},
		{
			// no ETA: the stage's time so far takes the bar's place
			name: "unknown total without last run", width: 80,
			p: pipeline.Progress{Done: 1, Total: 5, Stages: []pipeline.StageProgress{{Name: "tracts", Elapsed: 2500 * ms}}},
			want: []string{
				"tracts   2.5s so far",
				"overall  1/5 stages done",
			},
		},
		{
			name: "finished and running", width: 100,
			p: pipeline.Progress{Done: 3, Total: 5, ETA: 500 * ms, ETAKnown: true, Stages: []pipeline.StageProgress{
				{Name: "places:schools", Rows: 75, Total: 75, Rate: 150, Elapsed: 500 * ms, Last: 2 * time.Second, Finished: true},
				{Name: "summary:income", Rows: 360, Total: 360, Rate: 30, Elapsed: 12 * time.Second, Last: 10 * time.Second, ETAFrom: "last run"},
			}},
			want: []string{
				"places:schools  [==============================] 100%        75/75    150/s  done in 0.5s",
				"summary:income  [==============================] 100%      360/360     30/s  eta ~0.0s",
				"overall         3/5 stages done, eta 0.5s",
			},
		},
		{
			name: "all done", width: 80,
			p: pipeline.Progress{Done: 5, Total: 5, ETAKnown: true, Stages: []pipeline.StageProgress{
				{Name: "report", Elapsed: 10 * time.Second, Last: time.Second, Finished: true},
			}},
			want: []string{
				"report   done in 10s",
				"overall  5/5 stages done",
			},
		},
		{
			// the bar shrinks to 10 and the line is cut at 39 columns
			name: "narrow terminal", p: tracts, width: 40,
			want: []string{
				"tracts   [===>      ]  38%  32.8k/85.5k",
				"overall  1/5 stages done, eta 9.7s",
			},
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			if diff := cmp.Diff(c.want, barLines(c.p, c.width, 0)); diff != "" {
				t.Errorf("lines (-want +got):\n%s", diff)
			}
		})
	}
}

// TestBarLinesLimits checks what keeps the bars on an 80-column terminal:
// long names are cut, and stages past maxBarStages are counted on a line.
func TestBarLinesLimits(t *testing.T) {
	long := pipeline.Progress{Done: 1, Total: 20, Stages: []pipeline.StageProgress{
		{Name: "segment:flatland_elementary_api_under_600", Elapsed: 400 * time.Millisecond},
		{Name: "tracts", Rows: 100, Total: 400, Rate: 250, Elapsed: time.Second, ETA: 1200 * time.Millisecond, ETAFrom: "rows"},
	}}
	want := []string{
		"segment:flatland_eleme…  0.4s so far",
		"tracts                   [==>       ]  25%      100/400    250/s  eta 1.2s",
		"overall                  1/20 stages done",
	}
	if diff := cmp.Diff(want, barLines(long, 80, 0)); diff != "" {
		t.Errorf("long name (-want +got):\n%s", diff)
	}

	p := pipeline.Progress{Done: 1, Total: 20}
	for range maxBarStages + 3 {
		p.Stages = append(p.Stages, pipeline.StageProgress{Name: "s", Elapsed: time.Second})
	}
	got := barLines(p, 80, 0)
	if len(got) != maxBarStages+2 {
		t.Fatalf("%d lines, want %d stage lines, one for the rest and the overall line", len(got), maxBarStages+2)
	}
	if want := "         and 3 more stage(s) running"; got[maxBarStages] != want {
		t.Errorf("line %d = %q, want %q", maxBarStages, got[maxBarStages], want)
	}
}

// TestBarsTerminal checks the escapes progressBars writes: a frame ends each line
// with erase-to-end-of-line and erases what is below it; a log line moves
// up over the frame, erases it, and draws the frame again below itself;
// Clear erases the frame.
func TestBarsTerminal(t *testing.T) {
	var buf bytes.Buffer
	b := newBars(&buf, func() int { return 60 })
	step := func(name string, do func(), want string) {
		t.Helper()
		buf.Reset()
		do()
		if got := buf.String(); got != want {
			t.Errorf("%s wrote\n%q, want\n%q", name, got, want)
		}
	}
	two := pipeline.Progress{Done: 1, Total: 3, Stages: []pipeline.StageProgress{{Name: "tracts", Elapsed: time.Second}}}
	one := pipeline.Progress{Done: 2, Total: 3}
	step("first frame", func() { b.Update(two) },
		"tracts   1.0s so far\x1b[K\noverall  1/3 stages done\x1b[K\n\x1b[J")
	step("log line", func() { b.Write([]byte("level=INFO msg=hello\n")) },
		"\x1b[2A\r\x1b[Jlevel=INFO msg=hello\ntracts   1.0s so far\noverall  1/3 stages done\n")
	step("log line without a newline", func() { b.Write([]byte("x")) },
		"\x1b[2A\r\x1b[Jx\ntracts   1.0s so far\noverall  1/3 stages done\n")
	step("shorter frame", func() { b.Update(one) },
		"\x1b[2A\roverall  2/3 stages done\x1b[K\n\x1b[J")
	step("clear", b.Clear, "\x1b[1A\r\x1b[J")
	step("clear again", b.Clear, "")
	step("log line without bars", func() { b.Write([]byte("bye\n")) }, "\x1b[Jbye\n")
}
