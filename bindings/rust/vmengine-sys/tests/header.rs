//! Checks that the hand-written declarations of vmengine-sys match include/vmengine.h: every
//! `VME_API` function (name, return type, parameter types), the integer `#define`s, the
//! `vme_match_type` enumerators, the opaque handle typedefs and the fields of
//! `vme_add_result` and `vme_import_result`. Any missing, extra or different item fails the
//! test.
use std::collections::BTreeMap;
use std::path::PathBuf;

fn header_text() -> String {
    // cpp/include: a symlink to the project's include/ in the repository, a copy in the
    // packaged crate.
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("cpp/include/vmengine.h");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    strip_comments(&text)
}

fn strip_comments(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'/' && i + 1 < b.len() && b[i + 1] == b'*' {
            i += 2;
            while i + 1 < b.len() && !(b[i] == b'*' && b[i + 1] == b'/') {
                i += 1;
            }
            i += 2;
            out.push(' ');
        } else if b[i] == b'/' && i + 1 < b.len() && b[i + 1] == b'/' {
            while i < b.len() && b[i] != b'\n' {
                i += 1;
            }
        } else {
            out.push(b[i] as char);
            i += 1;
        }
    }
    out
}

/// The header without preprocessor lines.
fn code_only(h: &str) -> String {
    h.lines()
        .filter(|l| !l.trim_start().starts_with('#'))
        .map(|l| format!("{l}\n"))
        .collect()
}

fn tokens(s: &str) -> Vec<String> {
    s.replace('*', " * ")
        .split_whitespace()
        .map(str::to_string)
        .collect()
}

fn rust_base(c: &str) -> String {
    match c {
        "void" => "c_void",
        "char" => "c_char",
        "int" => "c_int",
        "unsigned" => "c_uint",
        "uint8_t" => "u8",
        "int32_t" => "i32",
        "uint32_t" => "u32",
        "int64_t" => "i64",
        "uint64_t" => "u64",
        "size_t" => "usize",
        "double" => "f64",
        other if other.starts_with("vme_") => other,
        other => panic!("unexpected C type {other:?} in vmengine.h: extend the test's map"),
    }
    .to_string()
}

/// Converts the tokens of a C type (without a declarator name) to the Rust type spelling used
/// by vmengine-sys, e.g. `const uint8_t * *` -> `*mut *const u8`.
fn rust_type(toks: &[String]) -> String {
    let mut ty = String::new();
    let mut is_const = false;
    for t in toks {
        match t.as_str() {
            "const" => is_const = true,
            "*" => {
                ty = format!("*{} {}", if is_const { "const" } else { "mut" }, ty);
                is_const = false;
            }
            base => {
                assert!(ty.is_empty(), "two base types in {toks:?}");
                ty = rust_base(base);
            }
        }
    }
    ty
}

fn normalise(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

/// name -> normalised Rust signature, parsed from the header.
fn header_functions(h: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let code = code_only(h);
    let mut rest = code.as_str();
    while let Some(pos) = rest.find("VME_API") {
        let after = &rest[pos + "VME_API".len()..];
        let end = after.find(';').expect("declaration without ';'");
        let decl = &after[..end];
        rest = &after[end..];
        let decl = decl.replace("VME_NOEXCEPT", " ");
        let open = decl.find('(').unwrap();
        let close = decl.rfind(')').unwrap();
        let head = tokens(&decl[..open]);
        let (name, ret) = head.split_last().expect("no function name");
        let params = &decl[open + 1..close];
        let mut sig = String::from("fn(");
        if params.trim() != "void" {
            for p in params.split(',') {
                let mut toks = tokens(p);
                assert!(toks.len() >= 2, "unnamed parameter in {name}: {p:?}");
                let last = toks.last().unwrap();
                assert!(
                    last.chars().all(|c| c.is_alphanumeric() || c == '_') && last != "*",
                    "parameter without a name in {name}: {p:?}"
                );
                toks.pop();
                sig.push_str(&rust_type(&toks));
                sig.push(',');
            }
        }
        sig.push(')');
        if !(ret.len() == 1 && ret[0] == "void") {
            sig.push_str(" -> ");
            sig.push_str(&rust_type(ret));
        }
        assert!(
            out.insert(name.clone(), normalise(&sig)).is_none(),
            "{name} declared twice"
        );
    }
    out
}

#[test]
fn functions_match_header() {
    let h = header_text();
    let header = header_functions(&h);
    assert!(header.len() > 40, "parsed only {} functions", header.len());
    let mut ours = BTreeMap::new();
    for (name, sig) in vmengine_sys::FUNCTIONS {
        assert!(
            ours.insert(name.to_string(), normalise(sig)).is_none(),
            "{name} listed twice"
        );
    }
    let mut problems = Vec::new();
    for (name, sig) in &header {
        match ours.get(name) {
            None => problems.push(format!("missing in vmengine-sys: {name} {sig}")),
            Some(o) if o != sig => {
                problems.push(format!("different: {name}\n  header: {sig}\n  sys:    {o}"))
            }
            _ => {}
        }
    }
    for name in ours.keys() {
        if !header.contains_key(name) {
            problems.push(format!("extra in vmengine-sys (not in the header): {name}"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn constants_match_header() {
    let h = header_text();
    let mut header = BTreeMap::new();
    for line in h.lines() {
        let line = line.trim();
        let Some(rest) = line.strip_prefix("#define ") else {
            continue;
        };
        let mut parts = rest.splitn(2, char::is_whitespace);
        let name = parts.next().unwrap();
        let value = parts.next().unwrap_or("").trim();
        let value = value
            .trim_start_matches('(')
            .trim_end_matches(')')
            .trim_end_matches(['u', 'U', 'l', 'L']);
        if let Ok(v) = value.parse::<i64>() {
            header.insert(name.to_string(), v);
        }
        if name == "VME_VERSION_STRING" {
            assert_eq!(value.trim_matches('"'), vmengine_sys::VME_VERSION_STRING);
        }
    }
    // enum vme_match_type
    let start = h
        .find("typedef enum vme_match_type")
        .expect("vme_match_type");
    let body = &h[start..start + h[start..].find('}').unwrap()];
    let body = &body[body.find('{').unwrap() + 1..];
    for item in body.split(',') {
        let mut kv = item.split('=');
        let (Some(k), Some(v)) = (kv.next(), kv.next()) else {
            continue;
        };
        header.insert(k.trim().to_string(), v.trim().parse().unwrap());
    }
    let ours: BTreeMap<String, i64> = vmengine_sys::CONSTANTS
        .iter()
        .map(|(k, v)| (k.to_string(), *v))
        .collect();
    assert_eq!(ours, header);
    assert_eq!(
        vmengine_sys::VME_VERSION_NUMBER,
        vmengine_sys::VME_VERSION_MAJOR * 10000
            + vmengine_sys::VME_VERSION_MINOR * 100
            + vmengine_sys::VME_VERSION_PATCH
    );
}

#[test]
fn types_match_header() {
    let h = header_text();
    let mut opaque = Vec::new();
    for stmt in code_only(&h).split(';') {
        let t = tokens(stmt);
        if t.len() == 4 && t[0] == "typedef" && t[1] == "struct" && t[2] == t[3] {
            opaque.push(t[2].clone());
        }
    }
    opaque.sort();
    let mut ours: Vec<String> = vmengine_sys::OPAQUE_TYPES
        .iter()
        .map(|s| s.to_string())
        .collect();
    ours.sort();
    assert_eq!(ours, opaque);

    check_struct(&h, "vme_add_result", vmengine_sys::ADD_RESULT_FIELDS);
    assert_eq!(
        std::mem::size_of::<vmengine_sys::vme_add_result>(),
        vmengine_sys::ADD_RESULT_FIELDS.len() * 8
    );
    check_struct(&h, "vme_import_result", vmengine_sys::IMPORT_RESULT_FIELDS);
    assert_eq!(
        std::mem::size_of::<vmengine_sys::vme_import_result>(),
        std::mem::size_of::<vmengine_sys::vme_add_result>()
            + (vmengine_sys::IMPORT_RESULT_FIELDS.len() - 1) * 8
    );
    assert_eq!(std::mem::size_of::<vmengine_sys::vme_status>(), 4);
}

/// The fields of `typedef struct NAME { ... }` in the header, as (type, name), equal `ours`.
fn check_struct(h: &str, name: &str, ours: &[(&str, &str)]) {
    let start = h
        .find(&format!("typedef struct {name} {{"))
        .unwrap_or_else(|| panic!("struct {name} not found in the header"));
    let body = &h[start..start + h[start..].find('}').unwrap()];
    let body = &body[body.find('{').unwrap() + 1..];
    let fields: Vec<(String, String)> = body
        .split(';')
        .filter(|f| !f.trim().is_empty())
        .map(|f| {
            let t = tokens(f);
            assert_eq!(t.len(), 2, "unexpected field {f:?} of {name}");
            (t[0].clone(), t[1].clone())
        })
        .collect();
    let ours: Vec<(String, String)> = ours
        .iter()
        .map(|(t, n)| (t.to_string(), n.to_string()))
        .collect();
    assert_eq!(ours, fields, "fields of {name}");
}

#[test]
fn linked_library_abi() {
    // Calls into the linked library: the version of the loaded .so matches the header.
    unsafe {
        assert_eq!(
            vmengine_sys::vme_abi_version(),
            vmengine_sys::VME_ABI_VERSION
        );
        assert_eq!(
            vmengine_sys::vme_version_number(),
            vmengine_sys::VME_VERSION_NUMBER
        );
        let s = std::ffi::CStr::from_ptr(vmengine_sys::vme_version_string());
        assert_eq!(s.to_str().unwrap(), vmengine_sys::VME_VERSION_STRING);
    }
}
