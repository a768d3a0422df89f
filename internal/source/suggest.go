package source

import (
	"fmt"
	"strings"
)

// Suggest returns the closest candidate to name by Levenshtein distance on
// lowercased names, when the distance is at most max(2, len(name)/3) and less
// than len(name); ties go to the earlier candidate (spec/format.md §8.3).
func Suggest(name string, candidates []string) (string, bool) {
	n := strings.ToLower(name)
	limit := len([]rune(n)) / 3
	if limit < 2 {
		limit = 2
	}
	best, bestD := "", -1
	for _, c := range candidates {
		if c == name {
			continue
		}
		d := levenshtein(n, strings.ToLower(c))
		if d <= limit && d < len([]rune(n)) && (bestD < 0 || d < bestD) {
			best, bestD = c, d
		}
	}
	return best, bestD >= 0
}

// SuggestHint adds to d the did-you-mean hint for name, or a hint listing up
// to 8 of the candidates.
func SuggestHint(d *Diagnostic, name string, candidates []string) {
	if s, ok := Suggest(name, candidates); ok {
		d.Hints = append(d.Hints, fmt.Sprintf("did you mean %q?", s))
		d.Suggestion = s
		return
	}
	if len(candidates) == 0 {
		return
	}
	list := candidates
	if len(list) > 8 {
		list = list[:8]
	}
	d.Hints = append(d.Hints, "expected one of: "+strings.Join(list, ", "))
}

func levenshtein(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
