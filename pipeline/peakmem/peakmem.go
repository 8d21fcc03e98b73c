// Package peakmem samples the process's memory (runtime/metrics: total
// minus released heap) every 10 ms and keeps the peak seen overall and
// while each of a set of numbered tasks (the runner's stages) runs.
package peakmem

import (
	"runtime/metrics"
	"slices"
	"sync"
	"time"
)

// Sampler tracks the process's memory every 10 ms and the peak seen while
// each stage runs.
type Sampler struct {
	mu      sync.Mutex
	all     uint64
	running map[int]uint64
	quit    chan struct{}
	wg      sync.WaitGroup
}

var memSamples = []metrics.Sample{{Name: "/memory/classes/total:bytes"}, {Name: "/memory/classes/heap/released:bytes"}}

func readMem() uint64 {
	s := slices.Clone(memSamples)
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 || s[1].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return s[0].Value.Uint64() - s[1].Value.Uint64()
}

// Start starts sampling; Stop ends it.
func Start() *Sampler {
	m := &Sampler{running: map[int]uint64{}, quit: make(chan struct{})}
	m.wg.Add(1)
	go func() {
		defer m.wg.Done()
		t := time.NewTicker(10 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-m.quit:
				return
			case <-t.C:
				m.sample()
			}
		}
	}()
	return m
}

func (m *Sampler) sample() {
	v := readMem()
	m.mu.Lock()
	defer m.mu.Unlock()
	m.all = max(m.all, v)
	for i, p := range m.running {
		m.running[i] = max(p, v)
	}
}

// Begin starts tracking the peak of task i.
func (m *Sampler) Begin(i int) {
	m.sample()
	m.mu.Lock()
	m.running[i] = 0
	m.mu.Unlock()
	m.sample()
}

// End stops tracking task i and returns its peak in bytes.
func (m *Sampler) End(i int) uint64 {
	m.sample()
	m.mu.Lock()
	defer m.mu.Unlock()
	p := m.running[i]
	delete(m.running, i)
	return p
}

// Peak is the peak in bytes since Start.
func (m *Sampler) Peak() uint64 {
	m.sample()
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.all
}

// Stop ends sampling.
func (m *Sampler) Stop() {
	close(m.quit)
	m.wg.Wait()
}
