package pgwire

import (
	"reflect"
	"testing"
)

func TestStartupSettings(t *testing.T) {
	cases := []struct {
		name   string
		params map[string]string
		want   [][2]string
		unread string
	}{
		{name: "session parameters are not settings",
			params: map[string]string{"user": "u", "database": "d", "replication": "false", "_pq_.opt": "x", "application_name": "app"},
			want:   [][2]string{{"application_name", "app"}}},
		{name: "options in each form, sorted with the parameters",
			params: map[string]string{"options": "-c work_mem=8MB  -cstatement_timeout=5s\t--session-replication-role=replica", "DateStyle": "ISO"},
			want:   [][2]string{{"DateStyle", "ISO"}, {"session_replication_role", "replica"}, {"statement_timeout", "5s"}, {"work_mem", "8MB"}}},
		{name: "backslash escapes in options",
			params: map[string]string{"options": `-c search_path=a\ b,c\\d -c x=\'`},
			want:   [][2]string{{"search_path", `a b,c\d`}, {"x", "'"}}},
		{name: "a value may hold an equals sign",
			params: map[string]string{"options": "-c my.opt=a=b"},
			want:   [][2]string{{"my.opt", "a=b"}}},
		{name: "another switch", params: map[string]string{"options": "-c work_mem=8MB -e"}, unread: "-e"},
		{name: "a setting without a value", params: map[string]string{"options": "-c work_mem"}, unread: "work_mem"},
		{name: "-c at the end", params: map[string]string{"options": "-c"}, unread: "-c"},
		{name: "a bare word", params: map[string]string{"options": "work_mem=8MB"}, unread: "work_mem=8MB"},
		{name: "empty options", params: map[string]string{"options": "  "}},
	}
	for _, c := range cases {
		got, unread := startupSettings(c.params)
		if unread != c.unread || !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: got %q, unread %q; want %q, unread %q", c.name, got, unread, c.want, c.unread)
		}
	}
}

func TestSettingsSQL(t *testing.T) {
	got := settingsSQL([][2]string{{"search_path", `it's\here`}, {"application_name", "caf\xe9"}})
	want := `SELECT pg_catalog.set_config(E'search_path', E'it''s\\here', false), pg_catalog.set_config(E'application_name', E'caf` + "\uFFFD" + `', false)`
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}
