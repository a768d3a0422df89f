package exec

import (
	"context"
	"testing"
	"time"
)

// TestThrottleSchedule: "10/1m" over 25 starts gives 10 at once, 10 a
// minute later and 5 two minutes later (nodes.md §5.3), with virtual waits.
func TestThrottleSchedule(t *testing.T) {
	th := newThrottle(10, time.Minute)
	var waits []time.Duration
	sleep := func(_ context.Context, d time.Duration) error { waits = append(waits, d); return nil }
	for range 25 {
		if err := th.wait(context.Background(), sleep); err != nil {
			t.Fatal(err)
		}
	}
	buckets := map[int]int{}
	for _, w := range waits {
		buckets[int((w+30*time.Second)/time.Minute)]++
	}
	if buckets[0] != 10 || buckets[1] != 10 || buckets[2] != 5 {
		t.Errorf("starts per minute %v, want 10, 10, 5", buckets)
	}
}
