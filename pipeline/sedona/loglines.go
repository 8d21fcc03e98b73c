package sedona

import (
	"bytes"
	"io"
	"log/slog"
	"strings"
)

// LogLines returns a writer that logs each line of a job's output as a
// debug record of stage.
func LogLines(log *slog.Logger, stage string) io.Writer {
	return &logLines{log: log, stage: stage}
}

// logLines writes each line of a job's output as a debug record.
type logLines struct {
	log   *slog.Logger
	stage string
	part  []byte
}

func (l *logLines) Write(p []byte) (int, error) {
	l.part = append(l.part, p...)
	for {
		i := bytes.IndexByte(l.part, '\n')
		if i < 0 {
			return len(p), nil
		}
		if line := strings.TrimSpace(string(l.part[:i])); line != "" {
			l.log.Debug("spark", "stage", l.stage, "line", line)
		}
		l.part = l.part[i+1:]
	}
}
