package store

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/cespare/xxhash/v2"

	"github.com/flowscript/flowscript/internal/value"
)

// File names inside a run directory.
const (
	StateFile    = "state.json"
	JournalFile  = "events.ndjson"
	WorkflowFile = "workflow.flow.md"
	LockFile     = "lock"
	OutputsDir   = "outputs"
)

// ErrNotFound is returned (wrapped) when a run does not exist.
var ErrNotFound = errors.New("run not found")

// LockedError reports a run owned by a live process.
type LockedError struct {
	RunID string
	PID   int
}

func (e *LockedError) Error() string {
	return fmt.Sprintf("run %q is locked by running process %d", e.RunID, e.PID)
}

// Store is a run store directory.
type Store struct {
	Dir string
	// Now is the clock for Prune (nil: time.Now).
	Now func() time.Time
}

// Open opens the store at dir, creating it (with a .gitignore holding
// "*") and its runs directory when missing.
func Open(dir string) (*Store, error) {
	if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, err
		}
		if err := os.WriteFile(filepath.Join(dir, ".gitignore"), []byte("*\n"), 0o644); err != nil {
			return nil, err
		}
	} else if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Join(dir, "runs"), 0o755); err != nil {
		return nil, err
	}
	return &Store{Dir: dir}, nil
}

// At returns a store for reading at dir without creating anything; a
// missing directory reads as a store without runs.
func At(dir string) *Store { return &Store{Dir: dir} }

func (s *Store) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *Store) runDir(id string) string { return filepath.Join(s.Dir, "runs", id) }

var runIDPattern = regexp.MustCompile(`^[0-9]{8}T[0-9]{6}Z-[0-9a-f]{6}$`)

// ValidRunID reports whether id has the form YYYYMMDDTHHMMSSZ-xxxxxx.
func ValidRunID(id string) bool { return runIDPattern.MatchString(id) }

// Run is one run directory opened for writing; it holds the run's lock
// until Close.
type Run struct {
	ID  string
	Dir string
	// Repaired says what Resume mended (a torn last journal line), for a
	// warning; "" when nothing.
	Repaired string

	lock    *lock
	nextSeq int64

	jmu     sync.Mutex
	journal *Journal

	wmu sync.Mutex // serialises state writes
}

// Create makes the directory of a new run, takes its lock and stores a
// copy of the workflow source.
func (s *Store) Create(runID string, src []byte) (*Run, error) {
	if !ValidRunID(runID) {
		return nil, fmt.Errorf("invalid run id %q", runID)
	}
	if err := os.MkdirAll(filepath.Join(s.Dir, "runs"), 0o755); err != nil {
		return nil, err
	}
	dir := s.runDir(runID)
	if err := os.Mkdir(dir, 0o755); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return nil, fmt.Errorf("run %q already exists", runID)
		}
		return nil, err
	}
	l, err := acquire(filepath.Join(dir, LockFile), runID)
	if err != nil {
		return nil, err
	}
	r := &Run{ID: runID, Dir: dir, lock: l, nextSeq: 1}
	if err := r.WriteWorkflow(src); err != nil {
		l.release()
		return nil, err
	}
	return r, nil
}

// Resume opens an existing run to continue it: ref is a run id or "last"
// (the greatest id whose state names workflowAbs). It takes the lock
// (a lock of a dead process is replaced), reads state.json, and checks
// the journal so that event numbers continue. A corrupt or truncated
// state or journal is an error and nothing is overwritten, except that a
// torn last journal line is cut off (see Run.Repaired).
func (s *Store) Resume(ref string, workflowAbs string) (*Run, *State, error) {
	id, err := s.resolve(ref, workflowAbs)
	if err != nil {
		return nil, nil, err
	}
	dir := s.runDir(id)
	l, err := acquire(filepath.Join(dir, LockFile), id)
	if err != nil {
		return nil, nil, err
	}
	st, err := s.load(id)
	if err != nil {
		l.release()
		return nil, nil, err
	}
	journal := filepath.Join(dir, JournalFile)
	last, keep, torn, err := lastSeq(journal)
	if err == nil && torn > 0 {
		err = os.Truncate(journal, keep)
	}
	if err != nil {
		l.release()
		return nil, nil, fmt.Errorf("run %q: %v", id, err)
	}
	r := &Run{ID: id, Dir: dir, lock: l, nextSeq: last + 1}
	if torn > 0 {
		r.Repaired = fmt.Sprintf("events.ndjson: dropped its last line (%d bytes), cut short by an interrupted write", torn)
	}
	return r, st, nil
}

// Load reads the state of run ref (an id or "last"; with workflowAbs ""
// "last" is the greatest id of the store). Spilled outputs are read back.
func (s *Store) Load(ref, workflowAbs string) (*State, error) {
	id, err := s.resolve(ref, workflowAbs)
	if err != nil {
		return nil, err
	}
	return s.load(id)
}

func (s *Store) load(id string) (*State, error) {
	dir := s.runDir(id)
	data, err := os.ReadFile(filepath.Join(dir, StateFile))
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			if _, derr := os.Stat(dir); derr != nil {
				return nil, fmt.Errorf("run %q: %w", id, ErrNotFound)
			}
			return nil, fmt.Errorf("run %q has no state.json", id)
		}
		return nil, err
	}
	st, err := decodeState(data, func(rel string) ([]byte, error) {
		return os.ReadFile(filepath.Join(dir, filepath.FromSlash(rel)))
	})
	if err != nil {
		return nil, fmt.Errorf("run %q: %v", id, err)
	}
	return st, nil
}

// ids returns the run ids of the store, ascending.
func (s *Store) ids() ([]string, error) {
	ents, err := os.ReadDir(filepath.Join(s.Dir, "runs"))
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, nil
		}
		return nil, err
	}
	var out []string
	for _, e := range ents {
		if e.IsDir() && ValidRunID(e.Name()) {
			out = append(out, e.Name())
		}
	}
	sort.Strings(out)
	// Ids of the same second sort by their random suffix: order those by
	// the time of their first event instead (start order, execution.md
	// §12.1).
	for i := 0; i < len(out); {
		j := i + 1
		for j < len(out) && out[j][:16] == out[i][:16] {
			j++
		}
		if j-i > 1 {
			group := out[i:j]
			starts := make(map[string]string, len(group))
			for _, id := range group {
				starts[id] = s.firstEventTime(id)
			}
			sort.SliceStable(group, func(a, b int) bool { return starts[group[a]] < starts[group[b]] })
		}
		i = j
	}
	return out, nil
}

// firstEventTime is the "ts" of run id's first journal line ("" when
// unknown); the layout sorts as text.
func (s *Store) firstEventTime(id string) string {
	f, err := os.Open(filepath.Join(s.runDir(id), JournalFile))
	if err != nil {
		return ""
	}
	defer f.Close()
	line, _ := bufio.NewReader(f).ReadSlice('\n')
	v, err := value.ParseJSON(bytes.TrimSpace(line))
	if err != nil {
		return ""
	}
	o, _ := v.(*value.Object)
	ts, _ := o.Get("ts")
	t, _ := ts.(string)
	return t
}

func (s *Store) resolve(ref, workflowAbs string) (string, error) {
	if ref != "last" {
		if !ValidRunID(ref) {
			return "", fmt.Errorf("%q is not a run id or \"last\"", ref)
		}
		if _, err := os.Stat(s.runDir(ref)); err != nil {
			return "", fmt.Errorf("run %q: %w", ref, ErrNotFound)
		}
		return ref, nil
	}
	ids, err := s.ids()
	if err != nil {
		return "", err
	}
	for i := len(ids) - 1; i >= 0; i-- {
		if workflowAbs == "" {
			return ids[i], nil
		}
		st, err := s.load(ids[i])
		if err == nil && st.Workflow.File == workflowAbs {
			return ids[i], nil
		}
	}
	if workflowAbs != "" {
		return "", fmt.Errorf("no run of %q: %w", workflowAbs, ErrNotFound)
	}
	return "", fmt.Errorf("no runs: %w", ErrNotFound)
}

// List returns the readable states of the store, newest first. Runs
// without a readable state.json are left out.
func (s *Store) List() ([]*State, error) {
	ids, err := s.ids()
	if err != nil {
		return nil, err
	}
	var out []*State
	for i := len(ids) - 1; i >= 0; i-- {
		st, err := s.load(ids[i])
		if err != nil {
			continue
		}
		out = append(out, st)
	}
	return out, nil
}

// Prune deletes run directories beyond the newest keep runs that are
// also older than olderThan (when olderThan > 0), and returns their ids,
// newest first. A locked run is never deleted. With dryRun nothing is
// deleted.
func (s *Store) Prune(keep int, olderThan time.Duration, dryRun bool) ([]string, error) {
	ids, err := s.ids()
	if err != nil {
		return nil, err
	}
	now := s.now()
	var out []string
	for i := len(ids) - 1 - keep; i >= 0; i-- {
		id := ids[i]
		if olderThan > 0 {
			started := runIDTime(id)
			if st, err := s.load(id); err == nil && !st.StartedAt.IsZero() {
				started = st.StartedAt
			}
			if now.Sub(started) <= olderThan {
				continue
			}
		}
		if held(filepath.Join(s.runDir(id), LockFile)) {
			continue
		}
		if !dryRun {
			if err := os.RemoveAll(s.runDir(id)); err != nil {
				return out, err
			}
		}
		out = append(out, id)
	}
	return out, nil
}

// Locked reports whether run id is locked by a live process.
func (s *Store) Locked(id string) bool { return held(filepath.Join(s.runDir(id), LockFile)) }

func runIDTime(id string) time.Time {
	t, _ := time.Parse("20060102T150405Z", id[:16])
	return t
}

// WriteWorkflow replaces the run's copy of the workflow file.
func (r *Run) WriteWorkflow(src []byte) error {
	return atomicWrite(filepath.Join(r.Dir, WorkflowFile), src, false)
}

// Journal returns the run's event journal, opening it on first use.
// Event numbers continue after those already in the file.
func (r *Run) Journal() *Journal {
	r.jmu.Lock()
	defer r.jmu.Unlock()
	if r.journal == nil {
		f, err := os.OpenFile(filepath.Join(r.Dir, JournalFile), os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
		r.journal = newJournal(r.ID, r.nextSeq, f, err)
	}
	return r.journal
}

// WriteState writes st as state.json atomically (state.json.tmp, fsync,
// rename, fsync of the directory); writes are serialised. Outputs whose
// compact JSON is over 1 MiB go to outputs/<key>.json and are referenced
// as {"$file": …}.
func (r *Run) WriteState(st *State) error {
	b, err := r.encodeState(st)
	if err != nil {
		return err
	}
	return r.writeStateBytes(b)
}

func (r *Run) writeStateBytes(b []byte) error {
	r.wmu.Lock()
	defer r.wmu.Unlock()
	return atomicWrite(filepath.Join(r.Dir, StateFile), b, true)
}

// encodeState renders st, encoding every node entry.
func (r *Run) encodeState(st *State) ([]byte, error) {
	keys := st.Keys()
	raws := make([][]byte, len(keys))
	var firstErr error
	for i, k := range keys {
		n := st.Nodes[k]
		raw, sp, err := r.encodeNode(k, n, n.spill)
		if err != nil && firstErr == nil {
			firstErr = err
		}
		raws[i], n.spill = raw, sp
	}
	return appendState(make([]byte, 0, 4096), st, keys, raws), firstErr
}

// encodeNode renders one node entry and returns it with the output's
// spill file. An output whose compact JSON is over SpillSize goes to
// outputs/<key>.json (see spill), unless it is there already.
func (r *Run) encodeNode(key string, n *NodeState, sp spilled) ([]byte, spilled, error) {
	if !n.HasOutput {
		return appendNode(make([]byte, 0, 160), n, nil, sp), sp, nil
	}
	var err error
	if sp.file == "" {
		if out := encodeSmall(n.Output); out != nil {
			return r.encodeNodeJSON(n, out), sp, nil
		}
		sp, err = r.spill(key, n)
	}
	return appendNode(nil, n, value.AppendJSON(nil, value.ObjectOf("$file", sp.file)), sp), sp, err
}

// encodeSmall returns the compact JSON text of v when it is at most
// SpillSize long, else nil (without encoding much of it).
func encodeSmall(v any) []byte {
	if value.MinJSONSize(v, SpillSize) > SpillSize {
		return nil
	}
	if out := value.AppendJSONPrefix(nil, v, SpillSize+1); len(out) <= SpillSize {
		return out
	}
	return nil
}

// encodeNodeJSON renders a node entry whose output is already encoded as
// out (nil: none).
func (r *Run) encodeNodeJSON(n *NodeState, out []byte) []byte {
	return appendNode(make([]byte, 0, 160+len(out)), n, out, spilled{})
}

// spill writes n's output to outputs/<key>.json: a hard link to (or a
// copy of) the file it was decoded from when there is one, else the
// output encoded straight into the file. The checksum lets a resume
// notice a linked file changed in place (loadSpilled).
func (r *Run) spill(key string, n *NodeState) (spilled, error) {
	rel := OutputsDir + "/" + OutputFileName(key)
	path := filepath.Join(r.Dir, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return spilled{}, err
	}
	if o := n.origin; o != nil && linkOrCopy(o.Path, path) == nil {
		return spilled{rel, o.Sum}, nil
	} // else (the file is gone): encode the output
	d := xxhash.New()
	err := writeAtomic(path, false, func(w io.Writer) error {
		_, err := value.WriteJSON(io.MultiWriter(w, d), n.Output)
		return err
	})
	return spilled{rel, d.Sum64()}, err
}

// link is os.Link (tests make it fail).
var link = os.Link

// linkOrCopy makes dst a hard link to src, or a copy of it where a link
// is impossible (another file system, protected links).
func linkOrCopy(src, dst string) error {
	tmp := dst + ".tmp"
	os.Remove(tmp)
	if link(src, tmp) == nil {
		if err := os.Rename(tmp, dst); err != nil {
			os.Remove(tmp)
			return err
		}
		return nil
	}
	f, err := os.Open(src)
	if err != nil {
		return err
	}
	defer f.Close()
	return writeAtomic(dst, false, func(w io.Writer) error {
		_, err := io.Copy(w, f)
		return err
	})
}

// Close flushes the journal and releases the lock.
func (r *Run) Close() error {
	r.jmu.Lock()
	j := r.journal
	r.jmu.Unlock()
	var err error
	if j != nil {
		err = j.Close()
	}
	if r.lock != nil {
		if lerr := r.lock.release(); err == nil {
			err = lerr
		}
		r.lock = nil
	}
	return err
}

// atomicWrite writes data to path through path.tmp, fsyncs, renames and,
// with syncDir, fsyncs the directory.
func atomicWrite(path string, data []byte, syncDir bool) error {
	return writeAtomic(path, syncDir, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}

// writeAtomic is atomicWrite with the content written by write.
func writeAtomic(path string, syncDir bool, write func(w io.Writer) error) error {
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return err
	}
	if err := write(f); err != nil {
		f.Close()
		os.Remove(tmp)
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		os.Remove(tmp)
		return err
	}
	if err := f.Close(); err != nil {
		os.Remove(tmp)
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return err
	}
	if syncDir {
		if d, err := os.Open(filepath.Dir(path)); err == nil {
			d.Sync()
			d.Close()
		}
	}
	return nil
}

// lastSeq checks a journal and returns its greatest seq (0 when the file
// is missing or empty). A last line without its line break is a write
// torn by a power loss (the state never depends on it): keep is the
// length without it and torn its length. Any other line that is not a
// JSON object with a numeric seq is an error.
func lastSeq(path string) (last, keep int64, torn int, err error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return 0, 0, 0, nil
	}
	if err != nil {
		return 0, 0, 0, err
	}
	if len(data) > 0 && data[len(data)-1] != '\n' {
		cut := bytes.LastIndexByte(data, '\n') + 1
		torn, data = len(data)-cut, data[:cut]
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 64*1024), len(data)+1)
	line := 0
	for sc.Scan() {
		line++
		seq, err := seqOf(sc.Bytes())
		if err != nil {
			return 0, 0, 0, fmt.Errorf("events.ndjson is corrupt: line %d: %v", line, err)
		}
		last = max(last, seq)
	}
	return last, int64(len(data)), torn, nil
}

func seqOf(line []byte) (int64, error) {
	v, err := value.ParseJSON(line)
	if err != nil {
		return 0, err
	}
	o, ok := v.(*value.Object)
	if !ok {
		return 0, errors.New("not a JSON object")
	}
	sv, _ := o.Get("seq")
	f, ok := sv.(float64)
	if !ok || f < 1 {
		return 0, errors.New("no \"seq\" number")
	}
	return int64(f), nil
}

func parsePID(b []byte) int {
	n, err := strconv.Atoi(string(bytes.TrimSpace(b)))
	if err != nil || n <= 0 {
		return 0
	}
	return n
}
