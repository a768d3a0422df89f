package runtimes

import (
	"fmt"
	"net"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/flowscript/flowscript/internal/value"
)

// pgURL returns the test server's URL (FLOWSCRIPT_TEST_POSTGRES_URL, set by
// .ci/run). Without it the test fails under CI=true and is skipped
// otherwise.
func pgURL(t testing.TB) string {
	t.Helper()
	u := os.Getenv("FLOWSCRIPT_TEST_POSTGRES_URL")
	if u == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("FLOWSCRIPT_TEST_POSTGRES_URL is not set: .ci/run starts a PostgreSQL server for these tests")
		}
		t.Skip("FLOWSCRIPT_TEST_POSTGRES_URL is not set: run the tests through .ci/run for PostgreSQL (docs/testing.md)")
	}
	return u
}

// pgSchema creates a schema of its own for the test, dropped at the end,
// and returns a setup Call whose run holds the pool.
func pgSchema(t *testing.T) (string, string, *Call) {
	t.Helper()
	conn := pgURL(t)
	c0 := dbCall(t, t.TempDir(), "source/database", nil)
	schema := fmt.Sprintf("fs_test_%d", dbTestRuns.Add(1)+int64(os.Getpid())*1000)
	sqlExec(t, c0, conn, "DROP SCHEMA IF EXISTS "+schema+" CASCADE", "CREATE SCHEMA "+schema)
	t.Cleanup(func() {
		c := dbCall(t, t.TempDir(), "source/database", nil, "connection", conn, "query", "DROP SCHEMA IF EXISTS "+schema+" CASCADE")
		_, _ = dbSource{}.Run(t.Context(), c)
	})
	return conn, schema, c0
}

func TestDatabasePostgresTypes(t *testing.T) {
	conn, s, c0 := pgSchema(t)
	sqlExec(t, c0, conn,
		`CREATE TABLE `+s+`.t (
			i int4, big int8, huge int8, f4 float4, f8 float8,
			n1 numeric(10,2), n2 numeric, n3 numeric, nn numeric,
			b bytea, ok bool, tx text, d date, ts timestamp, tz timestamptz,
			j json, jb jsonb, ia int4[], ta text[], u uuid, nul text, tm time)`,
		`SET TIME ZONE 'Europe/Paris'`,
		`INSERT INTO `+s+`.t VALUES (
			42, 9007199254740993, 12, 1.1, 2.5,
			12.50, 12345678901234567890.123, 0.1, 'NaN',
			'\x00ff10', true, 'héllo', '2026-11-25', '2026-11-25 10:15:00.5', '2026-11-25 11:15:00+01',
			'{"z": 1, "a": [true, null]}', '{"z": 1, "a": {"c": 2, "b": 1}}', '{1,2,3}', '{"x",NULL}',
			'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', NULL, '10:15:30')`,
	)
	tests := []struct {
		query  string
		params []any
		want   string
	}{
		{`SELECT i, big, huge, f4, f8 FROM ` + s + `.t`, nil, `[{"i":42,"big":"9007199254740993","huge":12,"f4":1.1,"f8":2.5}]`},
		{`SELECT n1, n2, n3, nn FROM ` + s + `.t`, nil, `[{"n1":12.5,"n2":"12345678901234567890.123","n3":0.1,"nn":"NaN"}]`},
		{`SELECT b, ok, tx, nul FROM ` + s + `.t`, nil, `[{"b":"AP8Q","ok":true,"tx":"héllo","nul":null}]`},
		{`SELECT d, ts, tz, tm FROM ` + s + `.t`, nil, `[{"d":"2026-11-25","ts":"2026-11-25T10:15:00.5","tz":"2026-11-25T10:15:00Z","tm":"10:15:30"}]`},
		{`SELECT j, jb FROM ` + s + `.t`, nil, `[{"j":{"z":1,"a":[true,null]},"jb":{"a":{"b":1,"c":2},"z":1}}]`},
		{`SELECT ia, ta, u FROM ` + s + `.t`, nil, `[{"ia":[1,2,3],"ta":["x",null],"u":"a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"}]`},
		{`SELECT ARRAY['{"b":1,"a":2}'::json] AS ja, ARRAY['2026-01-02'::date] AS da`, nil, `[{"ja":[{"b":1,"a":2}],"da":["2026-01-02"]}]`},
		{`SELECT $2::text AS two, $1::int AS one, $3::bool AS b, $4::numeric AS n, $5::jsonb AS o, $6::int[] AS arr`,
			[]any{7.0, "x", true, 1.5, dbObj("k", "v"), []any{1.0, 2.0}},
			`[{"two":"x","one":7,"b":true,"n":1.5,"o":{"k":"v"},"arr":[1,2]}]`},
		{`SELECT i FROM ` + s + `.t WHERE i > $1`, []any{100.0}, `[]`},
		// A fractional number keeps its fraction for float and numeric
		// parameters (it used to be truncated toward zero).
		{`SELECT $1::float8 AS f, $2::numeric AS n, $3::real AS r`, []any{2.7, -3.25, 0.5}, `[{"f":2.7,"n":-3.25,"r":0.5}]`},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			if got := sqlQuery(t, c0, conn, tt.query, tt.params...); got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}

func TestDatabasePostgresSink(t *testing.T) {
	three := []any{
		dbObj("id", 1.0, "customer", "Ada", "total", 120.0, "paid_at", "2026-11-25T10:15:00Z", "tags", []any{"a", "b"}, "meta", dbObj("b", 1.0)),
		dbObj("id", 2.0, "customer", "Linus", "total", "40.10"),
		dbObj("id", 3.0, "customer", "Grace", "total", 75.5, `we"ird`, "q"),
	}
	seed := `INSERT INTO %s.orders (id, customer, total) VALUES (1, 'Ada', 1), (2, 'Old', 2)`
	tests := []struct {
		name   string
		seed   bool
		input  any
		fields []any
		want   string
		rows   string
	}{
		{
			name: "insert", input: three, fields: []any{"batch", 2.0},
			want: `{"rows_affected":3,"batches":2}`,
			rows: `[{"id":1,"customer":"Ada","total":120,"paid_at":"2026-11-25T10:15:00Z","tags":["a","b"],"meta":{"b":1},"we\"ird":null},{"id":2,"customer":"Linus","total":40.1,"paid_at":null,"tags":null,"meta":null,"we\"ird":null},{"id":3,"customer":"Grace","total":75.5,"paid_at":null,"tags":null,"meta":null,"we\"ird":"q"}]`,
		},
		{
			name: "upsert", seed: true, input: []any{dbObj("id", 2.0, "customer", "New", "total", 5.0), dbObj("id", 4.0, "customer", "Ken", "total", 4.0)},
			fields: []any{"operation", "upsert", "conflict-columns", []any{"id"}},
			want:   `{"rows_affected":2,"batches":1}`,
			rows:   `[{"id":1,"customer":"Ada","total":1,"paid_at":null,"tags":null,"meta":null,"we\"ird":null},{"id":2,"customer":"New","total":5,"paid_at":null,"tags":null,"meta":null,"we\"ird":null},{"id":4,"customer":"Ken","total":4,"paid_at":null,"tags":null,"meta":null,"we\"ird":null}]`,
		},
		{
			name: "upsert do nothing", seed: true, input: []any{dbObj("id", 1.0), dbObj("id", 5.0)},
			fields: []any{"operation", "upsert", "conflict-columns", []any{"id"}},
			want:   `{"rows_affected":1,"batches":1}`,
			rows:   `[{"id":1,"customer":"Ada","total":1,"paid_at":null,"tags":null,"meta":null,"we\"ird":null},{"id":2,"customer":"Old","total":2,"paid_at":null,"tags":null,"meta":null,"we\"ird":null},{"id":5,"customer":"?","total":null,"paid_at":null,"tags":null,"meta":null,"we\"ird":null}]`,
		},
		{
			name: "update", seed: true, input: []any{dbObj("id", 2.0, "total", 20.0), dbObj("id", 9.0, "total", 1.0)},
			fields: []any{"operation", "update", "key-columns", []any{"id"}},
			want:   `{"rows_affected":1,"batches":1}`,
			rows:   `[{"id":1,"customer":"Ada","total":1,"paid_at":null,"tags":null,"meta":null,"we\"ird":null},{"id":2,"customer":"Old","total":20,"paid_at":null,"tags":null,"meta":null,"we\"ird":null}]`,
		},
		{
			name: "exec", seed: true, input: []any{dbObj(), dbObj()},
			fields: []any{"operation", "exec", "query", "UPDATE %s.orders SET total = total * $1", "params", []any{2.0}},
			want:   `{"rows_affected":4,"batches":1}`,
			rows:   `[{"id":1,"customer":"Ada","total":4,"paid_at":null,"tags":null,"meta":null,"we\"ird":null},{"id":2,"customer":"Old","total":8,"paid_at":null,"tags":null,"meta":null,"we\"ird":null}]`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			conn, s, c0 := pgSchema(t)
			sqlExec(t, c0, conn, `CREATE TABLE `+s+`.orders (id int PRIMARY KEY, customer text NOT NULL DEFAULT '?', total numeric(10,2), paid_at timestamptz, tags text[], meta jsonb, "we""ird" text)`)
			if tt.seed {
				sqlExec(t, c0, conn, fmt.Sprintf(seed, s))
			}
			fields := append([]any{"connection", conn, "table", s + ".orders"}, tt.fields...)
			for i, f := range fields {
				if q, ok := f.(string); ok && strings.Contains(q, "%s") {
					fields[i] = fmt.Sprintf(q, s)
				}
			}
			c := dbSameRun(dbCall(t, c0.WorkflowDir, "sink/database", tt.input, fields...), c0)
			if got := value.JSON(dbMustRun(t, dbSink{}, c)); got != tt.want {
				t.Errorf("output = %s, want %s", got, tt.want)
			}
			if rows := sqlQuery(t, c0, conn, "SELECT * FROM "+s+".orders ORDER BY id"); rows != tt.rows {
				t.Errorf("rows = %s\nwant   %s", rows, tt.rows)
			}
		})
	}
}

func TestDatabasePostgresConstraintNotRetryable(t *testing.T) {
	conn, s, c0 := pgSchema(t)
	sqlExec(t, c0, conn, `CREATE TABLE `+s+`.orders (id int PRIMARY KEY)`)
	rows := []any{dbObj("id", 1.0), dbObj("id", 2.0), dbObj("id", 1.0)}
	c := dbSameRun(dbCall(t, c0.WorkflowDir, "sink/database", rows, "connection", conn, "table", s+".orders", "batch", 2.0), c0)
	e := dbRunErr(t, dbSink{}, c)
	if e.Code != "R610" || e.Retryable {
		t.Errorf("code %s retryable %v, want R610 not retryable", e.Code, e.Retryable)
	}
	want := `insert into "` + s + `.orders": duplicate key value violates unique constraint "orders_pkey" (SQLSTATE 23505)`
	if e.Message != want {
		t.Errorf("message %q\nwant    %q", e.Message, want)
	}
	if got := sqlQuery(t, c0, conn, "SELECT COUNT(*) AS n FROM "+s+".orders"); got != `[{"n":0}]` {
		t.Errorf("rows after the failure: %s, want none (one transaction)", got)
	}
	// A large load in one go (placeholders split batches at 65535).
	big := make([]any, 30000)
	for i := range big {
		big[i] = dbObj("id", float64(i))
	}
	c = dbSameRun(dbCall(t, c0.WorkflowDir, "sink/database", big, "connection", conn, "table", s+".orders", "batch", 10000.0), c0)
	if got := value.JSON(dbMustRun(t, dbSink{}, c)); got != `{"rows_affected":30000,"batches":3}` {
		t.Errorf("big load: %s", got)
	}
}

// A fractional number written to an integer column is refused (R610),
// never truncated.
func TestDatabasePostgresFractionIntoInteger(t *testing.T) {
	conn, s, c0 := pgSchema(t)
	sqlExec(t, c0, conn, `CREATE TABLE `+s+`.q (id int, q int)`)
	c := dbSameRun(dbCall(t, c0.WorkflowDir, "sink/database", []any{dbObj("id", 1.0, "q", 2.7)}, "connection", conn, "table", s+".q"), c0)
	if e := dbRunErr(t, dbSink{}, c); e.Code != "R610" || !strings.Contains(e.Message, `invalid input syntax for type integer: "2.7"`) {
		t.Errorf("error %s %q", e.Code, e.Message)
	}
	if got := sqlQuery(t, c0, conn, "SELECT COUNT(*) AS n FROM "+s+".q"); got != `[{"n":0}]` {
		t.Errorf("rows: %s", got)
	}
}

func TestDatabasePostgresConnectionErrors(t *testing.T) {
	u, err := url.Parse(pgURL(t))
	if err != nil {
		t.Fatal(err)
	}
	// A port nobody listens on: a connection error, retryable.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := ln.Addr().String()
	ln.Close()
	refused := "postgres://flow:s3cret-pw@" + dead + "/db?sslmode=disable&connect_timeout=5"
	wrongPW := *u
	wrongPW.User = url.UserPassword(u.User.Username(), "s3cret-pw")
	tests := []struct {
		name, conn string
		retryable  bool
	}{
		{"refused", refused, true},
		{"wrong password", wrongPW.String(), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := dbCall(t, t.TempDir(), "source/database", nil, "connection", tt.conn, "query", "SELECT 1")
			e := dbRunErr(t, dbSource{}, c)
			if e.Code != "R610" || e.Retryable != tt.retryable {
				t.Errorf("[%s] retryable %v, want R610 retryable %v: %s", e.Code, e.Retryable, tt.retryable, e.Message)
			}
			if strings.Contains(e.Message, "s3cret") || strings.Contains(strings.Join(e.Hints, " "), "s3cret") {
				t.Errorf("message shows the password: %q", e.Message)
			}
			if !strings.Contains(e.Message, "xxxxx") {
				t.Errorf("message %q does not name the database", e.Message)
			}
			sink := dbCall(t, t.TempDir(), "sink/database", []any{dbObj("a", 1.0)}, "connection", tt.conn, "table", "t")
			if e := dbRunErr(t, dbSink{}, sink); e.Code != "R610" || e.Retryable != tt.retryable || strings.Contains(e.Message, "s3cret") {
				t.Errorf("sink: [%s] retryable %v: %s", e.Code, e.Retryable, e.Message)
			}
		})
	}
}
