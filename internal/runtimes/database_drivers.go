package runtimes

import (
	"context"
	"database/sql"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/flowscript/flowscript/internal/value"
)

// sqlitePool is a SQLite database through database/sql.
type sqlitePool struct{ db *sql.DB }

func (p *sqlitePool) maxParams() int { return sqliteMaxParams }

func (p *sqlitePool) close() { _ = p.db.Close() }

func (p *sqlitePool) query(ctx context.Context, q string, args []any) ([]any, error) {
	rows, err := p.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, err
	}
	types, err := rows.ColumnTypes()
	if err != nil {
		return nil, err
	}
	decl := make([]string, len(cols))
	for i, t := range types {
		decl[i] = strings.ToUpper(t.DatabaseTypeName())
	}
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	out := []any{}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		o := value.NewObject(len(cols))
		for i, c := range cols {
			o.Set(c, sqliteValue(vals[i], decl[i]))
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

func (p *sqlitePool) begin(ctx context.Context) (dbTx, error) {
	tx, err := p.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	return &sqliteTx{tx: tx}, nil
}

// sqliteTx keeps the statements it prepared: a batch of the same size
// reuses the compiled INSERT.
type sqliteTx struct {
	tx    *sql.Tx
	stmts map[string]*sql.Stmt
}

func (t *sqliteTx) exec(ctx context.Context, q string, args []any) (int64, error) {
	st := t.stmts[q]
	if st == nil {
		var err error
		if st, err = t.tx.PrepareContext(ctx, q); err != nil {
			return 0, err
		}
		if t.stmts == nil {
			t.stmts = map[string]*sql.Stmt{}
		}
		t.stmts[q] = st
	}
	res, err := st.ExecContext(ctx, args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

func (t *sqliteTx) closeStmts() {
	for _, st := range t.stmts {
		_ = st.Close()
	}
	t.stmts = nil
}

func (t *sqliteTx) commit(context.Context) error {
	t.closeStmts()
	return t.tx.Commit()
}

func (t *sqliteTx) rollback() {
	t.closeStmts()
	_ = t.tx.Rollback()
}

// pgPool is a PostgreSQL database through pgxpool.
type pgPool struct{ pool *pgxpool.Pool }

func (p *pgPool) maxParams() int { return postgresMaxParams }

func (p *pgPool) close() { p.pool.Close() }

func (p *pgPool) query(ctx context.Context, q string, args []any) ([]any, error) {
	rows, err := p.pool.Query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	fds := rows.FieldDescriptions()
	// json and jsonb are read as text so that objects keep their key
	// order; everything else through pgx's default decoding.
	dests := make([]any, len(fds))
	anys := make([]any, len(fds))
	texts := make([]*string, len(fds))
	textArrays := make([][]*string, len(fds))
	for i, fd := range fds {
		switch fd.DataTypeOID {
		case pgtype.JSONOID, pgtype.JSONBOID:
			dests[i] = &texts[i]
		case pgtype.JSONArrayOID, pgtype.JSONBArrayOID:
			dests[i] = &textArrays[i]
		default:
			dests[i] = &anys[i]
		}
	}
	out := []any{}
	for rows.Next() {
		if err := rows.Scan(dests...); err != nil {
			return nil, err
		}
		o := value.NewObject(len(fds))
		for i, fd := range fds {
			var v any
			switch fd.DataTypeOID {
			case pgtype.JSONOID, pgtype.JSONBOID:
				if texts[i] != nil {
					v = parseJSONText(*texts[i])
				}
			case pgtype.JSONArrayOID, pgtype.JSONBArrayOID:
				if textArrays[i] != nil {
					v = pgValue(textArrays[i], fd.DataTypeOID)
				}
			default:
				v = pgValue(anys[i], fd.DataTypeOID)
			}
			o.Set(fd.Name, v)
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

func (p *pgPool) begin(ctx context.Context) (dbTx, error) {
	tx, err := p.pool.Begin(ctx)
	if err != nil {
		return nil, err
	}
	return &pgTx{tx: tx}, nil
}

type pgTx struct{ tx pgx.Tx }

func (t *pgTx) exec(ctx context.Context, q string, args []any) (int64, error) {
	tag, err := t.tx.Exec(ctx, q, args...)
	if err != nil {
		return 0, err
	}
	return tag.RowsAffected(), nil
}

func (t *pgTx) commit(ctx context.Context) error { return t.tx.Commit(ctx) }

func (t *pgTx) rollback() { _ = t.tx.Rollback(context.Background()) }
