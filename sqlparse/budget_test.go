package sqlparse_test

import (
	"testing"

	"github.com/bulwarkdb/bulwark/sqlparse"
)

func TestBudgetIsExhaustedPastMaxSteps(t *testing.T) {
	var b sqlparse.Budget
	if b.Exhausted() {
		t.Fatal("a new budget is exhausted")
	}
	if !b.Spend(sqlparse.MaxSteps - 1) {
		t.Fatal("spending less than MaxSteps is refused")
	}
	if !b.Spend(1) || b.Exhausted() {
		t.Fatal("spending exactly MaxSteps is refused")
	}
	if b.Spend(1) {
		t.Fatal("spending past MaxSteps is allowed")
	}
	if !b.Exhausted() || b.Used() != sqlparse.MaxSteps+1 {
		t.Fatalf("after MaxSteps+1 steps: exhausted %v, used %d", b.Exhausted(), b.Used())
	}
	if f := sqlparse.TooComplex(); f.Rule != sqlparse.RuleTooComplex || f.Category != sqlparse.CategoryUnanalysable || f.Reason == "" {
		t.Fatalf("TooComplex() = %+v", f)
	}
}
