package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
)

// checkOutDir refuses, before anything runs, an output directory (-o dir
// of the command cmd) that the report could not be written into: a path
// that exists and is not a directory, one under a regular file, or one
// whose directory (or nearest existing parent) cannot be written in. The
// report is written through a temporary directory next to dir, so that
// is probed by making and removing one. The message names dir as given.
func checkOutDir(cmd, dir string) error {
	refuse := func(format string, args ...any) error {
		return badInput{fmt.Errorf("dbsim %s: -o %s: %s", cmd, dir, fmt.Sprintf(format, args...))}
	}
	clean := filepath.Clean(dir)
	at, fi, err := nearestExisting(clean)
	switch {
	case err != nil:
		return refuse("%v", cause(err))
	case at == clean && !fi.IsDir():
		return refuse("exists and is not a directory")
	case !fi.IsDir():
		return refuse("%s is a file, not a directory", at)
	}
	where := []string{at}
	if at == clean {
		// dir exists: the files are moved into it from a temporary
		// directory made in its parent.
		where = append(where, filepath.Dir(clean))
	}
	for _, d := range where {
		if err := probe(d); err != nil {
			return refuse("cannot write in %s: %v", d, err)
		}
	}
	return nil
}

// nearestExisting returns path, or its nearest parent that exists, with
// its file information.
func nearestExisting(path string) (string, fs.FileInfo, error) {
	for {
		fi, err := os.Stat(path)
		if err == nil {
			return path, fi, nil
		}
		up := filepath.Dir(path)
		if (!errors.Is(err, fs.ErrNotExist) && !errors.Is(err, syscall.ENOTDIR)) || up == path {
			return path, nil, err
		}
		path = up
	}
}

// probe makes and removes a directory in dir, and returns why it could
// not (without the name of the probe).
func probe(dir string) error {
	tmp, err := os.MkdirTemp(dir, ".dbsim-probe-")
	if err != nil {
		return cause(err)
	}
	return os.Remove(tmp)
}

// cause is the system's reason in a path error ("permission denied"),
// without the path.
func cause(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
