package store

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/encoding"
	"github.com/parquet-go/parquet-go/encoding/rle"
	"github.com/parquet-go/parquet-go/encoding/thrift"
	"github.com/parquet-go/parquet-go/format"
)

// pageWrites turns on the page writer (a variable so that the tests can
// write through parquet-go's column writers alone and compare).
var pageWrites = true

// pageWriter writes a Parquet stream of flat optional string, float64 and
// int64 columns (pagesCover) without a parquet.Value per cell: each column
// chunk's dictionary and data pages are built straight from the typed data
// (Arrow buffers or table columns) with parquet-go's own encodings,
// codec, bounds, column indexers and Thrift structs, and the row groups,
// page indexes and footer with format and thrift. The bytes are those of
// parquet-go's writer configured as encoder.start configures it
// (TestPagesMatchParquetGo): one data page per column chunk (store hands
// each column writer a whole row group in one call, then flushes it, so
// parquet-go's page buffer never splits one), DATA_PAGE_V2 with a CRC and
// statistics, a dictionary page per chunk of a dictionary column, size
// statistics and level histograms, a column and an offset index per
// chunk. The schema, key/value metadata, created_by and column orders are
// parquet-go's own, read from the footer of an empty file it writes with
// the same options (tmpl), which is also the whole file when no rows come.
//
// Each string and float64 column's encoding is chosen as encoder.start
// chooses it for parquet-go's writer (dictionaryPays, floatDictionaryPays:
// over the first row group's rows), but by the first row group's own
// column work, on the goroutines that encode it, from the dictionary that
// the chunk is then encoded with (stringIndexes with a limit,
// floatIndexes with a distinctSketch of the distinct values alone): no
// pass over the columns before, and the same choices
// (TestPagesMatchParquetGo, its threshold cases).
type pageWriter struct {
	w       io.Writer
	s       *arrow.Schema
	options func(unique, dict []bool) ([]parquet.WriterOption, error)
	offset  int64
	tmpl    []byte              // parquet-go's file without rows; nil until fix
	meta    format.FileMetaData // tmpl's footer
	cols    []pageColumn
	groups  []format.RowGroup
	colIdx  [][]format.ColumnIndex
	offIdx  [][]format.OffsetIndex
	enc     []*chunkEncoder // one per goroutine, from encoders
	out     []*columnChunk  // one per column, from chunks
}

// pageColumn is how one column's chunks are written.
type pageColumn struct {
	name      string
	kind      columnKind
	typ       parquet.Type      // the leaf's type: bounds, column index
	enc       encoding.Encoding // the data pages' encoding
	encodings []format.Encoding // the chunk metadata's, sorted
}

type columnKind int

const (
	kindStringDict columnKind = iota
	kindStringUnique
	kindFloatDict
	kindFloatPlain
	kindInt
)

// pagesCover reports whether pageWriter writes files of schema s: every
// column a string, float64 or int64 (parquetSchema makes them optional).
// Booleans go through parquet-go's column writers.
func pagesCover(s *arrow.Schema) bool {
	for _, f := range s.Fields() {
		switch f.Type.ID() {
		case arrow.STRING, arrow.FLOAT64, arrow.INT64:
		default:
			return false
		}
	}
	return true
}

// newPageWriter starts a page writer for records of s; options gives
// parquet-go's writer options for the encodings chosen (unique, dict:
// encoder.options). The choice is made by the first row group's column
// work (writeRowGroup), or by fix when no rows come first.
func newPageWriter(w io.Writer, s *arrow.Schema, options func(unique, dict []bool) ([]parquet.WriterOption, error)) (*pageWriter, error) {
	p := &pageWriter{w: w, s: s, options: options}
	for _, f := range s.Fields() {
		c, err := newPageColumn(f.Name, f.Type, false, false)
		if err != nil {
			return nil, err
		}
		p.cols = append(p.cols, c)
	}
	p.out = make([]*columnChunk, len(p.cols))
	for j := range p.out {
		p.out[j] = chunks.Get().(*columnChunk)
	}
	return p, nil
}

// newPageColumn is how column name of type t is written: strings
// dictionary-encoded unless unique, floats dictionary-encoded where dict,
// else PLAIN (or floats).
func newPageColumn(name string, t arrow.DataType, unique, dict bool) (pageColumn, error) {
	c := pageColumn{name: name}
	switch t.ID() {
	case arrow.STRING:
		c.typ, c.kind, c.enc = parquet.String().Type(), kindStringDict, &parquet.RLEDictionary
		if unique {
			c.kind, c.enc = kindStringUnique, uniqueStrings
		}
	case arrow.FLOAT64:
		c.typ, c.kind, c.enc = parquet.DoubleType, kindFloatPlain, floats
		if c.enc == nil {
			c.enc = &parquet.Plain
		}
		if dict {
			c.kind, c.enc = kindFloatDict, &parquet.RLEDictionary
		}
	case arrow.INT64:
		c.typ, c.kind, c.enc = parquet.Int(64).Type(), kindInt, ints
	default:
		return c, fmt.Errorf("column %q: type %s is not written by pages", name, t)
	}
	// The encodings of newConcurrentRowGroupWriter: the levels', the
	// dictionary page's, the data pages', sorted.
	c.encodings = []format.Encoding{format.RLE}
	if c.kind == kindStringDict || c.kind == kindFloatDict {
		c.encodings = addEncoding(c.encodings, format.Plain)
	}
	c.encodings = addEncoding(c.encodings, c.enc.Encoding())
	slices.Sort(c.encodings)
	return c, nil
}

// fix records the encodings chosen (unique, dict; nil: none) and reads
// parquet-go's file without rows written with the same options: its
// footer is this file's but for the row groups.
func (p *pageWriter) fix(unique, dict []bool) error {
	for j, f := range p.s.Fields() {
		c, err := newPageColumn(f.Name, f.Type, unique != nil && unique[j], dict != nil && dict[j])
		if err != nil {
			return err
		}
		p.cols[j] = c
	}
	return p.template(unique, dict)
}

// template is fix without setting p.cols (the column work set them
// already, and may still be reading them).
func (p *pageWriter) template(unique, dict []bool) error {
	opts, err := p.options(unique, dict)
	if err != nil {
		return err
	}
	var tmpl bytes.Buffer
	if err := parquet.NewWriter(&tmpl, opts...).Close(); err != nil {
		return err
	}
	b := tmpl.Bytes()
	if len(b) < 12 {
		return fmt.Errorf("parquet-go wrote %d bytes for an empty file", len(b))
	}
	n := int(binary.LittleEndian.Uint32(b[len(b)-8:]))
	if err := thrift.Unmarshal(new(thrift.CompactProtocol), b[len(b)-8-n:len(b)-8], &p.meta); err != nil {
		return fmt.Errorf("reading parquet-go's footer: %w", err)
	}
	p.tmpl = b
	return nil
}

func addEncoding(es []format.Encoding, e format.Encoding) []format.Encoding {
	for _, x := range es {
		if x == e {
			return es
		}
	}
	return append(es, e)
}

// writeRowGroup writes rows [start, end) of c as a row group: its column
// chunks encoded on up to GOMAXPROCS goroutines (they are independent),
// then written in column order.
func (p *pageWriter) writeRowGroup(c *chunk, start, end int) error {
	workers := min(runtime.GOMAXPROCS(0), len(p.cols))
	if end-start < parallelRows {
		workers = 1
	}
	for len(p.enc) < workers {
		p.enc = append(p.enc, encoders.Get().(*chunkEncoder))
	}
	// The first row group chooses the encodings: each column's work
	// may change its p.cols[j] (one goroutine a column).
	choose := p.tmpl == nil
	errs := make([]error, len(p.cols))
	if workers < 2 {
		for j := range p.cols {
			errs[j] = p.enc[0].encode(p.out[j], &p.cols[j], choose, c, j, start, end)
		}
	} else {
		var next atomic.Int64
		var wg sync.WaitGroup
		for w := range workers {
			wg.Go(func() {
				for j := int(next.Add(1) - 1); j < len(p.cols); j = int(next.Add(1) - 1) {
					errs[j] = p.enc[w].encode(p.out[j], &p.cols[j], choose, c, j, start, end)
				}
			})
		}
		wg.Wait()
	}
	if err := errors.Join(errs...); err != nil {
		return err
	}
	return p.flush(p.out, end-start, choose)
}

// flush writes a row group of rows rows whose column chunks are out (in
// column order), encoded; where choose it is the file's first, whose
// column work chose the encodings (p.cols): parquet-go's footer for them
// is read first (template).
func (p *pageWriter) flush(out []*columnChunk, rows int, choose bool) error {
	if choose {
		unique, dict := make([]bool, len(p.cols)), make([]bool, len(p.cols))
		for j, col := range p.cols {
			unique[j], dict[j] = col.kind == kindStringUnique, col.kind == kindFloatDict
		}
		if err := p.template(unique, dict); err != nil {
			return err
		}
	}
	if p.offset == 0 {
		if err := p.write([]byte("PAR1")); err != nil {
			return err
		}
	}
	rg := format.RowGroup{
		Columns:        make([]format.ColumnChunk, len(p.cols)),
		NumRows:        int64(rows),
		SortingColumns: []format.SortingColumn{},
		FileOffset:     p.offset,
		Ordinal:        int16(len(p.groups)),
	}
	colIdx := make([]format.ColumnIndex, len(p.cols))
	offIdx := make([]format.OffsetIndex, len(p.cols))
	for j := range p.cols {
		o := out[j]
		md := o.meta
		if o.dict != nil {
			md.DictionaryPageOffset = p.offset
			if err := p.write(o.dict); err != nil {
				return err
			}
		}
		md.DataPageOffset = p.offset
		if err := p.write(o.data); err != nil {
			return err
		}
		rg.Columns[j] = format.ColumnChunk{MetaData: md}
		rg.TotalByteSize += md.TotalUncompressedSize
		rg.TotalCompressedSize += md.TotalCompressedSize
		colIdx[j] = o.colIdx
		offIdx[j] = format.OffsetIndex{PageLocations: []format.PageLocation{{
			Offset: md.DataPageOffset, CompressedPageSize: o.dataSize,
		}}}
	}
	p.groups = append(p.groups, rg)
	p.colIdx = append(p.colIdx, colIdx)
	p.offIdx = append(p.offIdx, offIdx)
	return nil
}

func (p *pageWriter) write(b []byte) error {
	n, err := p.w.Write(b)
	p.offset += int64(n)
	return err
}

// close writes the page indexes and the footer (writer.writeFileFooter's
// order: every column index, then every offset index, then the file
// metadata), or parquet-go's empty file when no row group was written.
func (p *pageWriter) close() error {
	defer p.release()
	if p.tmpl == nil {
		return errors.New("the file's encodings were never chosen (no row group written)")
	}
	if len(p.groups) == 0 {
		return p.write(p.tmpl)
	}
	var buf bytes.Buffer
	enc := thrift.NewEncoder(new(thrift.CompactProtocol).NewWriter(&buf))
	flush := func() error {
		err := p.write(buf.Bytes())
		buf.Reset()
		return err
	}
	// index writes each chunk's index of one kind, sets its offset and
	// length.
	index := func(idx func(i, j int) any, at func(c *format.ColumnChunk, off int64, n int32)) error {
		for i := range p.groups {
			for j := range p.groups[i].Columns {
				if err := enc.Encode(idx(i, j)); err != nil {
					return err
				}
				at(&p.groups[i].Columns[j], p.offset, int32(buf.Len()))
				if err := flush(); err != nil {
					return err
				}
			}
		}
		return nil
	}
	err := index(func(i, j int) any { return &p.colIdx[i][j] },
		func(c *format.ColumnChunk, off int64, n int32) { c.ColumnIndexOffset, c.ColumnIndexLength = off, n })
	if err != nil {
		return err
	}
	err = index(func(i, j int) any { return &p.offIdx[i][j] },
		func(c *format.ColumnChunk, off int64, n int32) { c.OffsetIndexOffset, c.OffsetIndexLength = off, n })
	if err != nil {
		return err
	}
	md := p.meta
	md.RowGroups = p.groups
	for _, g := range p.groups {
		md.NumRows += g.NumRows
	}
	if err := enc.Encode(&md); err != nil {
		return err
	}
	n := buf.Len()
	buf.Write(binary.LittleEndian.AppendUint32(nil, uint32(n)))
	buf.WriteString("PAR1")
	return flush()
}

// encoders and chunks keep the buffers of chunkEncoders and columnChunks
// from file to file: allocating them afresh for each file (and the
// garbage collections that follow) cost more than a fifth of writing a
// census response.
var (
	encoders = sync.Pool{New: func() any { return new(chunkEncoder) }}
	chunks   = sync.Pool{New: func() any { return new(columnChunk) }}
)

// release gives p's buffers back to encoders and chunks.
func (p *pageWriter) release() {
	for _, e := range p.enc {
		// Its strings point into the records written: drop them.
		clear(e.strs[:cap(e.strs)])
		encoders.Put(e)
	}
	for _, o := range p.out {
		chunks.Put(o)
	}
	p.enc, p.out = nil, nil
}

// columnChunk is one encoded column chunk: its pages (header and body)
// and what the footer says of it (offsets are set when it is written).
type columnChunk struct {
	dict, data []byte // dict nil: no dictionary page
	dictBuf    []byte // dict's storage, kept when dict is nil
	dataSize   int32  // the data page's bytes, header included
	meta       format.ColumnMetaData
	colIdx     format.ColumnIndex
}

// crc is the page CRC of parquet-go's writer: over the (uncompressed)
// levels and the compressed values.
func crc(levels, values []byte) int32 {
	return int32(crc32.Update(crc32.ChecksumIEEE(levels), crc32.IEEETable, values))
}

var levelEncoding = rle.Encoding{BitWidth: 1}
