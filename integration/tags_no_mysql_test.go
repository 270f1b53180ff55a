//go:build bulwark_no_mysql

package integration

// Under bulwark_no_mysql the package tests a PostgreSQL-only bulwark: the
// MySQL test files are left out by the same tag, and the real binary is
// built with it.
func init() { buildTags = append(buildTags, "bulwark_no_mysql") }
