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
	"io/fs"
	"os"
	"path/filepath"
	"strings"
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
// directory fsynced: a crash leaves either the old state or the new one, and
// perhaps the temporary file, which the source removes when it starts
// (sweepTemps).

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
	_, _ = w.crc.Write(b) // a hash.Hash never returns an error
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
	// A no-op after the rename; before it, the old state stands whatever
	// becomes of the temporary file.
	defer func() { _ = os.Remove(tmp.Name()) }()
	if err := a.writeTo(tmp, sourceName, config, now); err != nil {
		_ = tmp.Close() // the write error is the one to report
		return fmt.Errorf("cannot save the feed state: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		_ = tmp.Close() // the sync error is the one to report
		return fmt.Errorf("cannot save the feed state: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("cannot save the feed state: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("cannot save the feed state: %w", err)
	}
	// The rename is durable only once the directory is.
	if d, err := os.Open(dir); err == nil { //nolint:gosec // G304: the configured state directory
		err = d.Sync()
		_ = d.Close() // read-only: Sync above reported what matters
		if err != nil {
			return fmt.Errorf("cannot save the feed state: sync %s: %w", dir, err)
		}
	}
	return nil
}

// tempPrefix starts the names of the temporary files save writes for the
// state file base: os.CreateTemp puts digits in place of its "*".
func tempPrefix(base string) string { return base + ".tmp-" }

// leftoverTemps lists the temporary files interrupted saves of the state file
// at path left behind: regular files in its directory named as save names
// them (<base>.tmp-<digits>), and nothing else — not another source's, not
// the .bad copy, not a file someone named alike by hand.
func leftoverTemps(path string) ([]string, error) {
	dir, prefix := filepath.Dir(path), tempPrefix(filepath.Base(path))
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range ents {
		rest, ok := strings.CutPrefix(e.Name(), prefix)
		if ok && rest != "" && strings.Trim(rest, "0123456789") == "" && e.Type().IsRegular() {
			out = append(out, filepath.Join(dir, e.Name()))
		}
	}
	return out, nil
}

// sweepTemps removes the temporary files left by saves of the source's state
// file that a crash or a kill interrupted between CreateTemp and the rename
// (a save that fails on its own removes its file). It runs once, before the
// first load: by then no earlier Source with this state file is running (a
// reload stops the old sources before the new ones run), so no temporary
// file is in use. A file it cannot remove is a warning; the state file is
// untouched either way.
func (f *feedSource) sweepTemps(remove func(string) error) {
	if f.statePath == "" {
		return
	}
	temps, err := leftoverTemps(f.statePath)
	if err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			f.log.Warn("cannot look for temporary files of interrupted state saves", "state_file", f.statePath, "err", err)
		}
		return
	}
	removed, failed := 0, 0
	var firstErr error
	for _, p := range temps {
		if err := remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			failed++
			if firstErr == nil {
				firstErr = err
			}
			continue
		}
		removed++
	}
	if removed > 0 {
		f.log.Info("removed temporary files of interrupted state saves", "state_file", f.statePath, "files", removed)
	}
	if failed > 0 {
		f.log.Warn("cannot remove temporary files of interrupted state saves", "state_file", f.statePath, "files", failed, "err", firstErr)
	}
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
		_, _ = r.crc.Write(r.buf[:1]) // a hash.Hash never returns an error
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
	_, _ = r.crc.Write(b) // a hash.Hash never returns an error
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
	f, err := os.Open(path) //nolint:gosec // G304: the configured state file
	if err != nil {
		return nil, 0, err
	}
	defer func() { _ = f.Close() }() // read-only: nothing to lose on close
	r := &stateReader{r: bufio.NewReaderSize(f, 256<<10), crc: crc32.NewIEEE()}
	h, err := r.header(config)
	if err != nil {
		return nil, 0, err
	}
	a = fresh()
	a.cursor, a.year, a.offMonth = h.Cursor, h.Year, h.OffMonth
	m := newStateRemap(&h, codes)
	// Sizes are checked against the file before anything is allocated by
	// them: a damaged header must not ask for gigabytes.
	st, err := f.Stat()
	if err != nil {
		return nil, 0, err
	}
	if err := h.checkSizes(st.Size()); err != nil {
		return nil, 0, err
	}
	dropped = r.keys(a, h.Keys, m)
	a.set = r.hashSet(h.Set)
	if h.HasPrevSet {
		a.prevSet = r.hashSet(h.PrevSet)
	}
	r.inProgress(a, h.InProgress, m)
	r.officialLate(a, h.OfficialSum, m)
	a.offSeen = r.hashSet(h.OfficialSet)
	if err := r.end(); err != nil {
		return nil, 0, err
	}
	return a, dropped, nil
}

// header reads the magic line and the JSON header, and refuses a state of
// another version or configuration.
func (r *stateReader) header(config string) (stateHeader, error) {
	var h stateHeader
	magic := make([]byte, len(stateMagic))
	r.full(magic)
	if r.err != nil || string(magic) != stateMagic {
		return h, errors.New("not a feed state file")
	}
	n := r.uvarint()
	if r.err != nil || n > maxHeaderLen {
		return h, errors.New("bad header length")
	}
	hb := make([]byte, n)
	r.full(hb)
	if r.err != nil {
		return h, r.err
	}
	if err := json.Unmarshal(hb, &h); err != nil {
		return h, fmt.Errorf("bad header: %w", err)
	}
	if h.Version != stateVersion {
		return h, fmt.Errorf("version %d, want %d", h.Version, stateVersion)
	}
	if h.Config != config {
		return h, errStateMismatch
	}
	return h, nil
}

// checkSizes refuses section sizes the file of size bytes cannot hold.
func (h *stateHeader) checkSizes(size int64) error {
	for _, n := range []int{h.Keys, h.Set, h.PrevSet, h.InProgress, h.OfficialSum, h.OfficialSet} {
		if n < 0 || int64(n) > size {
			return errors.New("bad section sizes")
		}
	}
	if int64(h.Set+h.PrevSet+h.OfficialSet)*8 > size {
		return errors.New("bad section sizes")
	}
	return nil
}

// stateRemap maps the state's code indexes to the current ones (-1: no
// longer whitelisted).
type stateRemap struct {
	agencies, fields []int32
	officials        []int64
}

func newStateRemap(h *stateHeader, codes *feedCodes) *stateRemap {
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
	m := &stateRemap{
		agencies:  remap(h.Agencies, codes.agencyIdx, false),
		fields:    remap(h.Fields, codes.fieldIdx, true),
		officials: make([]int64, len(h.Officials)),
	}
	for i, o := range h.Officials {
		m.officials[i] = codes.official([]byte(o))
	}
	return m
}

// key maps an (agency, field) key; false when either is gone.
func (m *stateRemap) key(k uint64) (uint32, bool) {
	ai, fi := k>>16, k&0xffff
	if ai >= uint64(len(m.agencies)) || fi >= uint64(len(m.fields)) || m.agencies[ai] < 0 || m.fields[fi] < 0 {
		return 0, false
	}
	return key(m.agencies[ai], m.fields[fi]), true
}

// officialKey maps an (agency, official) key; false when either is gone.
func (m *stateRemap) officialKey(k uint64) (uint64, bool) {
	ai, oi := k>>32, k&0xffffffff
	if ai < uint64(len(m.agencies)) && m.agencies[ai] >= 0 && oi < uint64(len(m.officials)) && m.officials[oi] >= 0 {
		return uint64(m.agencies[ai])<<32 | uint64(m.officials[oi]), true
	}
	return 0, false
}

// keys reads n per-key counts into a and returns how many were dropped.
func (r *stateReader) keys(a *feedAgg, n int, m *stateRemap) (dropped int) {
	for i := 0; i < n && r.err == nil; i++ {
		k, ok := m.key(r.uvarint())
		var ks keyStats
		ks.carried = r.varint()
		for j := range ks.months {
			ms := &ks.months[j]
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
	return dropped
}

// hashSet reads a set of n entries (0 entries are empty slots).
func (r *stateReader) hashSet(n int) *hashSet {
	set := newHashSet(n)
	for i := 0; i < n && r.err == nil; i++ {
		if v := r.u64(); v != 0 {
			set.put(v&idMask, uint8(v&flagMask))
		}
	}
	return set
}

// inProgress reads n in-progress dossiers into a, dropping those whose key
// is gone.
func (r *stateReader) inProgress(a *feedAgg, n int, m *stateRemap) {
	for i := 0; i < n && r.err == nil; i++ {
		hh := r.u64()
		k, ok := m.key(r.uvarint())
		fl := r.uvarint()
		due := r.varint()
		if ok {
			a.inprog[hh] = inProgress{key: k, due: workday.Wall(due), hasDue: fl&1 != 0, supplement: fl&2 != 0}
		}
	}
}

// officialLate reads n per-official late counts into a.
func (r *stateReader) officialLate(a *feedAgg, n int, m *stateRemap) {
	for i := 0; i < n && r.err == nil; i++ {
		k := r.uvarint()
		v := r.varint()
		if mk, ok := m.officialKey(k); ok {
			a.offLate[mk] += v
		}
	}
}

// end checks that the sections were whole, the CRC and that nothing follows.
func (r *stateReader) end() error {
	if r.err != nil {
		return fmt.Errorf("truncated: %w", r.err)
	}
	want := r.crc.Sum32()
	var tail [4]byte
	if _, err := io.ReadFull(r.r, tail[:]); err != nil {
		return errors.New("truncated: no checksum")
	}
	if binary.LittleEndian.Uint32(tail[:]) != want {
		return errors.New("checksum mismatch")
	}
	if _, err := r.r.ReadByte(); !errors.Is(err, io.EOF) {
		return errors.New("data after the checksum")
	}
	return nil
}

func addKey(dst, src *keyStats) {
	dst.carried += src.carried
	for i := range dst.months {
		addStats(&dst.months[i], &src.months[i])
	}
}
