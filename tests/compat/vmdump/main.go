// vmdump decodes a VictoriaMetrics 1.72 cluster storage directory with VictoriaMetrics' own
// packages where they exist for this format in the available module version (lib/mergeset
// reads every indexdb table; lib/encoding, lib/decimal and lib/storage.MetricName decode the
// blocks and metric names). Only the fixed-width framing of data parts (metaindex rows and
// 89-byte block headers, docs/format.md "Data parts") and the index item layouts
// (docs/format.md "indexdb items") are parsed here. It writes three files:
//
//	-rows:   metric,timestamp_ms,value_bits for every stored sample
//	-blocks: one line per block: partition, part shape, metric, TSID hints, header fields and
//	         the raw timestamps/values payloads (offsets and MetricIDs left out)
//	-index:  one line per index entry, MetricIDs replaced by the metric name they map to
//
// so that two directories built from the same input (one by vmengine, one by VictoriaMetrics)
// can be compared. Opening the tables writes into the directory: run it on a copy.
package main

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/VictoriaMetrics/VictoriaMetrics/lib/decimal"
	"github.com/VictoriaMetrics/VictoriaMetrics/lib/encoding"
	"github.com/VictoriaMetrics/VictoriaMetrics/lib/logger"
	"github.com/VictoriaMetrics/VictoriaMetrics/lib/mergeset"
	"github.com/VictoriaMetrics/VictoriaMetrics/lib/storage"
)

var (
	dataPath   = flag.String("data", "", "storage directory (a copy)")
	rowsPath   = flag.String("rows", "", "output file for rows")
	blocksPath = flag.String("blocks", "", "output file for blocks")
	indexPath  = flag.String("index", "", "output file for index entries")
)

const (
	tsidSize        = 32
	blockHeaderSize = 89
	metaindexSize   = 64
)

var problems []string

func problemf(format string, args ...interface{}) {
	problems = append(problems, fmt.Sprintf(format, args...))
}

func fatalf(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "vmdump: "+format+"\n", args...)
	os.Exit(1)
}

func canonical(mn *storage.MetricName) string {
	tags := append([]storage.Tag(nil), mn.Tags...)
	sort.SliceStable(tags, func(i, j int) bool { return string(tags[i].Key) < string(tags[j].Key) })
	var b strings.Builder
	b.Write(mn.MetricGroup)
	b.WriteByte('{')
	for i, t := range tags {
		if i > 0 {
			b.WriteByte(',')
		}
		b.Write(t.Key)
		b.WriteByte('=')
		b.WriteString(strconv.Quote(string(t.Value)))
	}
	b.WriteByte('}')
	return b.String()
}

// parseName decodes a MetricName marshaled without AccountID/ProjectID.
func parseName(src []byte) (string, error) {
	var mn storage.MetricName
	if err := mn.Unmarshal(src); err != nil {
		return "", err
	}
	return canonical(&mn), nil
}

type dumper struct {
	names map[uint64]string
}

func (d *dumper) mid(id uint64) string {
	if name, ok := d.names[id]; ok {
		return name
	}
	return fmt.Sprintf("?metricID=%d", id)
}

func u32(b []byte) uint32 { return binary.BigEndian.Uint32(b) }
func u64(b []byte) uint64 { return binary.BigEndian.Uint64(b) }
func i64zz(b []byte) int64 {
	u := binary.BigEndian.Uint64(b)
	return int64(u>>1) ^ -int64(u&1)
}
func i16zz(b []byte) int16 {
	u := binary.BigEndian.Uint16(b)
	return int16(u>>1) ^ -int16(u&1)
}

// tsidHints prints the TSID without its MetricID.
func tsidHints(t []byte) string {
	return fmt.Sprintf("%d:%d/%016x/%08x/%08x", u32(t), u32(t[4:]), u64(t[8:]), u32(t[16:]), u32(t[20:]))
}

func readTables(dir string) [][]byte {
	entries, err := os.ReadDir(filepath.Join(dir, "indexdb"))
	if err != nil {
		fatalf("%s", err)
	}
	var items [][]byte
	for _, e := range entries {
		if !e.IsDir() || e.Name() == "snapshots" {
			continue
		}
		path := filepath.Join(dir, "indexdb", e.Name())
		tb, err := mergeset.OpenTable(path, nil, nil)
		if err != nil {
			fatalf("mergeset.OpenTable(%s): %s", path, err)
		}
		var ts mergeset.TableSearch
		ts.Init(tb)
		ts.Seek(nil)
		n := 0
		var prev []byte
		for ts.NextItem() {
			item := append([]byte(nil), ts.Item...)
			if prev != nil && bytes.Compare(prev, item) > 0 {
				problemf("indexdb table %s: items out of order at item %d", e.Name(), n)
			}
			prev = item
			items = append(items, item)
			n++
		}
		if err := ts.Error(); err != nil {
			fatalf("reading indexdb table %s: %s", path, err)
		}
		ts.MustClose()
		tb.MustClose()
		fmt.Fprintf(os.Stderr, "vmdump: indexdb table %s: %d items\n", e.Name(), n)
	}
	return items
}

// splitTag splits "tagKeyPart tagValuePart metricIDs..." at the second unescaped 0x01.
func splitTag(rest []byte) ([]byte, []byte, bool) {
	i := bytes.IndexByte(rest, 1)
	if i < 0 {
		return nil, nil, false
	}
	j := bytes.IndexByte(rest[i+1:], 1)
	if j < 0 {
		return nil, nil, false
	}
	end := i + 1 + j + 1
	if (len(rest)-end)%8 != 0 || len(rest) == end {
		return nil, nil, false
	}
	return rest[:end], rest[end:], true
}

func (d *dumper) indexLines(items [][]byte) []string {
	d.names = make(map[uint64]string)
	for _, it := range items {
		if len(it) >= 25 && it[0] == 3 {
			// 03 | tenant | MetricID | MetricName.Marshal(), which repeats the tenant.
			name, err := parseName(it[25:])
			if err != nil {
				problemf("ns3 item %x: %s", it, err)
				continue
			}
			d.names[u64(it[9:])] = name
		}
	}
	set := make(map[string]struct{})
	add := func(s string) { set[s] = struct{}{} }
	for _, it := range items {
		bad := func() { add("? " + hex.EncodeToString(it)) }
		if len(it) == 0 {
			bad()
			continue
		}
		if it[0] == 4 {
			if len(it) != 9 {
				bad()
				continue
			}
			add("4 " + d.mid(u64(it[1:])))
			continue
		}
		if len(it) < 9 {
			bad()
			continue
		}
		tenant := fmt.Sprintf("%d:%d", u32(it[1:]), u32(it[5:]))
		rest := it[9:]
		switch it[0] {
		case 0:
			if len(rest) < tsidSize+1 || rest[len(rest)-tsidSize-1] != 2 {
				bad()
				continue
			}
			name, err := parseName(rest[:len(rest)-tsidSize-1])
			if err != nil {
				bad()
				continue
			}
			t := rest[len(rest)-tsidSize:]
			add(fmt.Sprintf("0 %s %s tsid=%s %s", tenant, name, tsidHints(t), d.mid(u64(t[24:]))))
		case 1, 6:
			prefix := ""
			if it[0] == 6 {
				if len(rest) < 8 {
					bad()
					continue
				}
				prefix = fmt.Sprintf(" date=%d", u64(rest))
				rest = rest[8:]
			}
			kv, ids, ok := splitTag(rest)
			if !ok {
				bad()
				continue
			}
			for k := 0; k < len(ids); k += 8 {
				add(fmt.Sprintf("%d %s%s %x %s", it[0], tenant, prefix, kv, d.mid(u64(ids[k:]))))
			}
		case 2:
			if len(rest) != 8+tsidSize {
				bad()
				continue
			}
			t := rest[8:]
			add(fmt.Sprintf("2 %s %s tsid=%s %s", tenant, d.mid(u64(rest)), tsidHints(t), d.mid(u64(t[24:]))))
		case 3:
			add(fmt.Sprintf("3 %s %s", tenant, d.mid(u64(rest))))
		case 5:
			if len(rest) != 16 {
				bad()
				continue
			}
			add(fmt.Sprintf("5 %s date=%d %s", tenant, u64(rest), d.mid(u64(rest[8:]))))
		default:
			bad()
		}
	}
	lines := make([]string, 0, len(set))
	for s := range set {
		lines = append(lines, s)
	}
	sort.Strings(lines)
	return lines
}

type series struct {
	ts     []int64
	values []float64
}

func (d *dumper) readPart(partition, kind, path string, rows map[string]*series) []string {
	fields := strings.Split(filepath.Base(path), "_")
	shape := strings.Join(fields[:4], "_")
	read := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join(path, name))
		if err != nil {
			fatalf("%s", err)
		}
		return b
	}
	timestampsBin, valuesBin, indexBin := read("timestamps.bin"), read("values.bin"), read("index.bin")
	meta, err := encoding.DecompressZSTD(nil, read("metaindex.bin"))
	if err != nil || len(meta)%metaindexSize != 0 || len(meta) == 0 {
		fatalf("%s/metaindex.bin: cannot decode (%v, %d bytes)", path, err, len(meta))
	}
	var lines []string
	totalRows, totalBlocks := 0, 0
	for m := 0; m < len(meta); m += metaindexSize {
		row := meta[m : m+metaindexSize]
		count := int(u32(row[32:]))
		off, size := u64(row[52:]), uint64(u32(row[60:]))
		if off+size > uint64(len(indexBin)) {
			fatalf("%s/index.bin: index block %d past the end", path, m/metaindexSize)
		}
		hdrs, err := encoding.DecompressZSTD(nil, indexBin[off:off+size])
		if err != nil || len(hdrs) != count*blockHeaderSize {
			fatalf("%s/index.bin: index block at %d: %v, %d bytes for %d headers", path, off, err, len(hdrs), count)
		}
		for h := 0; h < len(hdrs); h += blockHeaderSize {
			bh := hdrs[h : h+blockHeaderSize]
			minTs, maxTs, first := i64zz(bh[32:]), i64zz(bh[40:]), i64zz(bh[48:])
			tsOff, vOff := u64(bh[56:]), u64(bh[64:])
			tsSize, vSize, n := uint64(u32(bh[72:])), uint64(u32(bh[76:])), int(u32(bh[80:]))
			scale := i16zz(bh[84:])
			tmt, vmt, pb := bh[86], bh[87], bh[88]
			if tsOff+tsSize > uint64(len(timestampsBin)) || vOff+vSize > uint64(len(valuesBin)) {
				fatalf("%s: block %d: payload past the end of the file", path, totalBlocks)
			}
			tsData, vData := timestampsBin[tsOff:tsOff+tsSize], valuesBin[vOff:vOff+vSize]
			name := d.mid(u64(bh[24:]))
			timestamps, err := encoding.UnmarshalTimestamps(nil, tsData, encoding.MarshalType(tmt), minTs, n)
			if err != nil {
				fatalf("%s: block %d (%s): timestamps: %s", path, totalBlocks, name, err)
			}
			mantissas, err := encoding.UnmarshalValues(nil, vData, encoding.MarshalType(vmt), first, n)
			if err != nil {
				fatalf("%s: block %d (%s): values: %s", path, totalBlocks, name, err)
			}
			values := decimal.AppendDecimalToFloat(nil, mantissas, scale)
			if len(timestamps) != n || len(values) != n || timestamps[0] != minTs || timestamps[n-1] != maxTs {
				problemf("%s: block %d (%s): header min/max/rows disagree with its payload", path, totalBlocks, name)
			}
			lines = append(lines, fmt.Sprintf("%s %s %s %s tsid=%s min=%d max=%d first=%d rows=%d scale=%d types=%d/%d pb=%d ts=%x v=%x",
				partition, kind, shape, name, tsidHints(bh), minTs, maxTs, first, n, scale, tmt, vmt, pb, tsData, vData))
			s := rows[name]
			if s == nil {
				s = &series{}
				rows[name] = s
			}
			s.ts = append(s.ts, timestamps...)
			s.values = append(s.values, values...)
			totalRows += n
			totalBlocks++
		}
	}
	if fmt.Sprintf("%d_%d", totalRows, totalBlocks) != fields[0]+"_"+fields[1] {
		problemf("%s: the name says %s_%s rows_blocks, the part holds %d_%d", path, fields[0], fields[1], totalRows, totalBlocks)
	}
	return lines
}

func (d *dumper) readData(dir string, rows map[string]*series) []string {
	var lines []string
	for _, kind := range []string{"small", "big"} {
		partitions, err := os.ReadDir(filepath.Join(dir, "data", kind))
		if os.IsNotExist(err) {
			continue
		}
		if err != nil {
			fatalf("%s", err)
		}
		for _, p := range partitions {
			if !p.IsDir() || p.Name() == "snapshots" {
				continue
			}
			parts, err := os.ReadDir(filepath.Join(dir, "data", kind, p.Name()))
			if err != nil {
				fatalf("%s", err)
			}
			for _, part := range parts {
				if !part.IsDir() || strings.Count(part.Name(), "_") != 4 {
					continue
				}
				lines = append(lines, d.readPart(p.Name(), kind, filepath.Join(dir, "data", kind, p.Name(), part.Name()), rows)...)
			}
		}
	}
	sort.Strings(lines)
	return lines
}

func writeLines(path string, lines []string) {
	f, err := os.Create(path)
	if err != nil {
		fatalf("%s", err)
	}
	w := bufio.NewWriter(f)
	for _, l := range lines {
		w.WriteString(l)
		w.WriteByte('\n')
	}
	if err := w.Flush(); err != nil {
		fatalf("%s", err)
	}
	f.Close()
}

func main() {
	flag.Parse()
	logger.Init()
	if *dataPath == "" || *rowsPath == "" || *blocksPath == "" || *indexPath == "" {
		fatalf("usage: vmdump -data DIR -rows OUT -blocks OUT -index OUT")
	}
	var d dumper
	index := d.indexLines(readTables(*dataPath))
	rows := make(map[string]*series)
	blocks := d.readData(*dataPath, rows)

	var rowLines []string
	for name, s := range rows {
		for i, ts := range s.ts {
			rowLines = append(rowLines, fmt.Sprintf("%s,%d,%016x", name, ts, math.Float64bits(s.values[i])))
		}
	}
	writeLines(*indexPath, index)
	writeLines(*blocksPath, blocks)
	writeLines(*rowsPath, rowLines)
	fmt.Fprintf(os.Stderr, "vmdump: %d index entries, %d blocks, %d series, %d rows\n", len(index), len(blocks), len(rows), len(rowLines))
	if len(problems) > 0 {
		for _, p := range problems {
			fmt.Fprintf(os.Stderr, "vmdump: problem: %s\n", p)
		}
		os.Exit(1)
	}
}
