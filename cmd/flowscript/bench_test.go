package main

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// BenchmarkRunFilterMap1M is issue 3's end-to-end figure: `flowscript
// run` as a fresh process reading 1,000,000 records from a 39 MB JSON
// file, filtering and mapping them, with the run store on (the default)
// and with --no-state. ns/op is the wall time of one whole run.
func BenchmarkRunFilterMap1M(b *testing.B) {
	dir := b.TempDir()
	f, err := os.Create(filepath.Join(dir, "records.json"))
	if err != nil {
		b.Fatal(err)
	}
	w := bufio.NewWriter(f)
	w.WriteString("[")
	for i := range 1000000 {
		if i > 0 {
			w.WriteString(",")
		}
		fmt.Fprintf(w, `{"id":%d,"score":%d,"active":%t}`, i, i%100, i%3 != 0)
	}
	w.WriteString("]")
	if err := w.Flush(); err != nil {
		b.Fatal(err)
	}
	f.Close()
	flow := `---
name: filter-map
version: 1
---
<workflow>
  <source id="records" type="file" path="records.json"/>
  <transform id="hot" type="filter" input="records" condition="item.score > 50 && item.active"/>
  <transform id="ids" type="map" input="hot" expression="{id: item.id, double: item.score * 2}"/>
  <output expr="length(ids)"/>
</workflow>
`
	if err := os.WriteFile(filepath.Join(dir, "big.flow.md"), []byte(flow), 0o644); err != nil {
		b.Fatal(err)
	}
	// The test binary runs as flowscript when called by that name
	// (TestMain).
	bin := filepath.Join(dir, "flowscript")
	if err := os.Symlink(os.Args[0], bin); err != nil {
		b.Fatal(err)
	}
	for _, mode := range []struct {
		name string
		args []string
	}{
		{"store", nil},
		{"no-state", []string{"--no-state"}},
	} {
		b.Run(mode.name, func(b *testing.B) {
			args := append([]string{"run", "big.flow.md", "--progress", "none"}, mode.args...)
			for b.Loop() {
				cmd := exec.Command(bin, args...)
				cmd.Dir = dir
				out, err := cmd.CombinedOutput()
				if err != nil || string(out) != "326666\n" {
					b.Fatalf("%v: %s", err, out)
				}
			}
		})
	}
}
