package workload

import (
	"errors"
	"io/fs"
	"path/filepath"
	"strings"
	"syscall"
)

// DiskUsage sums the sizes of the regular files under dir, by class: classify maps a path
// relative to dir ('/'-separated) to a class name such as "data", "index" or "other" (nil: every
// file is "other"). A file with several hard links is counted once (by device and inode). Paths
// with a component named "tmp" or "txn" are skipped, as are files that vanish during the walk.
func DiskUsage(dir string, classify func(rel string) string) (map[string]int64, error) {
	type devIno struct{ dev, ino uint64 }
	seen := map[devIno]bool{}
	out := map[string]int64{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			if path != dir && isNotExist(err) {
				return nil
			}
			return err
		}
		rel, rerr := filepath.Rel(dir, path)
		if rerr != nil {
			return rerr
		}
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			if d.Name() == "tmp" || d.Name() == "txn" {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() {
			return nil
		}
		for _, c := range strings.Split(rel, "/") {
			if c == "tmp" || c == "txn" {
				return nil
			}
		}
		info, ierr := d.Info()
		if ierr != nil {
			if isNotExist(ierr) {
				return nil
			}
			return ierr
		}
		if st, ok := info.Sys().(*syscall.Stat_t); ok {
			key := devIno{uint64(st.Dev), uint64(st.Ino)}
			if seen[key] {
				return nil
			}
			seen[key] = true
		}
		class := "other"
		if classify != nil {
			class = classify(rel)
		}
		out[class] += info.Size()
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func isNotExist(err error) bool { return errors.Is(err, fs.ErrNotExist) }

// ClassifyVMLayout classifies a path of a VictoriaMetrics-layout storage directory (vmengine's
// and VictoriaMetrics 1.7x's): data/ holds the partitions (samples), indexdb/ the inverted
// index; anything else (caches, metadata, locks) is "other".
func ClassifyVMLayout(rel string) string {
	switch {
	case strings.HasPrefix(rel, "data/"):
		return "data"
	case strings.HasPrefix(rel, "indexdb/"):
		return "index"
	}
	return "other"
}
