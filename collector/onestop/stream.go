package onestop

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/govpulse/govpulse/collector/catalog"
	"github.com/govpulse/govpulse/collector/source"
)

// A mapping body is walked with encoding/json's tokenizer instead of being
// decoded into `any`: only the values on the mapping's paths are decoded,
// the items one at a time, and everything else is stepped over token by
// token. Memory is one item whatever the body's size; decoding a 60 MB
// report into `any` took about 1 GB.
//
// The result is exactly that of decoding the body into `any` and looking the
// paths up (stream_ref_test.go holds that reference and checks it), including
// the JSON rule that of two equal keys the last wins: entering a value resets
// whatever was captured beneath it before.

// Values captured from the body (beside the items).
const (
	slotSuccess = iota
	slotErrMsg
	slotPeriod
	slotPages
	nSlots
)

var slotNames = [nSlots]string{"success_path", "error_message_path", "period_path", "pagination.total_pages_path"}

// pathNode is a step of the paths wanted in a body.
type pathNode struct {
	keys  map[string]*pathNode
	index map[int]*pathNode
	// items: the value here is the array of rows.
	items bool
	// capture: the value here is decoded whole, and the slots at or below it
	// are looked up in it (rest is each one's path relative to this node).
	capture []slotRef
	// below lists the slots at or under this node, and itemsBelow whether the
	// items are: entering the node clears them (the last equal key wins).
	below      []int
	itemsBelow bool
}

type slotRef struct {
	slot int
	rest path
}

func (n *pathNode) child(s step, create bool) *pathNode {
	if s.index < 0 {
		c := n.keys[s.key]
		if c == nil && create {
			if n.keys == nil {
				n.keys = make(map[string]*pathNode)
			}
			c = &pathNode{}
			n.keys[s.key] = c
		}
		return c
	}
	c := n.index[s.index]
	if c == nil && create {
		if n.index == nil {
			n.index = make(map[int]*pathNode)
		}
		c = &pathNode{}
		n.index[s.index] = c
	}
	return c
}

// buildTree makes the tree of the items path and the slot paths. A slot path
// may not lead to the items or to a value holding them (that value would be
// decoded whole, defeating the walk) nor through the items (rows are looked
// up one by one, not as an array); the period path is the one exception to
// the latter: it is looked up in each row as well, so below the items it is
// simply not a body-level tag.
func buildTree(items path, slots [nSlots]path) (*pathNode, error) {
	root, slot, err := tree(items, slots)
	if err != nil {
		return nil, fmt.Errorf("%s %w", slotNames[slot], err)
	}
	return root, nil
}

// tree is buildTree; on error it also returns the offending slot.
func tree(items path, slots [nSlots]path) (*pathNode, int, error) {
	root := &pathNode{}
	n := root
	n.itemsBelow = true
	for _, s := range items {
		n = n.child(s, true)
		n.itemsBelow = true
	}
	n.items = true
	// Capture nodes first, deepest last, so a slot under another's capture
	// joins it.
	for slot, p := range slots {
		if p == nil {
			continue
		}
		n := root
		n.below = append(n.below, slot)
		for _, s := range p {
			if n.items {
				if slot == slotPeriod {
					n = nil
					break
				}
				return nil, slot, errors.New("goes through the items at items_path: name a value outside the rows")
			}
			n = n.child(s, true)
			n.below = append(n.below, slot)
		}
		if n == nil {
			continue
		}
		if n.itemsBelow {
			return nil, slot, errors.New("names the items or a value holding them: name a single value")
		}
		n.capture = append(n.capture, slotRef{slot: slot})
	}
	// A capture under another capture is looked up in the outer value.
	var fold func(n *pathNode, outer *pathNode, rel path)
	fold = func(n *pathNode, outer *pathNode, rel path) {
		if outer == nil && len(n.capture) > 0 {
			outer, rel = n, nil
		} else if outer != nil && n != outer {
			for _, c := range n.capture {
				outer.capture = append(outer.capture, slotRef{slot: c.slot, rest: append(path(nil), rel...)})
			}
			n.capture = nil
		}
		for k, c := range n.keys {
			fold(c, outer, append(rel, step{key: k, index: -1}))
		}
		for i, c := range n.index {
			fold(c, outer, append(rel, step{index: i}))
		}
	}
	fold(root, nil, nil)
	return root, 0, nil
}

// maxSkipDepth matches encoding/json's own nesting limit, so a body the
// reference decoder refuses is refused here too.
const maxSkipDepth = 10000

// bodyWalk holds what one walk found.
type bodyWalk struct {
	dec   *json.Decoder
	vals  [nSlots]any
	found [nSlots]bool
	// itemsKind: 0 not found, 1 array, 2 null, 3 another value.
	itemsKind int
	// item is called for each row, in order, with its index; reset when the
	// items are entered (again).
	item  func(i int, v any)
	reset func()
}

func walkBody(r io.Reader, root *pathNode, w *bodyWalk) error {
	w.dec = json.NewDecoder(r)
	w.dec.UseNumber()
	if err := w.value(root, 0); err != nil {
		if se := (*source.Error)(nil); errors.As(err, &se) {
			return err // the read failed (too large, timeout): not the JSON
		}
		return source.Errorf(catalog.ReasonDecode, "malformed JSON: %w", err)
	}
	return nil
}

// readErr keeps a classified read error (too large, timeout) as it is.
func readErr(err error) error {
	if errors.Is(err, io.EOF) {
		return io.ErrUnexpectedEOF
	}
	return err
}

func (w *bodyWalk) enter(n *pathNode) {
	for _, s := range n.below {
		w.found[s], w.vals[s] = false, nil
	}
	if n.itemsBelow {
		w.itemsKind = 0
		w.reset()
	}
}

// value reads the value at n (nil: not wanted).
func (w *bodyWalk) value(n *pathNode, depth int) error {
	if n == nil {
		return w.skip(depth)
	}
	w.enter(n)
	if len(n.capture) > 0 {
		var v any
		if err := w.dec.Decode(&v); err != nil {
			return err
		}
		for _, c := range n.capture {
			w.vals[c.slot], w.found[c.slot] = c.rest.get(v)
		}
		return nil
	}
	tok, err := w.dec.Token()
	if err != nil {
		if depth == 0 && errors.Is(err, io.EOF) {
			return err
		}
		return readErr(err)
	}
	d, isDelim := tok.(json.Delim)
	switch {
	case n.items && isDelim && d == '[':
		w.itemsKind = 1
		for i := 0; w.dec.More(); i++ {
			var it any
			if err := w.dec.Decode(&it); err != nil {
				return err
			}
			w.item(i, it)
		}
		return w.end()
	case n.items && tok == nil:
		w.itemsKind = 2
		return nil
	case n.items:
		w.itemsKind = 3
		return w.rest(tok, depth)
	case isDelim && d == '{':
		for w.dec.More() {
			k, err := w.dec.Token()
			if err != nil {
				return readErr(err)
			}
			key, _ := k.(string)
			if err := w.value(n.keys[key], depth+1); err != nil {
				return err
			}
		}
		return w.end()
	case isDelim && d == '[':
		for i := 0; w.dec.More(); i++ {
			if err := w.value(n.index[i], depth+1); err != nil {
				return err
			}
		}
		return w.end()
	}
	return nil // a scalar where the path wants more: not found
}

// end reads the closing delimiter of the current object or array.
func (w *bodyWalk) end() error {
	if _, err := w.dec.Token(); err != nil {
		return readErr(err)
	}
	return nil
}

// skip steps over one value, at depth in the body.
func (w *bodyWalk) skip(depth int) error {
	tok, err := w.dec.Token()
	if err != nil {
		return readErr(err)
	}
	return w.rest(tok, depth)
}

// rest steps over the rest of a value whose first token was tok. Token keeps
// a stack of open delimiters, so this loop holds nothing else.
func (w *bodyWalk) rest(tok json.Token, depth int) error {
	base := depth
	for {
		if d, ok := tok.(json.Delim); ok {
			if d == '{' || d == '[' {
				depth++
				if depth > maxSkipDepth {
					return errors.New("exceeded max depth")
				}
			} else {
				depth--
			}
		}
		if depth == base {
			return nil
		}
		var err error
		if tok, err = w.dec.Token(); err != nil {
			return readErr(err)
		}
	}
}
