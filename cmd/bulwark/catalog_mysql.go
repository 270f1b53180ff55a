//go:build !bulwark_no_mysql

package main

import (
	"context"

	"github.com/bulwarkdb/bulwark/snapshot"
)

func init() {
	catalogOpeners["mysql"] = func(ctx context.Context, url string) (closableCatalog, error) {
		return snapshot.OpenMySQLCatalog(ctx, url)
	}
}
