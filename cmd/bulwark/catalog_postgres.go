//go:build !bulwark_no_postgres

package main

import (
	"context"

	"github.com/bulwarkdb/bulwark/snapshot"
)

func init() {
	catalogOpeners["postgres"] = func(ctx context.Context, url string) (closableCatalog, error) {
		return snapshot.OpenPostgresCatalog(ctx, url)
	}
}
