package runtimes

import (
	"context"
	"strconv"
	"testing"
)

// BenchmarkSQLiteInsert inserts 100,000 rows of four columns through the
// sink into a SQLite file, one transaction per operation (target: under
// 2 s per 100,000 rows with the default batch of 100).
func BenchmarkSQLiteInsert(b *testing.B) {
	const n = 100_000
	rows := make([]any, n)
	for i := range rows {
		rows[i] = dbObj("id", float64(i), "name", "customer "+strconv.Itoa(i), "total", float64(i)*1.25, "paid", i%2 == 0)
	}
	for _, batch := range []float64{100, 1000} {
		b.Run("batch="+strconv.Itoa(int(batch)), func(b *testing.B) {
			dir := b.TempDir()
			c := dbCall(b, dir, "sink/database", rows, "connection", "sqlite:bench.db", "table", "orders", "batch", batch)
			b.ReportAllocs()
			for b.Loop() {
				b.StopTimer()
				sqlExec(b, c, "sqlite:bench.db", "DROP TABLE IF EXISTS orders",
					"CREATE TABLE orders (id INTEGER PRIMARY KEY, name TEXT, total REAL, paid BOOLEAN)")
				b.StartTimer()
				if _, err := (dbSink{}).Run(context.Background(), c); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}
