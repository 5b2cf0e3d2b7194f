//! The quickstart of both READMEs (`bindings/rust/README.md` and the crate's `README.md`) is
//! the text of `examples/quickstart.rs`, character for character: `test.sh` runs that example
//! on the real node_exporter capture and builds a fresh project whose `src/main.rs` is the
//! README block itself, so what a reader copies is what CI runs.
use std::path::Path;

const EXAMPLE: &str = include_str!("../examples/quickstart.rs");

/// The body of the first ```` ```rust ```` block after the line `## Quickstart`.
fn quickstart_block(readme: &Path) -> String {
    let text = std::fs::read_to_string(readme)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", readme.display()));
    let mut lines = text.lines().skip_while(|l| l.trim() != "## Quickstart");
    assert!(
        lines.next().is_some(),
        "{}: no `## Quickstart` section",
        readme.display()
    );
    let mut lines = lines.skip_while(|l| !l.starts_with("```rust"));
    assert!(
        lines.next().is_some(),
        "{}: no rust block in the Quickstart section",
        readme.display()
    );
    let mut body = String::new();
    for l in lines.by_ref() {
        if l.starts_with("```") {
            return body;
        }
        body.push_str(l);
        body.push('\n');
    }
    panic!("{}: unterminated quickstart block", readme.display());
}

fn check(readme: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(readme);
    let block = quickstart_block(&path);
    if block != EXAMPLE {
        let line = block
            .lines()
            .zip(EXAMPLE.lines())
            .position(|(a, b)| a != b)
            .map_or(block.lines().count().min(EXAMPLE.lines().count()), |i| i);
        panic!(
            "the Quickstart block of {} differs from examples/quickstart.rs from its line {} on \
             (README: {:?}, example: {:?}); copy the example into the README",
            path.display(),
            line + 1,
            block.lines().nth(line),
            EXAMPLE.lines().nth(line)
        );
    }
}

#[test]
fn binding_readme_quickstart_is_the_example() {
    check("../README.md");
}

#[test]
fn crate_readme_quickstart_is_the_example() {
    check("README.md");
}
