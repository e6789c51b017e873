package sheet

import (
	"context"
	"errors"
	"os"
	"sort"
	"time"
)

// Watched is a set of files that are read whole, each keeping its last
// good version: a file that turns bad goes on serving what it held before
// (the index and manual-KPI sources). It is not safe for concurrent use.
type Watched[T any] struct {
	files map[string]*watchedFile[T]
}

type watchedFile[T any] struct {
	good, seen version
	ok         bool // good and data hold a good version
	data       T
}

// version identifies one version of a file.
type version struct {
	size int64
	mod  time.Time
}

// Good is the last good version of one file.
type Good[T any] struct {
	Path string
	Mod  time.Time
	Data T
}

// Refresh reads with read each of paths whose size or modification time
// changed since the last call, and tells done of each read (err nil: data is
// the file's new good version). A file removed from paths, or from the disk
// since the listing, is forgotten. It returns every file's good version,
// oldest first (then by path): a newer file's data may replace an older's.
func (w *Watched[T]) Refresh(ctx context.Context, paths []string, read func(path string) (T, error), done func(path string, data T, err error)) ([]Good[T], error) {
	if w.files == nil {
		w.files = map[string]*watchedFile[T]{}
	}
	var out []Good[T]
	present := make(map[string]bool, len(paths))
	for _, p := range paths {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		fi, err := os.Stat(p)
		if err != nil {
			continue // removed since the listing: gone, like its data
		}
		present[p] = true
		v := version{size: fi.Size(), mod: fi.ModTime()}
		f := w.files[p]
		if f == nil {
			f = &watchedFile[T]{}
			w.files[p] = f
		}
		if v != f.seen {
			f.seen = v
			data, err := read(p)
			if err == nil {
				f.good, f.data, f.ok = v, data, true
			}
			done(p, data, err)
		}
		if f.ok {
			out = append(out, Good[T]{Path: p, Mod: f.good.mod, Data: f.data})
		}
	}
	for p := range w.files {
		if !present[p] {
			delete(w.files, p)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].Mod.Equal(out[j].Mod) {
			return out[i].Mod.Before(out[j].Mod)
		}
		return out[i].Path < out[j].Path
	})
	return out, nil
}

// RejectAttrs are the log attributes of a rejected file: its position
// (file, row, column) when err is an *Error, else the file and the error.
func RejectAttrs(path string, err error) []any {
	var se *Error
	if errors.As(err, &se) {
		return se.LogAttrs()
	}
	return []any{"file", path, "reason", ReasonOf(err), "err", err}
}
