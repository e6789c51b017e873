package sheet

import (
	"bufio"
	"bytes"
	"errors"
	"io"
)

// tagScanner walks the tags of an XML stream in constant memory, so that a
// part can be measured before excelize decodes it whole: it keeps one tag
// (at most maxTagBytes) and counts character data without storing it. It is
// deliberately rougher than encoding/xml (no well-formedness checks); where
// the two could disagree it sees more tags or longer text, never fewer.
type tagScanner struct {
	r *bufio.Reader
	// pos is the offset just past the current tag; start is where it began.
	pos, start int64
	// text is the character data (CDATA included) before the current tag.
	text int64
	raw  []byte
	// local is the tag's name without a namespace prefix.
	local      []byte
	end, empty bool
}

// maxTagBytes caps one tag with its attributes: legit tags are tens of bytes,
// and excelize would hold a huge attribute in memory more than once.
const maxTagBytes = 64 << 10

var errTagTooLong = errors.New("an XML tag longer than 64 KiB")

func newTagScanner(r io.Reader) *tagScanner {
	return &tagScanner{r: bufio.NewReaderSize(r, 32<<10)}
}

func (s *tagScanner) readByte() (byte, error) {
	b, err := s.r.ReadByte()
	if err == nil {
		s.pos++
	}
	return b, err
}

// skipPast reads up to and including end (at most 3 bytes), counting what
// it skipped as text when count is set.
func (s *tagScanner) skipPast(end string, count bool) error {
	var last [3]byte
	n := len(end)
	for read := 1; ; read++ {
		b, err := s.readByte()
		if err != nil {
			return err
		}
		copy(last[:n-1], last[1:n])
		last[n-1] = b
		if read >= n && string(last[:n]) == end {
			if count {
				s.text += int64(read - n)
			}
			return nil
		}
	}
}

// next moves to the next start, end or empty-element tag; it returns false at
// the end of the stream. Comments, processing instructions and declarations
// are skipped; CDATA counts as text.
func (s *tagScanner) next() (bool, error) {
	s.text = 0
	for {
		b, err := s.readByte()
		if errors.Is(err, io.EOF) {
			return false, nil
		}
		if err != nil {
			return false, err
		}
		if b != '<' {
			s.text++
			continue
		}
		s.start = s.pos - 1
		c, err := s.r.Peek(1)
		if err != nil {
			return false, nil // a lone '<' at the end
		}
		switch c[0] {
		case '?':
			if err := s.skipPast("?>", false); err != nil {
				return false, s.eof(err)
			}
			continue
		case '!':
			p, _ := s.r.Peek(8)
			switch {
			case bytes.HasPrefix(p, []byte("!--")):
				err = s.skipPast("-->", false)
			case bytes.HasPrefix(p, []byte("![CDATA[")):
				if _, err = s.r.Discard(8); err == nil {
					s.pos += 8
					err = s.skipPast("]]>", true)
				}
			default:
				err = s.skipPast(">", false)
			}
			if err != nil {
				return false, s.eof(err)
			}
			continue
		}
		return true, s.readTag()
	}
}

func (s *tagScanner) eof(err error) error {
	if errors.Is(err, io.EOF) {
		return nil
	}
	return err
}

// readTag reads the rest of a tag after '<', quotes respected.
func (s *tagScanner) readTag() error {
	s.raw = s.raw[:0]
	var quote byte
	for {
		b, err := s.readByte()
		if err != nil {
			return s.eof(err)
		}
		if quote == 0 && b == '>' {
			break
		}
		switch {
		case quote == 0 && (b == '"' || b == '\''):
			quote = b
		case b == quote:
			quote = 0
		}
		if len(s.raw) == maxTagBytes {
			return errTagTooLong
		}
		s.raw = append(s.raw, b)
	}
	raw := s.raw
	s.end = len(raw) > 0 && raw[0] == '/'
	if s.end {
		raw = raw[1:]
	}
	s.empty = !s.end && len(raw) > 0 && raw[len(raw)-1] == '/'
	n := 0
	for n < len(raw) && !isXMLSpace(raw[n]) && raw[n] != '/' {
		n++
	}
	s.local = raw[:n]
	if i := bytes.LastIndexByte(s.local, ':'); i >= 0 {
		s.local = s.local[i+1:]
	}
	return nil
}

func isXMLSpace(b byte) bool { return b == ' ' || b == '\t' || b == '\n' || b == '\r' }

// is reports whether the current tag is a start (or empty) tag named local.
func (s *tagScanner) is(local string) bool {
	return !s.end && string(s.local) == local
}

// attr returns the raw value of the current tag's attribute whose local name
// is local.
func (s *tagScanner) attr(local string) ([]byte, bool) {
	i := bytes.IndexAny(s.raw, " \t\r\n")
	if i < 0 {
		return nil, false
	}
	raw := s.raw[i:]
	for {
		raw = bytes.TrimLeft(raw, " \t\r\n")
		eq := bytes.IndexByte(raw, '=')
		if eq < 0 {
			return nil, false
		}
		name := bytes.TrimRight(raw[:eq], " \t\r\n")
		if i := bytes.LastIndexByte(name, ':'); i >= 0 {
			name = name[i+1:]
		}
		raw = bytes.TrimLeft(raw[eq+1:], " \t\r\n")
		if len(raw) == 0 || (raw[0] != '"' && raw[0] != '\'') {
			return nil, false
		}
		q := raw[0]
		stop := bytes.IndexByte(raw[1:], q)
		if stop < 0 {
			return nil, false
		}
		if string(name) == local {
			return raw[1 : 1+stop], true
		}
		raw = raw[stop+2:]
	}
}
