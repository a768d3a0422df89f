package exec

import (
	"testing"
	"time"
)

// TestRetryDelays checks the formulas of execution.md §9 with injected
// randomness: no test sleeps.
func TestRetryDelays(t *testing.T) {
	s := time.Second
	tests := []struct {
		name    string
		r       retrySpec
		u       float64 // the random draw
		retryMS int64
		want    []time.Duration // for k = 1, 2, ...
	}{
		{"exponential none", retrySpec{backoff: "exponential", base: s, maxDelay: 30 * s, jitter: "none"}, 0, 0,
			[]time.Duration{s, 2 * s, 4 * s, 8 * s, 16 * s, 30 * s}},
		{"linear none", retrySpec{backoff: "linear", base: 2 * s, maxDelay: 30 * s, jitter: "none"}, 0, 0,
			[]time.Duration{2 * s, 4 * s, 6 * s, 8 * s, 10 * s, 12 * s}},
		{"fixed none", retrySpec{backoff: "fixed", base: 3 * s, maxDelay: 30 * s, jitter: "none"}, 0, 0,
			[]time.Duration{3 * s, 3 * s}},
		{"full jitter at the top", retrySpec{backoff: "exponential", base: s, maxDelay: 30 * s, jitter: "full"}, 0.9999999, 0,
			[]time.Duration{s, 2 * s, 4 * s}},
		{"full jitter at the bottom", retrySpec{backoff: "exponential", base: s, maxDelay: 30 * s, jitter: "full"}, 0, 0,
			[]time.Duration{0, 0}},
		{"full jitter half", retrySpec{backoff: "exponential", base: s, maxDelay: 30 * s, jitter: "full"}, 0.5, 0,
			[]time.Duration{500 * time.Millisecond, s, 2 * s}},
		{"number jitter +", retrySpec{backoff: "fixed", base: 10 * s, maxDelay: 30 * s, jitter: "0.5"}, 1, 0,
			[]time.Duration{15 * s}},
		{"number jitter -", retrySpec{backoff: "fixed", base: 10 * s, maxDelay: 30 * s, jitter: "0.5"}, 0, 0,
			[]time.Duration{5 * s}},
		{"number jitter clamped", retrySpec{backoff: "fixed", base: 25 * s, maxDelay: 30 * s, jitter: "0.5"}, 1, 0,
			[]time.Duration{30 * s}},
		{"retry-after raises", retrySpec{backoff: "fixed", base: s, maxDelay: 30 * s, jitter: "none"}, 0, 5000,
			[]time.Duration{5 * s}},
		{"retry-after capped", retrySpec{backoff: "fixed", base: s, maxDelay: 30 * s, jitter: "none"}, 0, 90000,
			[]time.Duration{30 * s}},
		{"huge k", retrySpec{backoff: "exponential", base: s, maxDelay: 30 * s, jitter: "none"}, 0, 0,
			nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := tt.r
			r.rnd = func() float64 { return tt.u }
			var ne *NodeError
			if tt.retryMS > 0 {
				ne = &NodeError{RetryAfterMS: tt.retryMS}
			}
			for i, want := range tt.want {
				if got := r.delay(i+1, ne); got != want {
					t.Errorf("k=%d: %v, want %v", i+1, got, want)
				}
			}
			if tt.want == nil {
				if got := r.delay(70, nil); got != 30*s {
					t.Errorf("k=70: %v, want the cap", got)
				}
			}
		})
	}
}
