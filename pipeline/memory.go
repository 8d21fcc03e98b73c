package pipeline

import (
	"runtime/metrics"
	"slices"
	"sync"
	"time"
)

// sampler tracks the process's memory every 10 ms and the peak seen while
// each stage runs.
type sampler struct {
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

func startSampler() *sampler {
	m := &sampler{running: map[int]uint64{}, quit: make(chan struct{})}
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

func (m *sampler) sample() {
	v := readMem()
	m.mu.Lock()
	defer m.mu.Unlock()
	m.all = max(m.all, v)
	for i, p := range m.running {
		m.running[i] = max(p, v)
	}
}

func (m *sampler) begin(i int) {
	m.sample()
	m.mu.Lock()
	m.running[i] = 0
	m.mu.Unlock()
	m.sample()
}

func (m *sampler) end(i int) uint64 {
	m.sample()
	m.mu.Lock()
	defer m.mu.Unlock()
	p := m.running[i]
	delete(m.running, i)
	return p
}

func (m *sampler) peak() uint64 {
	m.sample()
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.all
}

func (m *sampler) stop() {
	close(m.quit)
	m.wg.Wait()
}
