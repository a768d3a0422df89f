package runtimes

import (
	"context"
	"strconv"
	"strings"

	"github.com/flowscript/flowscript/internal/value"
)

// databaseRuntimes returns source/database and sink/database
// (spec/nodes.md §2.4).
func databaseRuntimes() []Runtime { return []Runtime{dbSource{}, dbSink{}} }

// dbSource runs a query and outputs its rows.
type dbSource struct{}

func (dbSource) Kind() string { return "source/database" }

// Run runs `query` with `params` bound to $1, $2, … (or ?) and returns the
// rows as objects, columns in query order.
func (dbSource) Run(ctx context.Context, c *Call) (any, error) {
	cs, err := parseConnection(c, c.Str("connection"))
	if err != nil {
		return nil, err
	}
	q := c.Str("query")
	if strings.TrimSpace(q) == "" {
		return nil, Errorf("R610", false, "query is empty")
	}
	params, err := listField(c, "params")
	if err != nil {
		return nil, err
	}
	pool, err := openPool(c, cs, false)
	if err != nil {
		return nil, err
	}
	rows, err := pool.query(ctx, q, dbArgs(params, cs.postgres))
	if err != nil {
		return nil, dbError(err, "query on "+quote(cs.display), cs)
	}
	return rows, nil
}

// dbSink writes its input rows to a table, or runs a statement per row.
type dbSink struct{}

func (dbSink) Kind() string { return "sink/database" }

// sinkJob is one sink execution: what to write and where.
type sinkJob struct {
	c     *Call
	cs    connSpec
	tx    dbTx
	table string // as written, for messages
	qt    string // quoted for SQL
	rows  []*value.Object
	items []any // the same rows, for $items
	cols  []string
	batch int
	max   int // placeholders per statement
}

// Run writes the input (an object or an array of objects) in one
// transaction and returns {rows_affected, batches}.
func (dbSink) Run(ctx context.Context, c *Call) (any, error) {
	rows, items, err := sinkRows(c.Input)
	if err != nil {
		return nil, err
	}
	op := c.Str("operation")
	if op == "" {
		op = "insert"
	}
	j := &sinkJob{c: c, rows: rows, items: items, batch: int(c.Num("batch", 100))}
	if j.batch < 1 {
		j.batch = 1
	}
	j.table = c.Str("table")
	if op != "exec" {
		if j.qt, err = quoteTable(j.table); err != nil {
			return nil, err
		}
	} else if strings.TrimSpace(c.Str("query")) == "" {
		return nil, Errorf("R610", false, "operation \"exec\" needs a query")
	}
	var conflict, keys []string
	switch op {
	case "upsert":
		if conflict, err = columnList(c, "conflict-columns", op); err != nil {
			return nil, err
		}
	case "update":
		if keys, err = columnList(c, "key-columns", op); err != nil {
			return nil, err
		}
	}
	if len(rows) == 0 {
		return sinkOutput(0, 0), nil
	}
	if j.cs, err = parseConnection(c, c.Str("connection")); err != nil {
		return nil, err
	}
	pool, err := openPool(c, j.cs, true)
	if err != nil {
		return nil, err
	}
	j.max = pool.maxParams()
	j.cols = unionColumns(rows)
	if j.tx, err = pool.begin(ctx); err != nil {
		return nil, dbError(err, "cannot begin a transaction on "+quote(j.cs.display), j.cs)
	}
	var affected int64
	var batches int
	switch op {
	case "insert":
		affected, batches, err = j.insert(ctx, "")
	case "upsert":
		affected, batches, err = j.insert(ctx, upsertClause(j.cols, conflict))
	case "update":
		affected, batches, err = j.update(ctx, keys)
	case "exec":
		affected, batches, err = j.exec(ctx)
	default:
		err = Errorf("R603", false, "unknown operation %s", quote(op))
	}
	if err != nil {
		j.tx.rollback()
		return nil, err
	}
	if err := j.tx.commit(ctx); err != nil {
		j.tx.rollback()
		return nil, dbError(err, "commit to "+j.what(op), j.cs)
	}
	return sinkOutput(affected, batches), nil
}

func sinkOutput(affected int64, batches int) *value.Object {
	return value.ObjectOf("rows_affected", float64(affected), "batches", float64(batches))
}

// what names the target of an operation in messages: `insert into
// "orders"`, `update of "orders"`, `exec on "data/shop.db"`.
func (j *sinkJob) what(op string) string {
	switch op {
	case "insert", "upsert":
		return op + " into " + quote(j.table)
	case "update":
		return "update of " + quote(j.table)
	}
	return "exec on " + quote(j.cs.display)
}

// insert writes the rows with one multi-row INSERT per batch (fewer rows
// when a batch would exceed the driver's placeholder limit); suffix is
// the upsert's ON CONFLICT clause.
func (j *sinkJob) insert(ctx context.Context, suffix string) (int64, int, error) {
	op := "insert"
	if suffix != "" {
		op = "upsert"
	}
	per := j.batch
	if len(j.cols) > 0 && per > j.max/len(j.cols) {
		per = j.max / len(j.cols)
	}
	var affected int64
	var sqlFull string
	args := make([]any, 0, min(per, len(j.rows))*max(len(j.cols), 1))
	for start := 0; start < len(j.rows); start += per {
		if err := ctx.Err(); err != nil {
			return 0, 0, err
		}
		chunk := j.rows[start:min(start+per, len(j.rows))]
		if len(j.cols) == 0 {
			// Only empty objects: one row of defaults each.
			for range chunk {
				n, err := j.tx.exec(ctx, "INSERT INTO "+j.qt+" DEFAULT VALUES", nil)
				if err != nil {
					return 0, 0, dbError(err, j.what(op), j.cs)
				}
				affected += n
			}
			continue
		}
		var q string
		if len(chunk) == per && sqlFull != "" {
			q = sqlFull
		} else {
			q = insertSQL(j.qt, j.cols, len(chunk), j.cs.postgres) + suffix
			if len(chunk) == per {
				sqlFull = q
			}
		}
		args = args[:0]
		for _, r := range chunk {
			for _, col := range j.cols {
				v, _ := r.Get(col)
				args = append(args, dbArg(v, j.cs.postgres))
			}
		}
		n, err := j.tx.exec(ctx, q, args)
		if err != nil {
			return 0, 0, dbError(err, j.what(op), j.cs)
		}
		affected += n
	}
	// batches counts the batches of the node's batch size (nodes.md §2.4);
	// a batch split further to stay under the driver's placeholder limit
	// is still one.
	batches := (len(j.rows) + j.batch - 1) / j.batch
	return affected, batches, nil
}

// update runs one UPDATE per row: the columns other than the key columns
// are set where the key columns equal the row's values.
func (j *sinkJob) update(ctx context.Context, keys []string) (int64, int, error) {
	isKey := map[string]bool{}
	for _, k := range keys {
		isKey[k] = true
	}
	var set []string
	for _, col := range j.cols {
		if !isKey[col] {
			set = append(set, col)
		}
	}
	if len(set) == 0 {
		return 0, 0, Errorf("R603", false, "update of %s has no column to set besides the key columns", quote(j.table))
	}
	for i, r := range j.rows {
		for _, k := range keys {
			if !r.Has(k) {
				return 0, 0, Errorf("R603", false, "update of %s: row %d has no key column %s", quote(j.table), i, quote(k))
			}
		}
	}
	var b strings.Builder
	b.WriteString("UPDATE " + j.qt + " SET ")
	for i, col := range set {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(quoteIdent(col) + " = $" + strconv.Itoa(i+1))
	}
	b.WriteString(" WHERE ")
	for i, k := range keys {
		if i > 0 {
			b.WriteString(" AND ")
		}
		b.WriteString(quoteIdent(k) + " = $" + strconv.Itoa(len(set)+i+1))
	}
	q := b.String()
	var affected int64
	args := make([]any, len(set)+len(keys))
	for i, r := range j.rows {
		if i%j.batch == 0 {
			if err := ctx.Err(); err != nil {
				return 0, 0, err
			}
		}
		for x, col := range set {
			v, _ := r.Get(col)
			args[x] = dbArg(v, j.cs.postgres)
		}
		for x, k := range keys {
			v, _ := r.Get(k)
			args[len(set)+x] = dbArg(v, j.cs.postgres)
		}
		n, err := j.tx.exec(ctx, q, args)
		if err != nil {
			return 0, 0, dbError(err, j.what("update"), j.cs)
		}
		affected += n
	}
	return affected, batchCount(len(j.rows), j.batch), nil
}

// exec runs `query` once per row. Its params are evaluated per row with
// $item and $index when the executor hands them over lazily; otherwise the
// rendered list is bound for every row.
func (j *sinkJob) exec(ctx context.Context) (int64, int, error) {
	q := j.c.Str("query")
	lazy := j.c.Lazy["params"]
	deferred := j.c.Deferred["params"]
	static, err := listField(j.c, "params")
	if err != nil {
		return 0, 0, err
	}
	var affected int64
	if (lazy != nil || deferred != nil) && j.c.Env != nil {
		j.c.Env.BeginItems()
	}
	for i, r := range j.rows {
		if i%j.batch == 0 {
			if err := ctx.Err(); err != nil {
				return 0, 0, err
			}
		}
		params := static
		if lazy != nil || deferred != nil {
			env := j.c.Env
			if env == nil {
				return 0, 0, Errorf("R601", false, "params need an evaluation environment")
			}
			env.SetItem(r, i, i == 0, i == len(j.rows)-1, j.items)
			var v any
			var err error
			if lazy != nil {
				v, err = itemEval(lazy, env, r, float64(i))
			} else {
				v, err = deferred(env)
			}
			if err != nil {
				return 0, 0, err
			}
			xs, ok := v.([]any)
			if !ok && v != nil {
				return 0, 0, Errorf("R603", false, "params must be an array, got %s", value.TypeName(v))
			}
			params = xs
		}
		n, err := j.tx.exec(ctx, q, dbArgs(params, j.cs.postgres))
		if err != nil {
			return 0, 0, dbError(err, j.what("exec")+" (row "+strconv.Itoa(i)+")", j.cs)
		}
		affected += n
	}
	return affected, batchCount(len(j.rows), j.batch), nil
}

func batchCount(n, batch int) int { return (n + batch - 1) / batch }

// sinkRows checks the sink input: an object (one row) or an array of
// objects.
func sinkRows(in any) ([]*value.Object, []any, error) {
	switch x := in.(type) {
	case *value.Object:
		return []*value.Object{x}, []any{x}, nil
	case []any:
		rows := make([]*value.Object, len(x))
		for i, it := range x {
			o, ok := it.(*value.Object)
			if !ok {
				return nil, nil, Errorf("R603", false, "database sink needs an array of objects, item %d is %s", i, value.Describe(it))
			}
			rows[i] = o
		}
		return rows, x, nil
	}
	return nil, nil, Errorf("R603", false, "database sink needs an object or an array of objects, got %s", value.Describe(in))
}

// unionColumns returns the keys of all rows in first-seen order.
func unionColumns(rows []*value.Object) []string {
	var cols []string
	seen := map[string]bool{}
	for _, r := range rows {
		for _, k := range r.Keys() {
			if !seen[k] {
				seen[k] = true
				cols = append(cols, k)
			}
		}
	}
	return cols
}

// listField returns a list field (nil when absent).
func listField(c *Call, name string) ([]any, error) {
	v := c.Fields[name]
	if v == nil {
		return nil, nil
	}
	xs, ok := v.([]any)
	if !ok {
		return nil, Errorf("R603", false, "field %s expects an array, got %s", quote(name), value.TypeName(v))
	}
	return xs, nil
}

// columnList returns the column names of conflict-columns or key-columns.
func columnList(c *Call, name, op string) ([]string, error) {
	xs, err := listField(c, name)
	if err != nil {
		return nil, err
	}
	if len(xs) == 0 {
		return nil, Errorf("R603", false, "operation %s needs %s", quote(op), name)
	}
	out := make([]string, len(xs))
	for i, x := range xs {
		s, ok := x.(string)
		if !ok || s == "" {
			return nil, Errorf("R603", false, "%s must be column names, item %d is %s", name, i, value.Describe(x))
		}
		out[i] = s
	}
	return out, nil
}

// quoteIdent quotes an SQL identifier: "name", inner quotes doubled.
func quoteIdent(s string) string {
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}

// quoteTable quotes `name` or `schema.name`.
func quoteTable(t string) (string, error) {
	if strings.TrimSpace(t) == "" {
		return "", Errorf("R603", false, "database sink needs a table")
	}
	parts := strings.Split(t, ".")
	for i, p := range parts {
		if p == "" {
			return "", Errorf("R603", false, "invalid table name %s", quote(t))
		}
		parts[i] = quoteIdent(p)
	}
	return strings.Join(parts, "."), nil
}

// insertSQL builds `INSERT INTO t ("a", "b") VALUES ($1, $2), ($3, $4)`,
// with anonymous `?` placeholders when numbered is false (SQLite: a
// statement of thousands of named $N parameters is quadratic to prepare).
func insertSQL(qt string, cols []string, rows int, numbered bool) string {
	var b strings.Builder
	b.Grow(len(qt) + 32 + len(cols)*16 + rows*len(cols)*8)
	b.WriteString("INSERT INTO ")
	b.WriteString(qt)
	b.WriteString(" (")
	for i, c := range cols {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(quoteIdent(c))
	}
	b.WriteString(") VALUES ")
	n := 1
	for r := 0; r < rows; r++ {
		if r > 0 {
			b.WriteString(", ")
		}
		b.WriteByte('(')
		for i := range cols {
			if i > 0 {
				b.WriteString(", ")
			}
			if numbered {
				b.WriteByte('$')
				b.WriteString(strconv.Itoa(n))
				n++
			} else {
				b.WriteByte('?')
			}
		}
		b.WriteByte(')')
	}
	return b.String()
}

// upsertClause is ` ON CONFLICT ("k") DO UPDATE SET "a" = excluded."a"`, or
// DO NOTHING when every column is a conflict column.
func upsertClause(cols, conflict []string) string {
	var b strings.Builder
	b.WriteString(" ON CONFLICT (")
	isKey := map[string]bool{}
	for i, k := range conflict {
		isKey[k] = true
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(quoteIdent(k))
	}
	b.WriteString(")")
	first := true
	for _, c := range cols {
		if isKey[c] {
			continue
		}
		if first {
			b.WriteString(" DO UPDATE SET ")
			first = false
		} else {
			b.WriteString(", ")
		}
		b.WriteString(quoteIdent(c) + " = excluded." + quoteIdent(c))
	}
	if first {
		b.WriteString(" DO NOTHING")
	}
	return b.String()
}
