package integration

import (
	"fmt"
	"testing"
	"time"
)

// BenchmarkSnapshot measures what a snapshot costs on PostgreSQL, side by
// side with the same statement without one (policy allow), on tables of
// 10,000 and 1,000,000 rows:
//
//	go test ./integration -run '^$' -bench Snapshot -benchtime 3x
//
// It reports the statement's time through bulwark with and without the
// snapshot, and the snapshot's size. DROP with a snapshot is a move, whose
// time should not grow with the table.
func BenchmarkSnapshot(b *testing.B) {
	snap := startProxy(b, withSnapshots)
	plain := startProxy(b, withPolicy("drop", "allow"), withPolicy("delete", "allow"), withPolicy("truncate", "allow"))
	for _, rows := range []int{10_000, 1_000_000} {
		for _, stmt := range []string{"DELETE FROM snap_bench", "TRUNCATE snap_bench", "DROP TABLE snap_bench"} {
			b.Run(fmt.Sprintf("%s/rows=%d", stmt, rows), func(b *testing.B) {
				var with, without time.Duration
				var size int64
				for i := 0; i < b.N; i++ {
					for _, p := range []*testProxy{plain, snap} {
						b.StopTimer()
						adminExec(b, "DROP TABLE IF EXISTS snap_bench",
							"CREATE TABLE snap_bench (id bigint PRIMARY KEY, note text, qty int)",
							fmt.Sprintf("INSERT INTO snap_bench SELECT g, 'note number ' || g, g %% 100 FROM generate_series(1, %d) g", rows),
							"ALTER TABLE snap_bench OWNER TO "+agentUser, "VACUUM ANALYZE snap_bench")
						conn := connectPgx(b, p.AgentDSN())
						b.StartTimer()
						start := time.Now()
						if _, err := conn.Exec(testCtx(b), stmt); err != nil {
							b.Fatalf("%s: %v", stmt, err)
						}
						if p == snap {
							with += time.Since(start)
						} else {
							without += time.Since(start)
						}
						b.StopTimer()
						if p == snap {
							var n int64
							if err := adminDB.QueryRow("SELECT size_bytes FROM bulwark_recycle.snapshots ORDER BY id DESC LIMIT 1").Scan(&n); err != nil {
								b.Fatal(err)
							}
							size = n
						}
						_ = conn.Close(testCtx(b))
						b.StartTimer()
					}
				}
				b.ReportMetric(float64(with.Milliseconds())/float64(b.N), "ms/op-snapshot")
				b.ReportMetric(float64(without.Milliseconds())/float64(b.N), "ms/op-plain")
				b.ReportMetric(float64(size)/(1<<20), "MiB-snapshot")
			})
		}
	}
	b.Cleanup(func() {
		_, _ = adminDB.Exec("DROP TABLE IF EXISTS snap_bench")
		purgeAll(b)
	})
}

// purgeAll drops every snapshot of the test database.
func purgeAll(tb testing.TB) {
	if _, err := pgCatalog().Purge(testCtx(tb), time.Now().Add(time.Hour)); err != nil {
		tb.Errorf("purge: %v", err)
	}
}
