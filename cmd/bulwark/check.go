package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/bulwarkdb/bulwark/config"
	"github.com/bulwarkdb/bulwark/proxy"
	"github.com/bulwarkdb/bulwark/rules"
	"github.com/bulwarkdb/bulwark/sqlparse"
)

// checkResult is what `bulwark check --format json` prints.
type checkResult struct {
	Verdict    string               `json:"verdict"` // allow | block | snapshot
	As         string               `json:"as"`
	Dialect    string               `json:"dialect"`
	Category   string               `json:"category,omitempty"`
	Rule       string               `json:"rule,omitempty"`
	Reason     string               `json:"reason,omitempty"`
	Message    string               `json:"message,omitempty"`
	Statements []sqlparse.Statement `json:"statements"`
}

func newCheckCmd() *cobra.Command {
	var (
		as, file, format, dialect, user, app string
	)
	cmd := &cobra.Command{
		Use:   `check [--as agent|human] [--config FILE] "SQL"`,
		Short: "Show the verdict for a statement, without any database",
		Long: `Show what bulwark would do with a statement: the verdict, the category and the rule,
using the policy of a configuration file (or the defaults). No database is contacted.
Pass the SQL as one argument, or "-" to read it from standard input.

Exit status: 0 when the statement would run (allowed, or allowed after a snapshot),
2 when it would be refused, 1 on bad usage or a bad configuration.`,
		Example: `  bulwark check "DELETE FROM users WHERE 1=1"
  bulwark check --as human "DROP TABLE users"
  bulwark check -c bulwark.yaml --format json - < migration.sql`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg := config.Defaults()
			if file != "" {
				var err error
				if cfg, err = config.Load(file); err != nil {
					return &exitError{code: exitUsage, err: err}
				}
			}
			if as != "agent" && as != "human" {
				return &exitError{code: exitUsage, err: fmt.Errorf("--as must be agent or human, not %q", as)}
			}
			an, err := proxy.NewAnalyzer(dialect)
			if err != nil {
				return &exitError{code: exitUsage, err: fmt.Errorf("--dialect: %w", err)}
			}
			if format != "text" && format != "json" {
				return &exitError{code: exitUsage, err: fmt.Errorf("--format must be text or json, not %q", format)}
			}
			sql := args[0]
			if sql == "-" {
				b, err := io.ReadAll(os.Stdin)
				if err != nil {
					return &exitError{code: exitUsage, err: err}
				}
				sql = string(b)
			}
			res := judge(cfg, an, rules.Kind(as), user, app, sql)
			res.Dialect = dialect
			if err := printCheck(cmd.OutOrStdout(), res, format); err != nil {
				return &exitError{code: exitUsage, err: err}
			}
			if res.Verdict == string(rules.Block) {
				return &exitError{code: exitRefused, err: errors.New("refused")}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&as, "as", "agent", "judge as an agent or a human session")
	cmd.Flags().StringVarP(&file, "config", "c", "", "configuration file whose policy applies (default: built-in policy)")
	cmd.Flags().StringVar(&format, "format", "text", "output format: text or json")
	cmd.Flags().StringVar(&dialect, "dialect", defaultDialect(), "SQL dialect: "+strings.Join(proxy.Dialects(), " or "))
	cmd.Flags().StringVar(&user, "user", "", "database user of the session, for policy.overrides")
	cmd.Flags().StringVar(&app, "application-name", "", "application name of the session, for policy.overrides")
	return cmd
}

// defaultDialect is postgres, unless this build has only MySQL.
func defaultDialect() string {
	if d := proxy.Dialects(); len(d) == 1 {
		return d[0]
	}
	return "postgres"
}

// defaultSQLMode is the sql_mode of a MariaDB server (10.2.4 and later)
// left at its default; MySQL's default is strict too.
const defaultSQLMode = "STRICT_TRANS_TABLES,ERROR_FOR_DIVISION_BY_ZERO,NO_AUTO_CREATE_USER,NO_ENGINE_SUBSTITUTION"

// judge applies the same analysis and policy as the proxy, minus the audit
// store. A MySQL text is read under the server's default sql_mode.
func judge(cfg config.Config, an sqlparse.Analyzer, kind rules.Kind, user, app, sql string) checkResult {
	var analysis *sqlparse.Analysis
	if len(sql) > int(cfg.Limits.MaxStatementBytes) {
		analysis = &sqlparse.Analysis{Statements: []sqlparse.Statement{{Command: "UNKNOWN", Findings: []sqlparse.Finding{
			rules.ProtocolFinding(rules.RuleStatementTooLarge, "the statement is longer than limits.max_statement_bytes allows, so it was not parsed"),
		}}}}
	} else {
		analysis = an.Analyze(sql, sqlparse.Lexing{SQLMode: defaultSQLMode})
	}
	d := proxy.Policy(cfg).For(user, app).Decide(kind, analysis)
	res := checkResult{Verdict: string(d.Action), As: string(kind), Statements: analysis.Statements}
	switch d.Action {
	case rules.Snapshot:
		res.Category, res.Rule, res.Reason = string(d.Finding.Category), d.Finding.Rule, d.Finding.Reason
		res.Message = rules.ExplainSnapshot(d)
	case rules.Block:
		res.Category, res.Rule, res.Reason = string(d.Finding.Category), d.Finding.Rule, d.Finding.Reason
		res.Message = rules.Explain(d, 0).Message
	}
	return res
}

func printCheck(w io.Writer, res checkResult, format string) error {
	if format == "json" {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(res)
	}
	switch res.Verdict {
	case string(rules.Allow):
		fmt.Fprintf(w, "verdict:  allow (as %s)\n", res.As)
	case string(rules.Snapshot):
		fmt.Fprintf(w, "verdict:  snapshot (as %s)\ncategory: %s\nrule:     %s\nmessage:  %s\n",
			res.As, res.Category, res.Rule, res.Message)
	default:
		fmt.Fprintf(w, "verdict:  block (as %s)\ncategory: %s\nrule:     %s\nreason:   %s\nmessage:  %s\n",
			res.As, res.Category, res.Rule, res.Reason, res.Message)
	}
	for i, st := range res.Statements {
		line := fmt.Sprintf("statement %d: %s", i+1, st.Command)
		for _, f := range st.Findings {
			line += fmt.Sprintf(" [%s/%s]", f.Category, f.Rule)
		}
		fmt.Fprintln(w, strings.TrimSpace(line))
	}
	return nil
}
