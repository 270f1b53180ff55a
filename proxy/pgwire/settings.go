package pgwire

import (
	"context"
	"errors"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/bulwarkdb/bulwark/proxy/gate"
)

// A StartupMessage sets session settings before any statement runs: every
// parameter but the few that name the session is a setting, and so is each
// -c name=value in options (PGOPTIONS). For an agent they are judged as the
// set_config calls that would make them, so that what SET may not do, a
// connection string may not either (session_replication_role = replica,
// a search_path into the recycle area).

// ruleStartupOption refuses an options switch bulwark does not read
// (rules.RuleStartupOption).
const ruleStartupOption = "startup-option"

// sessionParams are the startup parameters that are not settings.
var sessionParams = map[string]bool{"user": true, "database": true, "replication": true, "options": true}

// startupSettings returns the settings a StartupMessage asks for, sorted by
// name, or the first switch of options that is not -c name=value or
// --name=value (the server's other switches set settings too, under names
// bulwark would have to guess).
func startupSettings(params map[string]string) (settings [][2]string, unread string) {
	for k, v := range params {
		if !sessionParams[k] && !strings.HasPrefix(k, "_pq_.") {
			settings = append(settings, [2]string{k, v})
		}
	}
	args := splitOptions(params["options"])
	for i := 0; i < len(args); i++ {
		var nv string
		switch a := args[i]; {
		case a == "-c" && i+1 < len(args):
			i++
			nv = args[i]
		case strings.HasPrefix(a, "-c") && len(a) > 2:
			nv = a[2:]
		case strings.HasPrefix(a, "--") && len(a) > 2:
			nv = a[2:]
		default:
			return nil, a
		}
		name, value, ok := strings.Cut(nv, "=")
		if !ok {
			return nil, args[i]
		}
		// As the server reads a long option: dashes in the name are
		// underscores.
		settings = append(settings, [2]string{strings.ReplaceAll(name, "-", "_"), value})
	}
	slices.SortStableFunc(settings, func(a, b [2]string) int { return strings.Compare(a[0], b[0]) })
	return settings, ""
}

// splitOptions splits the options parameter as the server does: at
// whitespace, where a backslash makes the next character (a space, a
// backslash) part of the word.
func splitOptions(s string) []string {
	var words []string
	var w strings.Builder
	in := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v':
			if in {
				words = append(words, w.String())
				w.Reset()
				in = false
			}
			continue
		case c == '\\' && i+1 < len(s):
			i++
			c = s[i]
		}
		w.WriteByte(c)
		in = true
	}
	if in {
		words = append(words, w.String())
	}
	return words
}

// settingsSQL writes settings as one SELECT of set_config calls, the SQL
// that makes them for the session. Names and values are escaped string
// literals: bulwark never sends this text, only judges and records it.
func settingsSQL(settings [][2]string) string {
	var b strings.Builder
	b.WriteString("SELECT ")
	for i, s := range settings {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("pg_catalog.set_config(")
		writeLiteral(&b, s[0])
		b.WriteString(", ")
		writeLiteral(&b, s[1])
		b.WriteString(", false)")
	}
	return b.String()
}

// writeLiteral writes s as an E” string, which reads the same whatever
// standard_conforming_strings is.
func writeLiteral(b *strings.Builder, s string) {
	s = strings.ToValidUTF8(s, "\uFFFD")
	b.WriteString("E'")
	for _, r := range s {
		switch r {
		case '\'':
			b.WriteString("''")
		case '\\':
			b.WriteString(`\\`)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('\'')
}

// errSettingsRefused ends a session whose startup settings were refused.
var errSettingsRefused = errors.New("startup settings refused")

// judgeSettings judges an agent's startup settings once the upstream has
// accepted the session, before the client hears that it is ready; a
// refusal ends the session with the refusal as a FATAL error. Nothing has
// run in it: the settings took effect in an upstream session that is
// closed unused.
func (c *conn) judgeSettings(ctx context.Context) error {
	if c.info.Kind == gate.Human {
		return nil
	}
	settings, unread := startupSettings(c.params)
	var req gate.Request
	switch {
	case unread != "":
		req = gate.Request{Source: gate.SourceStartup, SQL: "options=" + c.params["options"], Refusal: ruleStartupOption,
			Reason: "the startup parameter options holds " + unread + ", a switch bulwark does not read; it reads only -c name=value and --name=value"}
	case len(settings) == 0:
		return nil
	default:
		req = gate.Request{Source: gate.SourceStartup, SQL: settingsSQL(settings)}
	}
	req.Size = len(req.SQL)
	v := c.srv.cfg.Enforcer.Check(ctx, &c.info, gate.Lexing{StandardConformingStrings: true, ClientEncoding: "UTF8"}, req, nil)
	if v.Allow {
		return nil
	}
	c.sendFatal(pgproto3.ErrorResponse{
		Code: v.Code, Message: v.Message, Hint: v.Hint,
		Detail: "bulwark judges an agent's startup parameters, and each -c name=value of options, as the set_config calls that make those settings; the session was closed before any statement ran.",
	})
	return errSettingsRefused
}
