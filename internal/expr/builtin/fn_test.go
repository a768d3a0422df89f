package builtin

import (
	"errors"
	"testing"

	"github.com/flowscript/flowscript/internal/expr"
	"github.com/flowscript/flowscript/internal/value"
)

func num(v any) float64 { return v.(float64) }

func arr(vs ...any) []any { return vs }

// goCase calls a function with Go-built arguments (function values are goFn).
type goCase struct {
	name string
	fn   string
	args []any
	want string
}

func TestFunctionArguments(t *testing.T) {
	gt := func(n float64) goFn {
		return func(a []any) (any, error) { return num(a[0]) > n, nil }
	}
	tests := []goCase{
		{"count", "count", arr(arr(1.0, 5.0, 9.0), gt(2)), `2`},
		{"count null fn", "count", arr(arr(1.0, 5.0), nil), `2`},
		{"map", "map", arr(arr(1.0, 2.0), goFn(func(a []any) (any, error) {
			return num(a[0])*10 + num(a[1]), nil
		})), `[10,21]`},
		{"map empty", "map", arr(arr(), gt(0)), `[]`},
		{"filter", "filter", arr(arr(1.0, 2.0, 3.0), goFn(func(a []any) (any, error) {
			return float64(int(num(a[0])) % 2), nil
		})), `[1,3]`},
		{"filter none", "filter", arr(arr(1.0), gt(5)), `[]`},
		{"reduce", "reduce", arr(arr(1.0, 2.0, 3.0), goFn(func(a []any) (any, error) {
			return num(a[0]) + num(a[1]), nil
		}), 0.0), `6`},
		{"reduce index and default init", "reduce", arr(arr("a", "b"), goFn(func(a []any) (any, error) {
			return value.Render(a[0]) + value.Render(a[1]) + value.Render(a[2]), nil
		})), `"a0b1"`},
		{"flat_map", "flat_map", arr(arr(1.0, 2.0), goFn(func(a []any) (any, error) {
			return arr(a[0], a[0]), nil
		})), `[1,1,2,2]`},
		{"flat_map scalar", "flat_map", arr(arr(1.0, 2.0), goFn(func(a []any) (any, error) {
			return a[0], nil
		})), `[1,2]`},
		{"every", "every", arr(arr(2.0, 4.0), goFn(func(a []any) (any, error) {
			return int(num(a[0]))%2 == 0, nil
		})), `true`},
		{"every false", "every", arr(arr(2.0, 3.0), gt(2)), `false`},
		{"every empty", "every", arr(arr(), gt(2)), `true`},
		{"some", "some", arr(arr(1.0, 2.0), gt(1)), `true`},
		{"some empty", "some", arr(arr(), gt(1)), `false`},
		{"find", "find", arr(arr(value.ObjectOf("n", 1.0), value.ObjectOf("n", 2.0)), goFn(func(a []any) (any, error) {
			n, _ := a[0].(*value.Object).Get("n")
			return num(n) > 1, nil
		})), `{"n":2}`},
		{"find none", "find", arr(arr(1.0), gt(5)), `null`},
		{"find_index", "find_index", arr(arr(5.0, 7.0), gt(5)), `1`},
		{"find_index none", "find_index", arr(arr(5.0), gt(5)), `-1`},
		{"map_values", "map_values", arr(value.ObjectOf("a", 1.0, "b", 2.0), goFn(func(a []any) (any, error) {
			return value.Render(a[1]) + value.Render(num(a[0])+1), nil
		})), `{"a":"a2","b":"b3"}`},
		{"sort by fn", "sort", arr(arr("bb", "a", "ccc"), goFn(func(a []any) (any, error) {
			return float64(len(a[0].(string))), nil
		})), `["a","bb","ccc"]`},
		{"sort by fn desc, null keys last", "sort", arr(arr("bb", "", "a", "ccc"), goFn(func(a []any) (any, error) {
			if a[0] == "" {
				return nil, nil
			}
			return float64(len(a[0].(string))), nil
		}), "desc"), `["ccc","bb","a",""]`},
		{"group_by fn", "group_by", arr(arr(1.0, 2.0, 3.0), goFn(func(a []any) (any, error) {
			return int(num(a[0]))%2 == 0, nil
		})), `{"false":[1,3],"true":[2]}`},
		{"not a function", "map", arr(arr(1.0), "x => x"), `error: map: expected function, got string`},
		{"fn error stops", "map", arr(arr(1.0, 2.0), goFn(func(a []any) (any, error) {
			return nil, errors.New("boom")
		})), `error: boom`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := callFunc(t, newCtx(), tc.fn, tc.args)
			checkResult(t, got, err, tc.want)
		})
	}
}

func TestBudgets(t *testing.T) {
	identity := goFn(func(a []any) (any, error) { return a[0], nil })
	tests := []struct {
		name string
		run  func(c *expr.Ctx) error
	}{
		{"map over a million items", func(c *expr.Ctx) error {
			xs, err := callFunc(t, c, "range", arr(0.0, 1_000_000.0))
			if err != nil {
				return err
			}
			_, err = callFunc(t, c, "map", arr(xs, identity))
			return err
		}},
		{"repeat past 16 MiB", func(c *expr.Ctx) error {
			_, err := callFunc(t, c, "repeat", arr("x", 20_000_000.0))
			return err
		}},
		{"huge repeat count", func(c *expr.Ctx) error {
			_, err := callFunc(t, c, "repeat", arr("ab", 1e15))
			return err
		}},
		{"huge pad", func(c *expr.Ctx) error {
			_, err := callFunc(t, c, "pad_start", arr("a", 1e15, "xy"))
			return err
		}},
		{"memory of repeated joins", func(c *expr.Ctx) error {
			s := string(make([]byte, 8<<20))
			for range 10 {
				if _, err := callFunc(t, c, "join", arr(arr(s), ",")); err != nil {
					return err
				}
			}
			return nil
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.run(newCtx())
			var be *expr.BudgetError
			if !errors.As(err, &be) {
				t.Fatalf("got %v, want a budget error", err)
			}
		})
	}
}

// TestArgumentsUnchanged checks that functions return new values and leave
// their arguments as they were.
func TestArgumentsUnchanged(t *testing.T) {
	tests := []struct {
		fn   string
		args string
	}{
		{"sort", `[[3, 1, 2]]`},
		{"reverse", `[[1, 2]]`},
		{"set", `[{"a": {"b": 1}, "c": [1]}, "a.b", 2]`},
		{"set", `[{"a": {"b": 1}, "c": [1]}, "c.0", 2]`},
		{"delete", `[{"a": {"b": 1}, "c": [1]}, "a.b"]`},
		{"delete", `[{"a": {"b": 1}, "c": [1]}, "c.0"]`},
		{"merge", `[{"a": 1}, {"a": 2}]`},
		{"deep_merge", `[{"a": {"x": 1}}, {"a": {"y": 2}}]`},
		{"omit", `[{"a": 1, "b": 2}, ["a"]]`},
		{"unique", `[[1, 1]]`},
		{"flatten", `[[[1], [2]]]`},
		{"compact", `[[null, 1]]`},
	}
	for _, tc := range tests {
		t.Run(tc.fn+tc.args, func(t *testing.T) {
			parsed, _ := value.ParseJSON([]byte(tc.args))
			before := value.JSON(parsed)
			if _, err := callFunc(t, newCtx(), tc.fn, parsed.([]any)); err != nil {
				t.Fatal(err)
			}
			if after := value.JSON(parsed); after != before {
				t.Fatalf("arguments changed from %s to %s", before, after)
			}
		})
	}
}

func tenThousand() []any {
	xs := make([]any, 10_000)
	for i := range xs {
		xs[i] = value.ObjectOf("id", float64(i), "score", float64((i*7919)%1000))
	}
	return xs
}

func BenchmarkSort(b *testing.B) {
	xs := tenThousand()
	f := Table()["sort"]
	b.ReportAllocs()
	for b.Loop() {
		if _, err := f.Call(newCtx(), arr(xs, "score", "desc")); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkMap(b *testing.B) {
	xs := tenThousand()
	f := Table()["map"]
	score := goFn(func(a []any) (any, error) {
		v, _ := a[0].(*value.Object).Get("score")
		return v, nil
	})
	b.ReportAllocs()
	for b.Loop() {
		if _, err := f.Call(newCtx(), arr(xs, score)); err != nil {
			b.Fatal(err)
		}
	}
}
