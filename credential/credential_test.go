package credential

import (
	"crypto/rand"
	"testing"

	"github.com/go-mysql-org/go-mysql/mysql"
	"github.com/xdg-go/scram"
)

func TestVerifiers(t *testing.T) {
	secret, err := NewSecret()
	if err != nil || len(secret) != 43 {
		t.Fatalf("secret %q, %v", secret, err)
	}
	v, err := Derive(secret)
	if err != nil {
		t.Fatal(err)
	}
	scramble := make([]byte, 20)
	_, _ = rand.Read(scramble)

	t.Run("mysql_native_password answers are checked", func(t *testing.T) {
		if err := v.CheckMySQLNative(scramble, mysql.CalcNativePassword(scramble, []byte(secret))); err != nil {
			t.Fatalf("right secret refused: %v", err)
		}
		if err := v.CheckMySQLNative(scramble, mysql.CalcNativePassword(scramble, []byte(secret+"x"))); err == nil {
			t.Fatal("wrong secret accepted")
		}
		if err := v.CheckMySQLNative(scramble, nil); err == nil {
			t.Fatal("empty answer accepted")
		}
	})
	t.Run("caching_sha2_password fast answers are checked", func(t *testing.T) {
		if err := v.CheckMySQLSHA2(scramble, mysql.CalcCachingSha2Password(scramble, []byte(secret))); err != nil {
			t.Fatalf("right secret refused: %v", err)
		}
		if err := v.CheckMySQLSHA2(scramble, mysql.CalcCachingSha2Password(scramble, []byte("nope"))); err == nil {
			t.Fatal("wrong secret accepted")
		}
	})
	t.Run("SCRAM-SHA-256 conversations succeed only with the secret", func(t *testing.T) {
		for _, try := range []struct {
			password string
			ok       bool
		}{{secret, true}, {"wrong", false}} {
			server, err := scram.SHA256.NewServer(func(string) (scram.StoredCredentials, error) { return v.SCRAM(), nil })
			if err != nil {
				t.Fatal(err)
			}
			client, _ := scram.SHA256.NewClient("agent", try.password, "")
			cc, sc := client.NewConversation(), server.NewConversation()
			msg, err := cc.Step("")
			for err == nil && !cc.Done() {
				if msg, err = sc.Step(msg); err != nil {
					break
				}
				msg, err = cc.Step(msg)
			}
			if ok := err == nil && sc.Valid(); ok != try.ok {
				t.Fatalf("password %q: valid %v (err %v), want %v", try.password, ok, err, try.ok)
			}
		}
	})
	t.Run("two derivations of one secret differ in salt", func(t *testing.T) {
		w, _ := Derive(secret)
		if string(w.SCRAMSalt) == string(v.SCRAMSalt) {
			t.Fatal("salt reused")
		}
	})
}
