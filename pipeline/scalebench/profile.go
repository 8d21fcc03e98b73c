package scalebench

import (
	"bytes"
	"fmt"
	"time"

	"github.com/google/pprof/profile"
)

// StageCPU sums the CPU time of a CPU profile (runtime/pprof's output) by
// the value of each sample's "stage" label, which the runner sets on every
// goroutine of a stage that runs (and the goroutines those start). other is
// the time of samples without the label: the garbage collector's background
// work, the scheduler, the runner itself.
func StageCPU(data []byte) (byStage map[string]time.Duration, other time.Duration, err error) {
	p, err := profile.Parse(bytes.NewReader(data))
	if err != nil {
		return nil, 0, fmt.Errorf("cpu profile: %w", err)
	}
	cpu := -1
	for i, st := range p.SampleType {
		if st.Type == "cpu" && st.Unit == "nanoseconds" {
			cpu = i
		}
	}
	if cpu < 0 {
		return nil, 0, fmt.Errorf("cpu profile: no cpu/nanoseconds sample type (has %v); want a profile from runtime/pprof.StartCPUProfile", p.SampleType)
	}
	byStage = map[string]time.Duration{}
	for _, s := range p.Sample {
		d := time.Duration(s.Value[cpu])
		if stage := s.Label["stage"]; len(stage) > 0 && stage[0] != "" {
			byStage[stage[0]] += d
		} else {
			other += d
		}
	}
	return byStage, other, nil
}
