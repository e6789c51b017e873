package onestop

import (
	"bufio"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/govpulse/govpulse/collector/workday"
)

// The state file (<state_dir>/<source>.feed.state) holds the cursor and the
// whole aggregation state, so a restart neither loses nor double-counts a
// dossier. It holds no personal data: dossiers appear only as 60-bit hashes
// of their MaHoSo; the rest is agency, field and (with official_late) account
// codes, dates-free counts and due times.
//
// Layout: the magic line, a length-prefixed JSON header (version, cursor,
// code tables, section sizes), binary sections (varints, and fixed 8-byte set
// entries), and a CRC-32 of everything before it. It is written to a temporary
// file in the same directory, fsynced, renamed over the old one, and the
// directory fsynced: a crash leaves either the old state or the new one.

const (
	stateMagic   = "govpulse-feed-state\n"
	stateVersion = 1
	maxHeaderLen = 64 << 20
)

type stateHeader struct {
	Version     int       `json:"version"`
	Source      string    `json:"source"`
	Config      string    `json:"config"` // what must not change under the state
	Cursor      string    `json:"cursor"`
	Year        int       `json:"year"`
	OffMonth    int32     `json:"official_month"`
	SavedAt     time.Time `json:"saved_at"`
	Agencies    []string  `json:"agencies"`
	Fields      []string  `json:"fields"`
	Officials   []string  `json:"officials,omitempty"`
	Keys        int       `json:"keys"`
	Set         int       `json:"set"`
	PrevSet     int       `json:"prev_set"`
	HasPrevSet  bool      `json:"has_prev_set"`
	InProgress  int       `json:"in_progress"`
	OfficialSum int       `json:"official_late"`
	OfficialSet int       `json:"official_seen"`
}

// errStateMismatch: the state belongs to another configuration.
var errStateMismatch = errors.New("state was written for another configuration")

// stateWriter writes varints and fixed words through a CRC.
type stateWriter struct {
	w   *bufio.Writer
	crc hash.Hash32
	buf [binary.MaxVarintLen64]byte
	err error
}

func (w *stateWriter) write(b []byte) {
	if w.err != nil {
		return
	}
	w.crc.Write(b)
	_, w.err = w.w.Write(b)
}

func (w *stateWriter) varint(v int64)   { w.write(binary.AppendVarint(w.buf[:0], v)) }
func (w *stateWriter) uvarint(v uint64) { w.write(binary.AppendUvarint(w.buf[:0], v)) }
func (w *stateWriter) u64(v uint64)     { w.write(binary.LittleEndian.AppendUint64(w.buf[:0], v)) }

// save writes the state atomically to path.
func (a *feedAgg) save(path, sourceName, config string, now time.Time) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("cannot create the state directory: %w", err)
	}
	tmp, err := os.CreateTemp(dir, filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("cannot save the feed state: %w", err)
	}
	defer os.Remove(tmp.Name()) // a no-op after the rename
	if err := a.writeTo(tmp, sourceName, config, now); err != nil {
		tmp.Close()
		return fmt.Errorf("cannot save the feed state: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("cannot save the feed state: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("cannot save the feed state: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("cannot save the feed state: %w", err)
	}
	// The rename is durable only once the directory is.
	if d, err := os.Open(dir); err == nil {
		err = d.Sync()
		d.Close()
		if err != nil {
			return fmt.Errorf("cannot save the feed state: sync %s: %w", dir, err)
		}
	}
	return nil
}

func (a *feedAgg) writeTo(f io.Writer, sourceName, config string, now time.Time) error {
	w := &stateWriter{w: bufio.NewWriterSize(f, 256<<10), crc: crc32.NewIEEE()}
	h := stateHeader{
		Version: stateVersion, Source: sourceName, Config: config, Cursor: a.cursor,
		Year: a.year, OffMonth: a.offMonth, SavedAt: now.UTC(),
		Agencies: a.codes.agencies, Fields: a.codes.fields,
		Keys: len(a.keys), Set: a.set.n, InProgress: len(a.inprog),
		OfficialSum: len(a.offLate), OfficialSet: a.offSeen.n,
	}
	if a.official {
		h.Officials = a.codes.officials
	}
	if a.prevSet != nil {
		h.HasPrevSet, h.PrevSet = true, a.prevSet.n
	}
	hb, err := json.Marshal(h)
	if err != nil {
		return err
	}
	w.write([]byte(stateMagic))
	w.uvarint(uint64(len(hb)))
	w.write(hb)
	for k, ks := range a.keys {
		w.uvarint(uint64(k))
		w.varint(ks.carried)
		for i := range ks.months {
			m := &ks.months[i]
			for _, v := range [...]int64{m.received[0], m.received[1], m.received[2], m.resolved[0], m.resolved[1], m.resolved[2],
				m.withdrawn, m.procSec, m.legalSec, m.timed, m.digitised, m.paidOnline} {
				w.varint(v)
			}
		}
	}
	a.set.each(w.u64)
	if a.prevSet != nil {
		a.prevSet.each(w.u64)
	}
	for h, ip := range a.inprog {
		w.u64(h)
		w.uvarint(uint64(ip.key))
		var fl uint64
		if ip.hasDue {
			fl |= 1
		}
		if ip.supplement {
			fl |= 2
		}
		w.uvarint(fl)
		w.varint(int64(ip.due))
	}
	for k, n := range a.offLate {
		w.uvarint(k)
		w.varint(n)
	}
	a.offSeen.each(w.u64)
	if w.err != nil {
		return w.err
	}
	sum := w.crc.Sum32()
	if _, err := w.w.Write(binary.LittleEndian.AppendUint32(nil, sum)); err != nil {
		return err
	}
	return w.w.Flush()
}

// stateReader reads what stateWriter wrote, checking the CRC at the end.
type stateReader struct {
	r   *bufio.Reader
	crc hash.Hash32
	err error
	buf [8]byte
}

func (r *stateReader) ReadByte() (byte, error) {
	b, err := r.r.ReadByte()
	if err == nil {
		r.buf[0] = b
		r.crc.Write(r.buf[:1])
	}
	return b, err
}

func (r *stateReader) full(b []byte) {
	if r.err != nil {
		return
	}
	if _, err := io.ReadFull(r.r, b); err != nil {
		r.err = err
		return
	}
	r.crc.Write(b)
}

func (r *stateReader) varint() int64 {
	if r.err != nil {
		return 0
	}
	v, err := binary.ReadVarint(r)
	r.err = err
	return v
}

func (r *stateReader) uvarint() uint64 {
	if r.err != nil {
		return 0
	}
	v, err := binary.ReadUvarint(r)
	r.err = err
	return v
}

func (r *stateReader) u64() uint64 {
	r.full(r.buf[:8])
	return binary.LittleEndian.Uint64(r.buf[:8])
}

// loadState reads a state file into a fresh aggregation. Codes that are no
// longer whitelisted are dropped with the counts under them (dropped says how
// many keys went). A missing file returns os.ErrNotExist.
func loadState(path, config string, codes *feedCodes, fresh func() *feedAgg) (a *feedAgg, dropped int, err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, 0, err
	}
	defer f.Close()
	r := &stateReader{r: bufio.NewReaderSize(f, 256<<10), crc: crc32.NewIEEE()}
	magic := make([]byte, len(stateMagic))
	r.full(magic)
	if r.err != nil || string(magic) != stateMagic {
		return nil, 0, errors.New("not a feed state file")
	}
	n := r.uvarint()
	if r.err != nil || n > maxHeaderLen {
		return nil, 0, errors.New("bad header length")
	}
	hb := make([]byte, n)
	r.full(hb)
	var h stateHeader
	if r.err != nil {
		return nil, 0, r.err
	}
	if err := json.Unmarshal(hb, &h); err != nil {
		return nil, 0, fmt.Errorf("bad header: %w", err)
	}
	if h.Version != stateVersion {
		return nil, 0, fmt.Errorf("version %d, want %d", h.Version, stateVersion)
	}
	if h.Config != config {
		return nil, 0, errStateMismatch
	}
	a = fresh()
	a.cursor, a.year, a.offMonth = h.Cursor, h.Year, h.OffMonth

	// Old indexes to current ones (-1: no longer whitelisted).
	remap := func(old []string, idx map[string]int32, emptyIs0 bool) []int32 {
		out := make([]int32, len(old))
		for i, c := range old {
			if j, ok := idx[c]; ok {
				out[i] = j
			} else if c == "" && emptyIs0 {
				out[i] = 0
			} else {
				out[i] = -1
			}
		}
		return out
	}
	agencies := remap(h.Agencies, codes.agencyIdx, false)
	fields := remap(h.Fields, codes.fieldIdx, true)
	mapKey := func(k uint64) (uint32, bool) {
		ai, fi := k>>16, k&0xffff
		if ai >= uint64(len(agencies)) || fi >= uint64(len(fields)) || agencies[ai] < 0 || fields[fi] < 0 {
			return 0, false
		}
		return key(agencies[ai], fields[fi]), true
	}
	officials := make([]int64, len(h.Officials))
	for i, o := range h.Officials {
		officials[i] = codes.official([]byte(o))
	}
	// Sizes are checked against the file before anything is allocated by
	// them: a damaged header must not ask for gigabytes.
	st, err := f.Stat()
	if err != nil {
		return nil, 0, err
	}
	size := st.Size()
	for _, n := range []int{h.Keys, h.Set, h.PrevSet, h.InProgress, h.OfficialSum, h.OfficialSet} {
		if n < 0 || int64(n) > size {
			return nil, 0, errors.New("bad section sizes")
		}
	}
	if int64(h.Set+h.PrevSet+h.OfficialSet)*8 > size {
		return nil, 0, errors.New("bad section sizes")
	}
	for i := 0; i < h.Keys && r.err == nil; i++ {
		k, ok := mapKey(r.uvarint())
		var ks keyStats
		ks.carried = r.varint()
		for m := range ks.months {
			ms := &ks.months[m]
			for _, p := range [...]*int64{&ms.received[0], &ms.received[1], &ms.received[2], &ms.resolved[0], &ms.resolved[1], &ms.resolved[2],
				&ms.withdrawn, &ms.procSec, &ms.legalSec, &ms.timed, &ms.digitised, &ms.paidOnline} {
				*p = r.varint()
			}
		}
		if !ok {
			dropped++
			continue
		}
		// Two old keys may now be one (a field dropped from the whitelist is
		// not merged, but detail changes are refused by the config check).
		addKey(a.stats(k), &ks)
	}
	a.set = newHashSet(h.Set)
	for i := 0; i < h.Set && r.err == nil; i++ {
		v := r.u64()
		if v != 0 {
			a.set.put(v&idMask, uint8(v&flagMask))
		}
	}
	if h.HasPrevSet {
		a.prevSet = newHashSet(h.PrevSet)
		for i := 0; i < h.PrevSet && r.err == nil; i++ {
			v := r.u64()
			if v != 0 {
				a.prevSet.put(v&idMask, uint8(v&flagMask))
			}
		}
	}
	for i := 0; i < h.InProgress && r.err == nil; i++ {
		hh := r.u64()
		k, ok := mapKey(r.uvarint())
		fl := r.uvarint()
		due := r.varint()
		if ok {
			a.inprog[hh] = inProgress{key: k, due: workday.Wall(due), hasDue: fl&1 != 0, supplement: fl&2 != 0}
		}
	}
	for i := 0; i < h.OfficialSum && r.err == nil; i++ {
		k := r.uvarint()
		v := r.varint()
		ai, oi := k>>32, k&0xffffffff
		if ai < uint64(len(agencies)) && agencies[ai] >= 0 && oi < uint64(len(officials)) && officials[oi] >= 0 {
			a.offLate[uint64(agencies[ai])<<32|uint64(officials[oi])] += v
		}
	}
	a.offSeen = newHashSet(h.OfficialSet)
	for i := 0; i < h.OfficialSet && r.err == nil; i++ {
		if v := r.u64(); v != 0 {
			a.offSeen.put(v&idMask, uint8(v&flagMask))
		}
	}
	if r.err != nil {
		return nil, 0, fmt.Errorf("truncated: %w", r.err)
	}
	want := r.crc.Sum32()
	var tail [4]byte
	if _, err := io.ReadFull(r.r, tail[:]); err != nil {
		return nil, 0, errors.New("truncated: no checksum")
	}
	if binary.LittleEndian.Uint32(tail[:]) != want {
		return nil, 0, errors.New("checksum mismatch")
	}
	if _, err := r.r.ReadByte(); err != io.EOF {
		return nil, 0, errors.New("data after the checksum")
	}
	return a, dropped, nil
}

func addKey(dst, src *keyStats) {
	dst.carried += src.carried
	for i := range dst.months {
		addStats(&dst.months[i], &src.months[i])
	}
}
