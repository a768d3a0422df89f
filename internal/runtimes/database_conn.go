package runtimes

import (
	"context"
	"database/sql"
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/jackc/pgx/v5/pgxpool"

	// The pure-Go SQLite driver registers itself as "sqlite".
	_ "modernc.org/sqlite"
)

// Connection limits of spec/nodes.md §2.4.
const (
	dbMaxOpen = 4
	// maxParams caps the placeholders of one statement: SQLite's default
	// SQLITE_MAX_VARIABLE_NUMBER and PostgreSQL's protocol limit.
	sqliteMaxParams   = 32766
	postgresMaxParams = 65535
)

// connSpec is a parsed connection field.
type connSpec struct {
	// postgres is true for postgres:// and postgresql:// connections.
	postgres bool
	// memory is true for sqlite::memory:.
	memory bool
	// key identifies the pool within a run: the resolved SQLite file, the
	// memory database or the PostgreSQL connection string.
	key string
	// dsn is what the driver opens.
	dsn string
	// display names the database in messages, never with a password: the
	// SQLite path as the user sees it or the redacted URL.
	display string
	// real is the SQLite file to open ("" for memory and PostgreSQL).
	real string
	// secrets are texts to mask in driver messages (the password).
	secrets []string
}

// parseConnection reads a connection field (nodes.md §2.4): sqlite:PATH or
// a bare path (relative to the workflow directory, confined),
// sqlite::memory:, postgres://… or postgresql://….
func parseConnection(c *Call, conn string) (connSpec, error) {
	s := strings.TrimSpace(conn)
	lower := strings.ToLower(s)
	switch {
	case s == "":
		return connSpec{}, Errorf("R610", false, "connection is empty")
	case strings.HasPrefix(lower, "postgres://") || strings.HasPrefix(lower, "postgresql://"):
		display, secrets := redactURL(s)
		return connSpec{postgres: true, key: "postgres " + s, dsn: s, display: display, secrets: secrets}, nil
	case lower == "sqlite::memory:" || lower == ":memory:":
		return connSpec{memory: true, key: "sqlite::memory:", dsn: ":memory:?_pragma=foreign_keys(1)", display: "sqlite::memory:"}, nil
	}
	path := s
	if strings.HasPrefix(lower, "sqlite:") {
		path = s[len("sqlite:"):]
	} else if i := strings.Index(s, "://"); i > 0 {
		display, _ := redactURL(s)
		e := Errorf("R610", false, "connection %s is not supported", quote(display))
		e.Hints = []string{"use sqlite:PATH, sqlite::memory: or postgres://…"}
		return connSpec{}, e
	}
	if path == "" {
		return connSpec{}, Errorf("R610", false, "connection %s has no path", quote(s))
	}
	r, err := ResolvePath(c.WorkflowDir, c.AllowPaths, path)
	if err != nil {
		return connSpec{}, err
	}
	dsn := r.Real + "?_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)&_txlock=immediate"
	return connSpec{key: "sqlite:" + r.Real, dsn: dsn, display: r.Display, real: r.Real}, nil
}

// redactURL returns the URL with its password (user info or a password
// query parameter) replaced by "xxxxx", and the passwords it hid.
func redactURL(s string) (string, []string) {
	u, err := url.Parse(s)
	if err != nil {
		// Unparsable: show the scheme only.
		if i := strings.Index(s, "://"); i > 0 {
			return s[:i+3] + "…", nil
		}
		return "…", nil
	}
	var secrets []string
	if pw, ok := u.User.Password(); ok && pw != "" {
		secrets = append(secrets, pw, url.QueryEscape(pw), url.PathEscape(pw))
	}
	q := u.Query()
	if pw := q.Get("password"); pw != "" {
		secrets = append(secrets, pw, url.QueryEscape(pw))
		q.Set("password", "xxxxx")
		u.RawQuery = q.Encode()
	}
	return u.Redacted(), secrets
}

// dbPool is one pooled database of a run.
type dbPool interface {
	// query runs a statement and returns its rows as objects.
	query(ctx context.Context, q string, args []any) ([]any, error)
	// begin starts the one transaction of a sink execution.
	begin(ctx context.Context) (dbTx, error)
	// maxParams is the most placeholders one statement may hold.
	maxParams() int
	close()
}

// dbTx is a transaction.
type dbTx interface {
	exec(ctx context.Context, q string, args []any) (int64, error)
	commit(ctx context.Context) error
	rollback()
}

// dbPools holds the open pools by run id, then by connection key.
var dbPools = struct {
	sync.Mutex
	runs map[string]map[string]dbPool
}{runs: map[string]map[string]dbPool{}}

// CloseDatabases closes the database pools opened by the run runID
// (Call.RunID). The run's in-memory SQLite database goes with it. The
// executor calls it when the run ends; it is safe to call for a run that
// opened none.
func CloseDatabases(runID string) {
	dbPools.Lock()
	pools := dbPools.runs[runID]
	delete(dbPools.runs, runID)
	dbPools.Unlock()
	for _, p := range pools {
		p.close()
	}
}

// openPool returns the run's pool for cs, opening it on first use. A
// SQLite file is created when missing, as SQLite does; mkdir also creates
// its directory (sinks), else a missing directory is an error.
func openPool(c *Call, cs connSpec, mkdir bool) (dbPool, error) {
	if cs.real != "" {
		dir := filepath.Dir(cs.real)
		if _, err := os.Stat(dir); err != nil {
			if !mkdir || !errors.Is(err, os.ErrNotExist) {
				if errors.Is(err, os.ErrNotExist) {
					return nil, Errorf("R610", false, "database file %s does not exist", quote(cs.display))
				}
				return nil, Errorf("R610", false, "cannot open database file %s: %s", quote(cs.display), describeFSError(err))
			}
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return nil, Errorf("R610", false, "cannot create the directory of %s: %s", quote(cs.display), describeFSError(err))
			}
		}
	}
	dbPools.Lock()
	defer dbPools.Unlock()
	run := dbPools.runs[c.RunID]
	if run == nil {
		run = map[string]dbPool{}
		dbPools.runs[c.RunID] = run
	}
	if p := run[cs.key]; p != nil {
		return p, nil
	}
	var p dbPool
	if cs.postgres {
		cfg, err := pgxpool.ParseConfig(cs.dsn)
		if err != nil {
			return nil, Errorf("R610", false, "invalid connection %s: %s", quote(cs.display), redact(flatten(err.Error()), cs.secrets))
		}
		cfg.MaxConns = dbMaxOpen
		cfg.MinConns = 0
		pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
		if err != nil {
			return nil, Errorf("R610", true, "cannot connect to %s: %s", quote(cs.display), redact(flatten(err.Error()), cs.secrets))
		}
		p = &pgPool{pool: pool}
	} else {
		db, err := sql.Open("sqlite", cs.dsn)
		if err != nil {
			return nil, Errorf("R610", false, "cannot open %s: %s", quote(cs.display), err.Error())
		}
		if cs.memory {
			// One connection that never expires: closing it would drop
			// the database.
			db.SetMaxOpenConns(1)
			db.SetMaxIdleConns(1)
		} else {
			db.SetMaxOpenConns(dbMaxOpen)
			db.SetMaxIdleConns(dbMaxOpen)
		}
		db.SetConnMaxLifetime(0)
		db.SetConnMaxIdleTime(0)
		p = &sqlitePool{db: db}
	}
	run[cs.key] = p
	return p, nil
}

// flatten joins the lines of a multi-line driver message.
func flatten(s string) string {
	if !strings.Contains(s, "\n") {
		return s
	}
	fs := strings.Fields(strings.ReplaceAll(s, "\n", " "))
	return strings.Join(fs, " ")
}

// redact replaces each secret in s by "xxxxx".
func redact(s string, secrets []string) string {
	for _, sec := range secrets {
		if sec != "" {
			s = strings.ReplaceAll(s, sec, "xxxxx")
		}
	}
	return s
}
