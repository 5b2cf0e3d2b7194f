package vmengine_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// readmeBlocks returns the fenced blocks of bindings/go/README.md with the given info string
// ("go", or "" for plain ones), each with the heading of the section it sits in.
func readmeBlocks(t *testing.T, lang string) (blocks, sections []string) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	section := ""
	lines := strings.Split(string(data), "\n")
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		if strings.HasPrefix(l, "## ") {
			section = strings.TrimPrefix(l, "## ")
		}
		info, isFence := strings.CutPrefix(strings.TrimSpace(l), "```")
		if !isFence {
			continue
		}
		// An opening fence: read to the closing one, keep the block if its info string fits.
		indent := l[:len(l)-len(strings.TrimLeft(l, " "))]
		var b strings.Builder
		for i++; i < len(lines) && strings.TrimSpace(lines[i]) != "```"; i++ {
			b.WriteString(strings.TrimPrefix(lines[i], indent))
			b.WriteByte('\n')
		}
		if info == lang {
			blocks = append(blocks, b.String())
			sections = append(sections, section)
		}
	}
	return blocks, sections
}

// goModule writes a module holding main.go = src that requires this binding through a
// replace directive, as the README's Install section tells a user to, and returns its dir.
func goModule(t *testing.T, src string) string {
	t.Helper()
	binding, err := filepath.Abs(".")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	gomod := "module example.com/readme\n\ngo 1.24\n\n" +
		"require github.com/vmengine/vmengine/bindings/go/vmengine v0.0.0\n\n" +
		"replace github.com/vmengine/vmengine/bindings/go/vmengine => " + binding + "\n"
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte(gomod), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "main.go"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

func goCmd(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("go", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=mod")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go %s in %s: %v\n%s", strings.Join(args, " "), dir, err, out)
	}
	return string(out)
}

// TestREADME vets every Go snippet of the README (those of package vmprom are vetted by
// vmprom's tests) and runs the quickstart verbatim on the real node_exporter capture,
// comparing its output with the README's.
func TestREADME(t *testing.T) {
	if testing.Short() {
		t.Skip("builds programs with the go command")
	}
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no go command on PATH")
	}
	blocks, sections := readmeBlocks(t, "go")
	quickstart := ""
	vetted := 0
	for i, src := range blocks {
		if !strings.HasPrefix(src, "package main\n") {
			t.Errorf("README Go snippet %d (section %q) is not a complete program", i, sections[i])
			continue
		}
		if strings.Contains(src, "bindings/go/vmprom") {
			continue
		}
		goCmd(t, goModule(t, src), "vet", ".")
		vetted++
		if sections[i] == "Quickstart" && quickstart == "" {
			quickstart = src
		}
	}
	if vetted < 3 || quickstart == "" {
		t.Fatalf("vetted %d snippets, quickstart found: %v", vetted, quickstart != "")
	}
	// Every error is checked: no result thrown away with `_ =` or `, _ =`, and no deferred call
	// whose error is lost (`defer f.Close()`; a deferred func literal checks it).
	discard := regexp.MustCompile(`(?m)^\s*_\s*=|, _ :?=|\bdefer [^f]|\bdefer f[^u]`)
	for i, src := range blocks {
		if m := discard.FindString(src); m != "" {
			t.Errorf("README Go snippet %d (section %q) discards an error: %q", i, sections[i], m)
		}
	}

	capture, err := filepath.Abs(filepath.Join("..", "..", "..", "examples", "data", "node_exporter_1s_1200.prom.zst"))
	if err != nil {
		t.Fatal(err)
	}
	dir := goModule(t, quickstart)
	goCmd(t, dir, "build", "-o", "quickstart", ".")
	cmd := exec.Command(filepath.Join(dir, "quickstart"), capture)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("quickstart: %v\n%s", err, out)
	}
	var want string
	plain, psections := readmeBlocks(t, "")
	for i, b := range plain {
		if psections[i] == "Quickstart" {
			want = b
		}
	}
	if string(out) != want {
		t.Fatalf("quickstart output:\n%s\nREADME says:\n%s", out, want)
	}
}
