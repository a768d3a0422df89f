package fields

import "testing"

// TestCheckWait: a <parallel> wait is all, any or n(K) with 1 ≤ K ≤ the
// number of branches (nodes.md §4.8); anything else is a problem.
func TestCheckWait(t *testing.T) {
	tests := []struct {
		text     string
		branches int
		need     int
		problem  string
	}{
		{"all", 3, 3, ""},
		{"any", 3, 1, ""},
		{"n(1)", 3, 1, ""},
		{"n(3)", 3, 3, ""},
		{"n(4)", 3, 0, `"wait": K in "n(4)" must be from 1 to 3, the number of branches`},
		{"n(0)", 3, 0, `"wait": K in "n(0)" must be from 1 to 3, the number of branches`},
		{"n(0)", 0, 0, `"wait": K in "n(0)" must be at least 1`},
		{"n(9)", 0, 9, ""},
		{"foo", 2, 0, `"wait": "foo" is not all, any or n(K)`},
		{"ANY", 2, 0, `"wait": "ANY" is not all, any or n(K)`},
		{"n(x)", 2, 0, `"wait": "n(x)" is not all, any or n(K)`},
		{"n(-1)", 2, 0, `"wait": "n(-1)" is not all, any or n(K)`},
		{"n( 1)", 2, 0, `"wait": "n( 1)" is not all, any or n(K)`},
		{"n(99999999999)", 2, 0, `"wait": "n(99999999999)" is not all, any or n(K)`},
		{"", 2, 0, `"wait": "" is not all, any or n(K)`},
	}
	for _, tt := range tests {
		need, problem := CheckWait(tt.text, tt.branches)
		if need != tt.need || problem != tt.problem {
			t.Errorf("CheckWait(%q, %d) = %d, %q; want %d, %q", tt.text, tt.branches, need, problem, tt.need, tt.problem)
		}
	}
}
