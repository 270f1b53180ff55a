package audit

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/bulwarkdb/bulwark/credential"
)

func TestIdentities(t *testing.T) {
	s, path := openTemp(t)
	ctx := context.Background()
	v1, _ := credential.Derive("first secret")
	rev0, err := s.IdentityRevision(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.AddIdentity(ctx, Identity{Name: "ci", Kind: "agent", Route: "app", Verifier: v1}); err != nil {
		t.Fatal(err)
	}
	if err := s.AddIdentity(ctx, Identity{Name: "ci", Kind: "agent", Route: "app", Verifier: v1}); !errors.Is(err, ErrIdentityExists) {
		t.Fatalf("second add: %v", err)
	}
	ids, err := s.Identities(ctx)
	if err != nil || len(ids) != 1 || ids[0].Generation != 1 || string(ids[0].Verifier.MySQLSHA2) != string(v1.MySQLSHA2) {
		t.Fatalf("identities %+v %v", ids, err)
	}
	v2, _ := credential.Derive("second secret")
	if err := s.RotateIdentity(ctx, "ci", v2); err != nil {
		t.Fatal(err)
	}
	if err := s.RevokeIdentity(ctx, "ci"); err != nil {
		t.Fatal(err)
	}
	if err := s.RevokeIdentity(ctx, "ci"); !errors.Is(err, ErrNoIdentity) {
		t.Fatalf("second revoke: %v", err)
	}
	if err := s.RotateIdentity(ctx, "nobody", v2); !errors.Is(err, ErrNoIdentity) {
		t.Fatalf("rotate unknown: %v", err)
	}
	ids, _ = s.Identities(ctx)
	if ids[0].Generation != 3 || ids[0].Revoked == nil || string(ids[0].Verifier.SCRAMStoredKey) != string(v2.SCRAMStoredKey) {
		t.Fatalf("after rotate and revoke: %+v", ids[0])
	}
	if rev, _ := s.IdentityRevision(ctx); rev != rev0+3 {
		t.Fatalf("revision %d, want %d", rev, rev0+3)
	}
	// Another process reading the file sees the same.
	ro, err := OpenSQLiteReadOnly(path)
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	if ids, err := ro.Identities(ctx); err != nil || len(ids) != 1 || ids[0].Revoked == nil {
		t.Fatalf("read-only view: %+v %v", ids, err)
	}
}

// TestSchemaUpgradeFromVersion1: a version 1 file (events only) opened by
// this bulwark gains the identities and keeps its events.
func TestSchemaUpgradeFromVersion1(t *testing.T) {
	path := filepath.Join(t.TempDir(), "v1.db")
	db, err := sql.Open(driver, "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(schema + "PRAGMA user_version = 1; INSERT INTO events (time, rule) VALUES (1, 'drop-object');"); err != nil {
		t.Fatal(err)
	}
	db.Close()
	ro, err := OpenSQLiteReadOnly(path)
	if err != nil {
		t.Fatalf("read-only open of a version 1 file: %v", err)
	}
	if ids, err := ro.Identities(context.Background()); err != nil || ids != nil {
		t.Fatalf("identities of a version 1 file: %v %v", ids, err)
	}
	ro.Close()
	s, err := OpenSQLite(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	evs, err := s.List(context.Background(), Filter{})
	if err != nil || len(evs) != 1 || evs[0].Rule != "drop-object" {
		t.Fatalf("events after upgrade: %+v %v", evs, err)
	}
	v, _ := credential.Derive("x")
	if err := s.AddIdentity(context.Background(), Identity{Name: "a", Kind: "agent", Route: "r", Verifier: v}); err != nil {
		t.Fatalf("add after upgrade: %v", err)
	}
}

// The revision is read from the database only when the files may have
// changed; a change by another process is seen at once all the same.
func TestIdentityRevisionSkipsTheQueryOnlyForQuietFiles(t *testing.T) {
	s, path := openTemp(t)
	ctx := context.Background()
	other, err := OpenSQLite(path) // as `bulwark identities` in another process
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	rev0, err := s.IdentityRevision(ctx)
	if err != nil {
		t.Fatal(err)
	}
	v, _ := credential.Derive("a secret")
	if err := other.AddIdentity(ctx, Identity{Name: "ci", Kind: "agent", Route: "app", Verifier: v}); err != nil {
		t.Fatal(err)
	}
	if rev, err := s.IdentityRevision(ctx); err != nil || rev != rev0+1 {
		t.Fatalf("revision after another connection's change: %d %v, want %d", rev, err, rev0+1)
	}

	// Files last written long ago: the first call reads and the next
	// ones trust the stamp.
	old := time.Now().Add(-time.Hour)
	for _, f := range []string{path, path + "-wal"} {
		if err := os.Chtimes(f, old, old); err != nil {
			t.Fatal(err)
		}
	}
	if rev, err := s.IdentityRevision(ctx); err != nil || rev != rev0+1 {
		t.Fatalf("revision: %d %v", rev, err)
	}
	reads := s.revisionReads
	for range 3 {
		if rev, err := s.IdentityRevision(ctx); err != nil || rev != rev0+1 {
			t.Fatalf("revision: %d %v", rev, err)
		}
	}
	if s.revisionReads != reads {
		t.Fatalf("%d reads of the revision while the files were unchanged, want none", s.revisionReads-reads)
	}

	if err := other.RevokeIdentity(ctx, "ci"); err != nil {
		t.Fatal(err)
	}
	if rev, err := s.IdentityRevision(ctx); err != nil || rev != rev0+2 {
		t.Fatalf("revision after a revocation: %d %v, want %d", rev, err, rev0+2)
	}
}

func TestRevisionCacheTrustsOnlyAStampOlderThanItsRead(t *testing.T) {
	read := time.Now()
	stamp := func(modified time.Time) fileStamp {
		return fileStamp{dbSize: 4096, walSize: 8192, dbTime: modified.UnixNano(), walTime: modified.Add(-time.Minute).UnixNano()}
	}
	quiet, racy := stamp(read.Add(-2*stampMargin)), stamp(read.Add(-stampMargin/2))
	for _, c := range []struct {
		name   string
		put    fileStamp
		get    fileStamp
		at     time.Duration // after the read
		cached bool
	}{
		{"unchanged and quiet", quiet, quiet, time.Second, true},
		{"size changed", quiet, fileStamp{dbSize: 4096, walSize: 12288, dbTime: quiet.dbTime, walTime: quiet.walTime}, time.Second, false},
		{"modified again", quiet, stamp(read.Add(time.Millisecond)), time.Second, false},
		{"modified within the margin of the read", racy, racy, time.Second, false},
		{"older than the longest it is kept", quiet, quiet, revisionMaxAge, false},
		{"clock went back", quiet, quiet, -time.Second, false},
	} {
		var c0 revisionCache
		c0.put(c.put, read, 7)
		n, ok := c0.get(c.get, read.Add(c.at))
		if ok != c.cached || (ok && n != 7) {
			t.Errorf("%s: got %d %v, want cached=%v", c.name, n, ok, c.cached)
		}
	}
}
