package vmprom_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestREADME vets and runs the README's Go snippets that use vmprom, each in a module of its
// own that requires vmprom and vmengine through replace directives (as the README's Install
// section says) and this module's go.sum for Prometheus.
func TestREADME(t *testing.T) {
	if testing.Short() {
		t.Skip("builds programs with the go command")
	}
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no go command on PATH")
	}
	data, err := os.ReadFile(filepath.Join("..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	here, err := filepath.Abs(".")
	if err != nil {
		t.Fatal(err)
	}
	core := filepath.Join(filepath.Dir(here), "vmengine")
	sum, err := os.ReadFile("go.sum")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for i, blk := range strings.Split(string(data), "```go\n")[1:] {
		src := blk[:strings.Index(blk, "```")]
		if !strings.Contains(src, "bindings/go/vmprom") {
			continue
		}
		n++
		dir := t.TempDir()
		gomod := "module example.com/readme\n\ngo 1.25.0\n\nrequire (\n" +
			"\tgithub.com/prometheus/prometheus v0.313.2\n" +
			"\tgithub.com/vmengine/vmengine/bindings/go/vmengine v0.0.0\n" +
			"\tgithub.com/vmengine/vmengine/bindings/go/vmprom v0.0.0\n)\n\n" +
			"replace github.com/vmengine/vmengine/bindings/go/vmengine => " + core + "\n\n" +
			"replace github.com/vmengine/vmengine/bindings/go/vmprom => " + here + "\n"
		for name, content := range map[string][]byte{"go.mod": []byte(gomod), "go.sum": sum, "main.go": []byte(src)} {
			if err := os.WriteFile(filepath.Join(dir, name), content, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		for _, args := range [][]string{{"vet", "-stdmethods=false", "."}, {"run", "."}} {
			cmd := exec.Command("go", args...)
			cmd.Dir = dir
			cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=mod")
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("snippet %d: go %s: %v\n%s", i, strings.Join(args, " "), err, out)
			}
			if args[0] == "run" && strings.Count(string(out), `{__name__="up", job="node"}`) != 3 {
				t.Fatalf("snippet %d printed:\n%s", i, out)
			}
		}
	}
	if n == 0 {
		t.Fatal("no vmprom snippet in the README")
	}
}
