package runtimes

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/flowscript/flowscript/internal/expr"
	"github.com/flowscript/flowscript/internal/value"
)

var dbTestRuns atomic.Int64

// dbCall builds a Call for a database node in dir; the run's pools are
// closed when the test ends.
func dbCall(t testing.TB, dir, kind string, in any, kv ...any) *Call {
	t.Helper()
	role, _, _ := strings.Cut(kind, "/")
	c := &Call{
		Node: "db", Kind: kind, Role: role, Input: in, HasInput: in != nil,
		Fields:      map[string]any{},
		WorkflowDir: dir,
		RunID:       fmt.Sprintf("test-%s-%d", t.Name(), dbTestRuns.Add(1)),
		Log:         func(string, string) {},
	}
	if kind == "sink/database" {
		c.Fields["operation"] = "insert"
		c.Fields["batch"] = 100.0
	}
	for i := 0; i+1 < len(kv); i += 2 {
		c.Fields[kv[i].(string)] = kv[i+1]
	}
	t.Cleanup(func() { CloseDatabases(c.RunID) })
	return c
}

// sameRun makes c use the run (and so the pools) of c0.
func dbSameRun(c, c0 *Call) *Call {
	c.RunID = c0.RunID
	c.AllowPaths = c0.AllowPaths
	return c
}

func dbMustRun(t testing.TB, rt Runtime, c *Call) any {
	t.Helper()
	out, err := rt.Run(context.Background(), c)
	if err != nil {
		t.Fatalf("%s: %v", rt.Kind(), err)
	}
	return out
}

func dbRunErr(t testing.TB, rt Runtime, c *Call) *Error {
	t.Helper()
	out, err := rt.Run(context.Background(), c)
	if err == nil {
		t.Fatalf("%s: want an error, got %s", rt.Kind(), value.JSON(out))
	}
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("%s: error %T %v is not a *runtimes.Error", rt.Kind(), err, err)
	}
	return e
}

func dbObj(kv ...any) *value.Object { return value.ObjectOf(kv...) }

// sqlExec runs statements through a source node on conn in c0's run.
func sqlExec(t testing.TB, c0 *Call, conn string, stmts ...string) {
	t.Helper()
	for _, s := range stmts {
		dbMustRun(t, dbSource{}, dbSameRun(dbCall(t, c0.WorkflowDir, "source/database", nil, "connection", conn, "query", s), c0))
	}
}

func sqlQuery(t testing.TB, c0 *Call, conn, q string, params ...any) string {
	t.Helper()
	c := dbSameRun(dbCall(t, c0.WorkflowDir, "source/database", nil, "connection", conn, "query", q), c0)
	if len(params) > 0 {
		c.Fields["params"] = params
	}
	return value.JSON(dbMustRun(t, dbSource{}, c))
}

func TestDatabaseSQLiteSink(t *testing.T) {
	const schema = `CREATE TABLE orders (id INTEGER PRIMARY KEY, customer TEXT NOT NULL DEFAULT 'x', total REAL, "we""ird" TEXT)`
	three := []any{
		dbObj("id", 1.0, "customer", "Ada", "total", 120.0),
		dbObj("id", 2.0, "customer", "Linus", "total", 40.0),
		dbObj("id", 3.0, "customer", "Grace", "total", 75.5, `we"ird`, "q"),
	}
	seed := []string{`INSERT INTO orders (id, customer, total) VALUES (1, 'Ada', 1), (2, 'Old', 2)`}
	tests := []struct {
		name   string
		seed   []string
		input  any
		fields []any
		want   string // output
		rows   string // SELECT * FROM orders ORDER BY id
	}{
		{
			name: "insert one batch", input: three,
			want: `{"rows_affected":3,"batches":1}`,
			rows: `[{"id":1,"customer":"Ada","total":120,"we\"ird":null},{"id":2,"customer":"Linus","total":40,"we\"ird":null},{"id":3,"customer":"Grace","total":75.5,"we\"ird":"q"}]`,
		},
		{
			name: "insert batch 1", input: three, fields: []any{"batch", 1.0},
			want: `{"rows_affected":3,"batches":3}`,
			rows: `[{"id":1,"customer":"Ada","total":120,"we\"ird":null},{"id":2,"customer":"Linus","total":40,"we\"ird":null},{"id":3,"customer":"Grace","total":75.5,"we\"ird":"q"}]`,
		},
		{
			name: "insert batch 2", input: three, fields: []any{"batch", 2.0},
			want: `{"rows_affected":3,"batches":2}`,
			rows: `[{"id":1,"customer":"Ada","total":120,"we\"ird":null},{"id":2,"customer":"Linus","total":40,"we\"ird":null},{"id":3,"customer":"Grace","total":75.5,"we\"ird":"q"}]`,
		},
		{
			name: "insert object input", input: dbObj("id", 7.0, "customer", "Alan"),
			want: `{"rows_affected":1,"batches":1}`,
			rows: `[{"id":7,"customer":"Alan","total":null,"we\"ird":null}]`,
		},
		{
			name: "insert empty input writes nothing", input: []any{},
			want: `{"rows_affected":0,"batches":0}`,
			rows: `[]`,
		},
		{
			name: "insert empty objects use defaults", input: []any{dbObj(), dbObj()},
			want: `{"rows_affected":2,"batches":1}`,
			rows: `[{"id":1,"customer":"x","total":null,"we\"ird":null},{"id":2,"customer":"x","total":null,"we\"ird":null}]`,
		},
		{
			name: "upsert updates and inserts", seed: seed, input: three,
			fields: []any{"operation", "upsert", "conflict-columns", []any{"id"}},
			want:   `{"rows_affected":3,"batches":1}`,
			rows:   `[{"id":1,"customer":"Ada","total":120,"we\"ird":null},{"id":2,"customer":"Linus","total":40,"we\"ird":null},{"id":3,"customer":"Grace","total":75.5,"we\"ird":"q"}]`,
		},
		{
			name: "upsert with only conflict columns does nothing on conflict", seed: seed,
			input:  []any{dbObj("id", 1.0), dbObj("id", 9.0)},
			fields: []any{"operation", "upsert", "conflict-columns", []any{"id"}},
			want:   `{"rows_affected":1,"batches":1}`,
			rows:   `[{"id":1,"customer":"Ada","total":1,"we\"ird":null},{"id":2,"customer":"Old","total":2,"we\"ird":null},{"id":9,"customer":"x","total":null,"we\"ird":null}]`,
		},
		{
			name: "update by key", seed: seed,
			input:  []any{dbObj("id", 2.0, "total", 20.0), dbObj("id", 5.0, "total", 50.0), dbObj("total", 1.5, "id", 1.0)},
			fields: []any{"operation", "update", "key-columns", []any{"id"}, "batch", 2.0},
			want:   `{"rows_affected":2,"batches":2}`,
			rows:   `[{"id":1,"customer":"Ada","total":1.5,"we\"ird":null},{"id":2,"customer":"Old","total":20,"we\"ird":null}]`,
		},
		{
			name: "update two key columns", seed: seed,
			input:  []any{dbObj("id", 2.0, "customer", "Old", "total", 3.0), dbObj("id", 1.0, "customer", "Nobody", "total", 9.0)},
			fields: []any{"operation", "update", "key-columns", []any{"id", "customer"}},
			want:   `{"rows_affected":1,"batches":1}`,
			rows:   `[{"id":1,"customer":"Ada","total":1,"we\"ird":null},{"id":2,"customer":"Old","total":3,"we\"ird":null}]`,
		},
		{
			name: "exec with static params per row", seed: seed, input: three,
			fields: []any{"operation", "exec", "query", "UPDATE orders SET total = total + $1 WHERE id = 1", "params", []any{10.0}},
			want:   `{"rows_affected":3,"batches":1}`,
			rows:   `[{"id":1,"customer":"Ada","total":31,"we\"ird":null},{"id":2,"customer":"Old","total":2,"we\"ird":null}]`,
		},
		{
			name: "missing keys are null", input: []any{dbObj("id", 1.0, "customer", "A"), dbObj("customer", "B", "total", 2.0)},
			want: `{"rows_affected":2,"batches":1}`,
			rows: `[{"id":1,"customer":"A","total":null,"we\"ird":null},{"id":2,"customer":"B","total":2,"we\"ird":null}]`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			conn := "sqlite:data/shop.db"
			c := dbCall(t, dir, "sink/database", tt.input, append([]any{"connection", conn, "table", "orders"}, tt.fields...)...)
			sqlExec(t, c, "sqlite:shop.db", schema) // the same file through its other spelling is created below
			if err := os.MkdirAll(filepath.Join(dir, "data"), 0o755); err != nil {
				t.Fatal(err)
			}
			sqlExec(t, c, conn, append([]string{schema}, tt.seed...)...)
			got := value.JSON(dbMustRun(t, dbSink{}, c))
			if got != tt.want {
				t.Errorf("output = %s, want %s", got, tt.want)
			}
			if rows := sqlQuery(t, c, conn, "SELECT * FROM orders ORDER BY id"); rows != tt.rows {
				t.Errorf("rows = %s\nwant   %s", rows, tt.rows)
			}
		})
	}
}

func TestDatabaseSQLiteTypes(t *testing.T) {
	dir := t.TempDir()
	c := dbCall(t, dir, "source/database", nil)
	conn := "t.db"
	sqlExec(t, c, conn,
		`CREATE TABLE t (i INTEGER, r REAL, s TEXT, b BLOB, n INTEGER, ok BOOLEAN, d DATE, ts TIMESTAMP, j JSON, big INTEGER)`,
		`INSERT INTO t VALUES (42, 2.5, 'héllo', x'00ff10', NULL, 1, '2026-11-25', '2026-11-25 10:15:00', '{"z": 1, "a": [true, null]}', 9007199254740993)`,
	)
	tests := []struct {
		query  string
		params []any
		want   string
	}{
		{`SELECT * FROM t`, nil, `[{"i":42,"r":2.5,"s":"héllo","b":"AP8Q","n":null,"ok":true,"d":"2026-11-25","ts":"2026-11-25T10:15:00Z","j":{"z":1,"a":[true,null]},"big":"9007199254740993"}]`},
		{`SELECT s, i FROM t`, nil, `[{"s":"héllo","i":42}]`},
		{`SELECT $2 AS two, $1 AS one`, []any{"a", "b"}, `[{"two":"b","one":"a"}]`},
		{`SELECT ? AS x, ? AS y`, []any{1.0, 2.5}, `[{"x":1,"y":2.5}]`},
		{`SELECT typeof($1) AS t1, typeof($2) AS t2, typeof($3) AS t3, $4 AS obj, $5 AS arr`, []any{3.0, 3.5, true, dbObj("b", 1.0, "a", 2.0), []any{1.0, "x"}},
			`[{"t1":"integer","t2":"real","t3":"integer","obj":"{\"b\":1,\"a\":2}","arr":"[1,\"x\"]"}]`},
		{`SELECT i FROM t WHERE i > $1`, []any{100.0}, `[]`},
		{`SELECT COUNT(*) AS n, SUM(r) AS s FROM t`, nil, `[{"n":1,"s":2.5}]`},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			if got := sqlQuery(t, c, conn, tt.query, tt.params...); got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}

func TestDatabaseSQLiteConstraintNotRetryable(t *testing.T) {
	dir := t.TempDir()
	rows := []any{dbObj("id", 1.0), dbObj("id", 2.0), dbObj("id", 3.0), dbObj("id", 1.0)}
	c := dbCall(t, dir, "sink/database", rows, "connection", "sqlite:shop.db", "table", "orders", "batch", 2.0)
	sqlExec(t, c, "sqlite:shop.db", `CREATE TABLE orders (id INTEGER PRIMARY KEY)`)
	e := dbRunErr(t, dbSink{}, c)
	if e.Code != "R610" || e.Retryable {
		t.Errorf("code %s retryable %v, want R610 not retryable", e.Code, e.Retryable)
	}
	if !strings.HasPrefix(e.Message, `insert into "orders": `) || !strings.Contains(e.Message, "UNIQUE") {
		t.Errorf("message %q does not name the table and the constraint", e.Message)
	}
	// One transaction: the first batch was rolled back with the second.
	if got := sqlQuery(t, c, "sqlite:shop.db", "SELECT COUNT(*) AS n FROM orders"); got != `[{"n":0}]` {
		t.Errorf("rows after the failure: %s, want none", got)
	}
}

func TestDatabaseSQLiteErrors(t *testing.T) {
	rows := []any{dbObj("id", 1.0, "v", "a")}
	tests := []struct {
		name    string
		kind    string
		input   any
		fields  []any
		code    string
		message string
	}{
		{"input not rows", "sink/database", "text", nil, "R603", `database sink needs an object or an array of objects, got string "text"`},
		{"item not object", "sink/database", []any{dbObj("id", 1.0), 2.0}, nil, "R603", "database sink needs an array of objects, item 1 is number 2"},
		{"no table", "sink/database", rows, []any{"table", ""}, "R603", "database sink needs a table"},
		{"bad table", "sink/database", rows, []any{"table", "a..b"}, "R603", `invalid table name "a..b"`},
		{"upsert without conflict columns", "sink/database", rows, []any{"operation", "upsert"}, "R603", `operation "upsert" needs conflict-columns`},
		{"update without key", "sink/database", []any{dbObj("v", "x")}, []any{"operation", "update", "key-columns", []any{"id"}}, "R603", `update of "t": row 0 has no key column "id"`},
		{"update only keys", "sink/database", []any{dbObj("id", 1.0)}, []any{"operation", "update", "key-columns", []any{"id"}}, "R603", `update of "t" has no column to set besides the key columns`},
		{"exec without query", "sink/database", rows, []any{"operation", "exec"}, "R610", `operation "exec" needs a query`},
		{"unknown table", "sink/database", rows, []any{"table", "nope"}, "R610", `insert into "nope": `},
		{"unknown schema table", "sink/database", rows, []any{"table", `x.y"z`}, "R610", `insert into "x.y\"z": `},
		{"bad query", "source/database", nil, []any{"query", "SELEC 1"}, "R610", `query on "db/t.db": `},
		{"empty query", "source/database", nil, []any{"query", " "}, "R610", "query is empty"},
		{"missing directory", "source/database", nil, []any{"connection", "nodir/x.db", "query", "SELECT 1"}, "R610", `database file "nodir/x.db" does not exist`},
		{"outside", "source/database", nil, []any{"connection", "sqlite:../x.db", "query", "SELECT 1"}, "R608", `path "../x.db" is outside the workflow directory`},
		{"absolute outside", "sink/database", rows, []any{"connection", "/etc/flowscript-test.db"}, "R608", `path "/etc/flowscript-test.db" is outside the workflow directory`},
		{"unsupported", "source/database", nil, []any{"connection", "mysql://root:s3cret@localhost/db", "query", "SELECT 1"}, "R610", `connection "mysql://root:xxxxx@localhost/db" is not supported`},
		{"empty connection", "source/database", nil, []any{"connection", ""}, "R610", "connection is empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			fields := append([]any{"connection", "sqlite:db/t.db", "table", "t"}, tt.fields...)
			c := dbCall(t, dir, tt.kind, tt.input, fields...)
			sink := dbCall(t, dir, "sink/database", []any{dbObj("id", 0.0, "v", "seed")}, "connection", "sqlite:db/t.db", "table", "t")
			if err := os.MkdirAll(filepath.Join(dir, "db"), 0o755); err != nil {
				t.Fatal(err)
			}
			sqlExec(t, sink, "sqlite:db/t.db", `CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)`)
			var rt Runtime = dbSink{}
			if tt.kind == "source/database" {
				rt = dbSource{}
			}
			e := dbRunErr(t, rt, c)
			if e.Code != tt.code || !strings.HasPrefix(e.Message, tt.message) {
				t.Errorf("got [%s] %q, want [%s] %q…", e.Code, e.Message, tt.code, tt.message)
			}
			if strings.Contains(e.Message, "s3cret") {
				t.Errorf("message shows the password: %q", e.Message)
			}
		})
	}
}

func TestDatabaseSQLiteConfinementAllowPath(t *testing.T) {
	dir, other := t.TempDir(), t.TempDir()
	abs := filepath.Join(other, "x.db")
	c := dbCall(t, dir, "sink/database", []any{dbObj("a", 1.0)}, "connection", abs, "table", "t")
	if e := dbRunErr(t, dbSink{}, c); e.Code != "R608" {
		t.Fatalf("without --allow-path: [%s] %s, want R608", e.Code, e.Message)
	}
	c.AllowPaths = []string{other}
	sqlExec(t, c, "sqlite:"+abs, "CREATE TABLE t (a INTEGER)")
	if got := value.JSON(dbMustRun(t, dbSink{}, c)); got != `{"rows_affected":1,"batches":1}` {
		t.Errorf("output %s", got)
	}
	// A symlink inside the workflow directory pointing outside is refused.
	if err := os.Symlink(other, filepath.Join(dir, "link")); err != nil {
		t.Skip(err)
	}
	c2 := dbCall(t, dir, "source/database", nil, "connection", "link/x.db", "query", "SELECT 1")
	if e := dbRunErr(t, dbSource{}, c2); e.Code != "R608" {
		t.Errorf("through a symlink: [%s] %s, want R608", e.Code, e.Message)
	}
}

func TestDatabaseSQLiteMemorySharedPerRun(t *testing.T) {
	dir := t.TempDir()
	c := dbCall(t, dir, "sink/database", []any{dbObj("a", 1.0), dbObj("a", 2.0)}, "connection", "sqlite::memory:", "table", "t")
	sqlExec(t, c, "sqlite::memory:", "CREATE TABLE t (a INTEGER)")
	dbMustRun(t, dbSink{}, c)
	if got := sqlQuery(t, c, "sqlite::memory:", "SELECT SUM(a) AS s FROM t"); got != `[{"s":3}]` {
		t.Errorf("same run: %s", got)
	}
	other := dbCall(t, dir, "source/database", nil, "connection", "sqlite::memory:", "query", "SELECT * FROM t")
	if e := dbRunErr(t, dbSource{}, other); e.Code != "R610" || !strings.Contains(e.Message, "no such table") {
		t.Errorf("another run sees the table: [%s] %s", e.Code, e.Message)
	}
	CloseDatabases(c.RunID)
	if e := dbRunErr(t, dbSource{}, dbSameRun(dbCall(t, dir, "source/database", nil, "connection", "sqlite::memory:", "query", "SELECT * FROM t"), c)); !strings.Contains(e.Message, "no such table") {
		t.Errorf("after CloseDatabases: [%s] %s", e.Code, e.Message)
	}
}

func TestDatabaseSQLiteLargeBatchSplitsAtPlaceholderLimit(t *testing.T) {
	dir := t.TempDir()
	const n, cols = 20000, 4
	rows := make([]any, n)
	for i := range rows {
		rows[i] = dbObj("a", float64(i), "b", "x", "c", 1.5, "d", true)
	}
	c := dbCall(t, dir, "sink/database", rows, "connection", "big.db", "table", "t", "batch", 10000.0)
	sqlExec(t, c, "big.db", "CREATE TABLE t (a INTEGER, b TEXT, c REAL, d BOOLEAN)")
	// 10000 rows × 4 columns exceed SQLite's 32766 placeholders: the
	// statements hold 8191 rows, yet there are 2 batches of the node's size.
	if got := value.JSON(dbMustRun(t, dbSink{}, c)); got != `{"rows_affected":20000,"batches":2}` {
		t.Errorf("output %s", got)
	}
	if got := sqlQuery(t, c, "big.db", "SELECT COUNT(*) AS n, SUM(a) AS s, MIN(d) AS d FROM t"); got != `[{"n":20000,"s":199990000,"d":1}]` {
		t.Errorf("rows %s", got)
	}
}

func TestDatabaseSQLiteConcurrentSinks(t *testing.T) {
	dir := t.TempDir()
	c0 := dbCall(t, dir, "source/database", nil)
	sqlExec(t, c0, "sqlite:c.db", "CREATE TABLE t (w INTEGER, i INTEGER)")
	errs := make(chan error, 8)
	for w := range 8 {
		go func() {
			rows := make([]any, 50)
			for i := range rows {
				rows[i] = dbObj("w", float64(w), "i", float64(i))
			}
			c := dbSameRun(dbCall(t, dir, "sink/database", rows, "connection", "sqlite:c.db", "table", "t", "batch", 7.0), c0)
			_, err := dbSink{}.Run(context.Background(), c)
			errs <- err
		}()
	}
	for range 8 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	if got := sqlQuery(t, c0, "sqlite:c.db", "SELECT COUNT(*) AS n FROM t"); got != `[{"n":400}]` {
		t.Errorf("rows %s", got)
	}
}

func TestDatabaseSQLBuilders(t *testing.T) {
	tests := []struct{ got, want string }{
		{quoteIdent(`id`), `"id"`},
		{quoteIdent(`we"ird`), `"we""ird"`},
		{dbMust(quoteTable(`shop.orders`)), `"shop"."orders"`},
		{dbMust(quoteTable(`a"b`)), `"a""b"`},
		{insertSQL(`"t"`, []string{"a", "b"}, 2, true), `INSERT INTO "t" ("a", "b") VALUES ($1, $2), ($3, $4)`},
		{insertSQL(`"t"`, []string{"a"}, 3, false), `INSERT INTO "t" ("a") VALUES (?), (?), (?)`},
		{upsertClause([]string{"id", "a", "b"}, []string{"id"}), ` ON CONFLICT ("id") DO UPDATE SET "a" = excluded."a", "b" = excluded."b"`},
		{upsertClause([]string{"id", "k"}, []string{"id", "k"}), ` ON CONFLICT ("id", "k") DO NOTHING`},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("got %s, want %s", tt.got, tt.want)
		}
	}
}

func dbMust(s string, err error) string {
	if err != nil {
		return "error: " + err.Error()
	}
	return s
}

func TestDatabaseRedactURL(t *testing.T) {
	tests := []struct{ in, want, secret string }{
		{"postgres://u:p%40ss@h:5432/db?sslmode=disable", "postgres://u:xxxxx@h:5432/db?sslmode=disable", "p@ss"},
		{"postgres://u@h/db?password=hunter2", "postgres://u@h/db?password=xxxxx", "hunter2"},
		{"postgres://h/db", "postgres://h/db", ""},
	}
	for _, tt := range tests {
		got, secrets := redactURL(tt.in)
		if got != tt.want {
			t.Errorf("redactURL(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if tt.secret != "" && redact("x "+tt.secret+" y", secrets) != "x xxxxx y" {
			t.Errorf("redact with %v keeps %q", secrets, tt.secret)
		}
	}
}

func TestDatabaseRetryable(t *testing.T) {
	tests := []struct {
		err  error
		want bool
	}{
		{&pgconn.PgError{Code: "23505"}, false}, // unique violation
		{&pgconn.PgError{Code: "23503"}, false}, // foreign key
		{&pgconn.PgError{Code: "42P01"}, false}, // undefined table
		{&pgconn.PgError{Code: "08006"}, true},  // connection failure
		{&pgconn.PgError{Code: "40001"}, true},  // serialization failure
		{&pgconn.PgError{Code: "57P01"}, true},  // admin shutdown
		{errors.New("syntax"), false},
		{fmt.Errorf("read: %w", os.ErrDeadlineExceeded), true},
	}
	for _, tt := range tests {
		if got := dbRetryable(tt.err); got != tt.want {
			t.Errorf("dbRetryable(%v) = %v, want %v", tt.err, got, tt.want)
		}
	}
}

// TestDatabaseSinkExecLazyParams runs exec with params handed over lazily
// (c.Lazy["params"]): they are evaluated per row with $item and $index.
func TestDatabaseSinkExecLazyParams(t *testing.T) {
	p, errs := expr.Compile(`[$item.sku, $index, $item.qty * 2]`, nil, &expr.Names{})
	if len(errs) > 0 {
		t.Fatal(errs[0].Message)
	}
	dir := t.TempDir()
	rows := []any{dbObj("sku", "a", "qty", 1.0), dbObj("sku", "b", "qty", 2.5)}
	c := dbCall(t, dir, "sink/database", rows, "connection", "sqlite::memory:", "operation", "exec",
		"query", "INSERT INTO t (sku, pos, qty) VALUES ($1, $2, $3)")
	c.Lazy = map[string]*expr.Program{"params": p}
	c.Env = &expr.Env{}
	sqlExec(t, c, "sqlite::memory:", "CREATE TABLE t (sku TEXT, pos INTEGER, qty REAL)")
	if got := value.JSON(dbMustRun(t, dbSink{}, c)); got != `{"rows_affected":2,"batches":1}` {
		t.Errorf("output %s", got)
	}
	if got := sqlQuery(t, c, "sqlite::memory:", "SELECT * FROM t ORDER BY pos"); got != `[{"sku":"a","pos":0,"qty":2},{"sku":"b","pos":1,"qty":5}]` {
		t.Errorf("rows %s", got)
	}
}

func TestDatabaseNumericValue(t *testing.T) {
	tests := []struct {
		digits string
		exp    int32
		want   string
	}{
		{"1250", -2, `12.5`},
		{"-5", -3, `-0.005`},
		{"1", -1, `0.1`},
		{"12345678901234567890123", -3, `"12345678901234567890.123"`},
		{"9007199254740993", 0, `"9007199254740993"`},
		{"12", 3, `12000`},
		{"0", -2, `0`},
	}
	for _, tt := range tests {
		i, _ := new(big.Int).SetString(tt.digits, 10)
		got := value.JSON(numericValue(pgtype.Numeric{Int: i, Exp: tt.exp, Valid: true}))
		if got != tt.want {
			t.Errorf("numeric %se%d = %s, want %s", tt.digits, tt.exp, got, tt.want)
		}
	}
}
