package runtimes

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/flowscript/flowscript/internal/value"
)

// symlinkDirs returns a workflow directory and a directory outside it
// (both with their own symlinks resolved), skipping where symlinks need
// privileges.
func symlinkDirs(t *testing.T) (dir, outside string) {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("symlinks need privileges")
	}
	var err error
	if dir, err = filepath.EvalSymlinks(t.TempDir()); err != nil {
		t.Fatal(err)
	}
	if outside, err = filepath.EvalSymlinks(t.TempDir()); err != nil {
		t.Fatal(err)
	}
	return dir, outside
}

func mustSymlink(t *testing.T, target, link string) {
	t.Helper()
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
}

func TestRealPathFollowsDanglingSymlinks(t *testing.T) {
	dir, outside := symlinkDirs(t)
	if err := os.Mkdir(filepath.Join(dir, "real"), 0o755); err != nil {
		t.Fatal(err)
	}
	mustSymlink(t, filepath.Join(outside, "missing.txt"), filepath.Join(dir, "dangle.txt"))
	mustSymlink(t, filepath.Join(outside, "newdir"), filepath.Join(dir, "dlink"))
	mustSymlink(t, "real/new.txt", filepath.Join(dir, "rel.txt"))
	mustSymlink(t, "real", filepath.Join(dir, "in-link"))
	mustSymlink(t, outside, filepath.Join(dir, "out-link"))
	mustSymlink(t, "nothere/../out-link/x.txt", filepath.Join(dir, "climb.txt"))
	mustSymlink(t, "in-link/../dangle.txt", filepath.Join(dir, "chain.txt"))
	tests := []struct{ path, want string }{
		{"dangle.txt", filepath.Join(outside, "missing.txt")},
		{"dlink/x.txt", filepath.Join(outside, "newdir", "x.txt")},
		{"rel.txt", filepath.Join(dir, "real", "new.txt")},
		{"in-link/a/b.txt", filepath.Join(dir, "real", "a", "b.txt")},
		{"climb.txt", filepath.Join(outside, "x.txt")},
		{"chain.txt", filepath.Join(outside, "missing.txt")},
		{"none/x.txt", filepath.Join(dir, "none", "x.txt")},
	}
	for _, tt := range tests {
		got, err := realPath(filepath.Join(dir, tt.path))
		if err != nil || got != tt.want {
			t.Errorf("realPath(%s) = %q, %v; want %q", tt.path, got, err, tt.want)
		}
	}
	mustSymlink(t, "loop2", filepath.Join(dir, "loop1"))
	mustSymlink(t, "loop1", filepath.Join(dir, "loop2"))
	if _, err := realPath(filepath.Join(dir, "loop1", "x")); err == nil {
		t.Errorf("symlink loop: no error")
	}
}

func TestFileSinkDanglingSymlinkOutsideIsR608(t *testing.T) {
	for _, tt := range []struct {
		name, path string
		append     bool
		created    string // what a write would create outside
	}{
		{"append", "dangle.txt", true, "missing.txt"},
		{"write", "dangle.txt", false, "missing.txt"},
		{"append through a dangling directory link", "dlink/x.txt", true, "newdir"},
		{"write through a dangling directory link", "dlink/x.txt", false, "newdir"},
		{"link climbing out of a missing part", "climb.txt", true, "x.txt"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir, outside := symlinkDirs(t)
			mustSymlink(t, filepath.Join(outside, "missing.txt"), filepath.Join(dir, "dangle.txt"))
			mustSymlink(t, filepath.Join(outside, "newdir"), filepath.Join(dir, "dlink"))
			mustSymlink(t, outside, filepath.Join(dir, "out-link"))
			mustSymlink(t, "nothere/../out-link/x.txt", filepath.Join(dir, "climb.txt"))
			c := &Call{Node: "f", Role: "sink", WorkflowDir: dir, Log: func(string, string) {},
				Fields: map[string]any{"path": tt.path, "append": tt.append}, Input: "escaped"}
			out, err := runFile(c)
			var re *Error
			if !errors.As(err, &re) || re.Code != "R608" {
				t.Fatalf("got %v, %v; want R608", out, err)
			}
			if _, err := os.Lstat(filepath.Join(outside, tt.created)); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("%s created outside the workflow directory", tt.created)
			}
			// With --allow-path the same write goes through.
			c.AllowPaths = []string{outside}
			if _, err := runFile(c); err != nil {
				t.Fatalf("allowed: %v", err)
			}
		})
	}
}

func TestFileSinkDanglingSymlinkInsideWorks(t *testing.T) {
	dir, _ := symlinkDirs(t)
	mustSymlink(t, "sub/new.txt", filepath.Join(dir, "link.txt"))
	for i := 0; i < 2; i++ {
		c := &Call{Node: "f", Role: "sink", WorkflowDir: dir, Log: func(string, string) {},
			Fields: map[string]any{"path": "link.txt", "append": true}, Input: "line"}
		out, err := runFile(c)
		if err != nil {
			t.Fatal(err)
		}
		if got := value.JSON(out); got != `{"path":"link.txt","bytes":5,"format":"text"}` {
			t.Errorf("output %s", got)
		}
	}
	if s := readTestFile(t, filepath.Join(dir, "sub", "new.txt")); s != "line\nline\n" {
		t.Errorf("target holds %q", s)
	}
	if fi, err := os.Lstat(filepath.Join(dir, "link.txt")); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Errorf("link replaced: %v", err)
	}
}

func TestDatabaseSQLiteDanglingSymlinkOutsideIsR608(t *testing.T) {
	dir, outside := symlinkDirs(t)
	mustSymlink(t, filepath.Join(outside, "evil.db"), filepath.Join(dir, "dangle.db"))
	mustSymlink(t, filepath.Join(outside, "newdir"), filepath.Join(dir, "dlink"))
	for _, conn := range []string{"sqlite:dangle.db", "dangle.db", "sqlite:dlink/x.db"} {
		c := dbCall(t, dir, "sink/database", []any{dbObj("a", 1.0)}, "connection", conn, "operation", "exec", "query", "CREATE TABLE t (a)")
		if e := dbRunErr(t, dbSink{}, c); e.Code != "R608" {
			t.Errorf("%s: [%s] %s, want R608", conn, e.Code, e.Message)
		}
	}
	for _, name := range []string{"evil.db", "newdir"} {
		if _, err := os.Lstat(filepath.Join(outside, name)); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s created outside the workflow directory", name)
		}
	}
	// A dangling link to a new database inside the directory is fine.
	mustSymlink(t, "data/new.db", filepath.Join(dir, "in.db"))
	if err := os.Mkdir(filepath.Join(dir, "data"), 0o755); err != nil {
		t.Fatal(err)
	}
	c := dbCall(t, dir, "sink/database", []any{dbObj("a", 1.0)}, "connection", "sqlite:in.db", "operation", "exec", "query", "CREATE TABLE t (a)")
	dbMustRun(t, dbSink{}, c)
	if _, err := os.Stat(filepath.Join(dir, "data", "new.db")); err != nil {
		t.Errorf("database not created through the link: %v", err)
	}
}
