package report

import (
	"bytes"
	"context"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestHTMLSelfContained(t *testing.T) {
	r := sampleRun(t)
	page := string(r.HTML())
	for _, want := range []string{"<svg", "wave 1", "wave 2", "[R609] exit status 3", "boom", "marker-end", "not run"} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	for _, bad := range []string{"src=", "href=", "@import", "url(http", "s3cr3t"} {
		if strings.Contains(page, bad) {
			t.Errorf("page contains %q", bad)
		}
	}
}

// TestHTMLInChromium renders the page in headless Chromium and checks that
// a screenshot came out with the status colours in it.
func TestHTMLInChromium(t *testing.T) {
	bin := ""
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			bin = p
			break
		}
	}
	if bin == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("chromium is needed in CI for the HTML report test")
		}
		t.Skip("chromium not installed (apt-get install -y chromium); skipping the browser check")
	}
	dir := t.TempDir()
	page := filepath.Join(dir, "report.html")
	if err := os.WriteFile(page, sampleRun(t).HTML(), 0o644); err != nil {
		t.Fatal(err)
	}
	shot := filepath.Join(dir, "out.png")
	if keep := os.Getenv("FLOWSCRIPT_KEEP_SCREENSHOT"); keep != "" {
		shot = keep
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
		"--disable-component-update", "--disable-sync", "--no-first-run", "--user-data-dir="+filepath.Join(dir, "profile"),
		"--screenshot="+shot, "--window-size=1200,800", "file://"+page)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("chromium: %v\n%s", err, out)
	}
	data, err := os.ReadFile(shot)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() != 1200 || b.Dy() != 800 {
		t.Fatalf("screenshot is %v, want 1200x800", b)
	}
	// The success green and the failure red must both be painted.
	found := map[string]bool{}
	for y := 0; y < 800; y += 2 {
		for x := 0; x < 1200; x += 2 {
			r, g, b, _ := img.At(x, y).RGBA()
			r, g, b = r>>8, g>>8, b>>8
			switch {
			case near(r, 0x2e) && near(g, 0x9d) && near(b, 0x57):
				found["green"] = true
			case near(r, 0xd1) && near(g, 0x34) && near(b, 0x3f):
				found["red"] = true
			}
		}
	}
	if !found["green"] || !found["red"] {
		t.Errorf("colours painted: %v, want green and red", found)
	}
}

func near(a, b uint32) bool { return a+6 >= b && b+6 >= a }
