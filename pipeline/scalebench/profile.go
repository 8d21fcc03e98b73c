package scalebench

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"time"
)

// StageCPU sums the CPU time of a CPU profile (runtime/pprof's gzipped
// protocol buffer) by the value of each sample's "stage" label, which the
// runner sets on every goroutine of a stage that runs (and the goroutines
// those start). other is the time of samples without the label: the
// garbage collector's background work, the scheduler, the runner itself.
func StageCPU(profile []byte) (byStage map[string]time.Duration, other time.Duration, err error) {
	zr, err := gzip.NewReader(bytes.NewReader(profile))
	if err != nil {
		return nil, 0, fmt.Errorf("cpu profile: %w", err)
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		return nil, 0, fmt.Errorf("cpu profile: %w", err)
	}
	type sample struct {
		values []int64
		labels [][2]int64 // key, str: indexes in the string table
	}
	var samples []sample
	var strs []string
	var valueTypes int
	err = protoFields(raw, func(field int, v uint64, b []byte) error {
		switch field {
		case 1: // sample_type
			valueTypes++
		case 2: // sample
			var s sample
			err := protoFields(b, func(field int, v uint64, b []byte) error {
				switch field {
				case 2: // value: packed or not
					if b == nil {
						s.values = append(s.values, int64(v))
						return nil
					}
					return protoVarints(b, func(v uint64) { s.values = append(s.values, int64(v)) })
				case 3: // label
					var l [2]int64
					err := protoFields(b, func(field int, v uint64, _ []byte) error {
						if field == 1 || field == 2 {
							l[field-1] = int64(v)
						}
						return nil
					})
					s.labels = append(s.labels, l)
					return err
				}
				return nil
			})
			samples = append(samples, s)
			return err
		case 6: // string_table
			strs = append(strs, string(b))
		}
		return nil
	})
	if err != nil {
		return nil, 0, fmt.Errorf("cpu profile: %w", err)
	}
	if valueTypes != 2 {
		return nil, 0, fmt.Errorf("cpu profile: %d sample types, want 2 (samples, cpu nanoseconds)", valueTypes)
	}
	str := func(i int64) string {
		if i < 0 || int(i) >= len(strs) {
			return ""
		}
		return strs[i]
	}
	byStage = map[string]time.Duration{}
	for _, s := range samples {
		if len(s.values) != 2 {
			return nil, 0, errors.New("cpu profile: a sample without its two values")
		}
		stage := ""
		for _, l := range s.labels {
			if str(l[0]) == "stage" {
				stage = str(l[1])
			}
		}
		if stage == "" {
			other += time.Duration(s.values[1])
		} else {
			byStage[stage] += time.Duration(s.values[1])
		}
	}
	return byStage, other, nil
}

// protoFields calls fn with each field of the protocol buffer message b:
// its number and, by wire type, its varint value (b nil) or its bytes.
// Fixed-size fields are skipped.
func protoFields(b []byte, fn func(field int, v uint64, b []byte) error) error {
	for len(b) > 0 {
		key, n := binary.Uvarint(b)
		if n <= 0 {
			return errors.New("bad field key")
		}
		b = b[n:]
		field, wire := int(key>>3), key&7
		switch wire {
		case 0:
			v, n := binary.Uvarint(b)
			if n <= 0 {
				return errors.New("bad varint")
			}
			b = b[n:]
			if err := fn(field, v, nil); err != nil {
				return err
			}
		case 2:
			l, n := binary.Uvarint(b)
			if n <= 0 || uint64(len(b)-n) < l {
				return errors.New("bad length")
			}
			body := b[n : n+int(l)]
			b = b[n+int(l):]
			if body == nil {
				body = []byte{}
			}
			if err := fn(field, 0, body); err != nil {
				return err
			}
		case 1:
			if len(b) < 8 {
				return errors.New("short fixed64")
			}
			b = b[8:]
		case 5:
			if len(b) < 4 {
				return errors.New("short fixed32")
			}
			b = b[4:]
		default:
			return fmt.Errorf("wire type %d", wire)
		}
	}
	return nil
}

// protoVarints calls fn with each varint of a packed repeated field.
func protoVarints(b []byte, fn func(uint64)) error {
	for len(b) > 0 {
		v, n := binary.Uvarint(b)
		if n <= 0 {
			return errors.New("bad packed varint")
		}
		fn(v)
		b = b[n:]
	}
	return nil
}
