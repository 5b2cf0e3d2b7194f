//! Links libvmengine. Three ways, tried in this order:
//!
//! 1. feature `bundled`: builds the C++ core from the sources under `cpp/` (in the repository,
//!    symlinks to the project's `CMakeLists.txt`, `cmake/`, `include/`, `src/`; in the
//!    published crate, copies of them) with CMake through the `cmake` crate, only the static
//!    library target `vmengine_static` (no tools, tests or benchmarks), and links it
//!    statically. The core's own dependencies (libzstd, oneTBB, RE2, xxHash) and libstdc++
//!    are linked as shared system libraries, found through `pkg-config`.
//! 2. `$VMENGINE_LIB_DIR`: a directory holding `libvmengine.so` (a CMake build tree or an
//!    install's `lib/`).
//! 3. `pkg-config vmengine`: an installed `vmengine.pc` (or a build tree's
//!    `vmengine-uninstalled.pc` when that build directory is on `PKG_CONFIG_PATH`).
//!
//! If none applies, the build fails with a message naming what is missing and these three
//! fixes. Under docs.rs (`DOCS_RS` set) nothing is linked: documentation needs no library.
//!
//! For a shared library it emits an rpath for this crate's own test binaries and
//! `cargo:lib_dir=DIR` (seen by dependents' build scripts as `DEP_VMENGINE_LIB_DIR`), so that
//! they can add the same rpath to their tests and examples. A bundled (static) build needs no
//! rpath and emits `cargo:static=1` instead. In every mode `cargo:include=DIR` points at the
//! directory holding `vmengine.h` when it is known.
use std::env;
#[cfg(feature = "bundled")]
use std::path::Path;
use std::path::PathBuf;

/// The C++ core's dependencies: (pkg-config module, Debian package that ships its `.pc`).
#[cfg(feature = "bundled")]
const CORE_DEPENDENCIES: &[(&str, &str)] = &[
    ("libzstd", "libzstd-dev"),
    ("tbb", "libtbb-dev"),
    ("re2", "libre2-dev"),
    ("libxxhash", "libxxhash-dev"),
];

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=VMENGINE_LIB_DIR");
    println!("cargo:rerun-if-env-changed=PKG_CONFIG_PATH");
    println!("cargo:rerun-if-env-changed=DOCS_RS");

    // docs.rs builds the documentation offline, without the library; nothing is linked there.
    if env::var_os("DOCS_RS").is_some() {
        return;
    }

    #[cfg(feature = "bundled")]
    bundled();
    #[cfg(not(feature = "bundled"))]
    shared();
}

/// Without `bundled`: links the shared library found by [`find_shared`], with rpaths.
#[cfg(not(feature = "bundled"))]
fn shared() {
    let rpaths = find_shared();
    println!("cargo:rustc-link-lib=vmengine");
    for dir in &rpaths {
        println!("cargo:rustc-link-arg=-Wl,-rpath,{}", dir.display());
    }
    if let Some(dir) = rpaths.first() {
        println!("cargo:lib_dir={}", dir.display());
    }
}

/// Stops the build with `message` (cargo prints it under "--- stderr").
fn fail(message: &str) -> ! {
    eprintln!("\nerror: {message}\n");
    std::process::exit(1);
}

/// The three ways to make the library available, for the error messages.
#[cfg(not(feature = "bundled"))]
const HOW_TO_FIX: &str = "Fix it in one of three ways:
  1. build the C++ core with the crate: enable the `bundled` feature
     (`cargo add vmengine --features bundled`, or `features = [\"bundled\"]` on the vmengine
     dependency); it needs cmake >= 3.25, a C++20 compiler, pkg-config and, on Debian/Ubuntu,
     `apt-get install libzstd-dev libtbb-dev libre2-dev libxxhash-dev`;
  2. point VMENGINE_LIB_DIR at a directory holding libvmengine.so, e.g. a CMake build
     directory of vmengine (`cmake --build build --target vmengine`, then
     `VMENGINE_LIB_DIR=/path/to/vmengine/build cargo build`);
  3. install vmengine so that `pkg-config vmengine` finds it: the libvmengine-dev package, or
     `cmake --install build --prefix PREFIX` with PREFIX/lib/pkgconfig on PKG_CONFIG_PATH
     (a build directory on PKG_CONFIG_PATH works too, through its vmengine-uninstalled.pc).";

/// The gist of a pkg-config failure: its first "Package ... not found" line, else its first line.
fn pkg_config_reason(e: &pkg_config::Error) -> String {
    let text = e.to_string();
    let mut lines: Vec<&str> = Vec::new();
    for l in text.lines().map(str::trim) {
        if (l.starts_with("Package ") || l.contains("not found")) && !lines.contains(&l) {
            lines.push(l);
        }
    }
    if lines.is_empty() {
        lines.extend(text.lines().map(str::trim).find(|l| !l.is_empty()));
    }
    lines.truncate(1);
    lines.join(" ").trim_end_matches('.').to_string()
}

#[cfg(not(feature = "bundled"))]
/// Finds a shared libvmengine through VMENGINE_LIB_DIR or pkg-config; emits the search path
/// and returns the rpath directories.
fn find_shared() -> Vec<PathBuf> {
    if let Some(dir) = env::var_os("VMENGINE_LIB_DIR").filter(|d| !d.is_empty()) {
        let dir = PathBuf::from(dir);
        let dir = dir.canonicalize().unwrap_or(dir);
        let found = ["libvmengine.so", "libvmengine.a"]
            .iter()
            .any(|f| dir.join(f).exists());
        if !found {
            fail(&format!(
                "vmengine-sys: VMENGINE_LIB_DIR is set to {}, but that directory holds no \
                 libvmengine.so (nor libvmengine.a).\n{HOW_TO_FIX}",
                dir.display()
            ));
        }
        println!("cargo:rustc-link-search=native={}", dir.display());
        // A build tree: the header is in the source tree next to it, which we don't know;
        // an install's lib/: ../include.
        let include = dir.parent().map(|p| p.join("include"));
        if let Some(inc) = include.filter(|i| i.join("vmengine.h").exists()) {
            println!("cargo:include={}", inc.display());
        }
        return vec![dir];
    }
    let lib = match pkg_config::Config::new()
        .atleast_version("0.1")
        .cargo_metadata(false)
        .env_metadata(true)
        .probe("vmengine")
    {
        Ok(lib) => lib,
        Err(e) => fail(&format!(
            "vmengine-sys: libvmengine was not found:\n  \
             - the `bundled` feature is off;\n  \
             - VMENGINE_LIB_DIR is not set;\n  \
             - `pkg-config vmengine` failed: {} (PKG_CONFIG_PATH: {}).\n{HOW_TO_FIX}",
            pkg_config_reason(&e),
            env::var("PKG_CONFIG_PATH").unwrap_or_else(|_| "not set".into())
        )),
    };
    for dir in &lib.link_paths {
        println!("cargo:rustc-link-search=native={}", dir.display());
    }
    if let Some(inc) = lib.include_paths.first() {
        println!("cargo:include={}", inc.display());
    }
    let mut rpaths = Vec::new();
    // An rpath the .pc file asks for (the build tree's vmengine-uninstalled.pc does).
    for args in &lib.ld_args {
        if args.first().map(String::as_str) == Some("-rpath") && args.len() >= 2 {
            rpaths.push(PathBuf::from(&args[1]));
        }
    }
    if rpaths.is_empty() {
        rpaths.extend(lib.link_paths.iter().cloned());
    }
    rpaths
}

/// Feature `bundled`: builds `vmengine_static` with CMake and links it with its dependencies.
#[cfg(feature = "bundled")]
fn bundled() {
    let manifest_dir = PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").unwrap());
    let cpp = manifest_dir.join("cpp");
    for f in ["CMakeLists.txt", "include/vmengine.h", "src"] {
        if !cpp.join(f).exists() {
            fail(&format!(
                "vmengine-sys (bundled): the C++ sources are incomplete: {} is missing. In the \
                 repository, cpp/ holds symlinks to the project's sources: check them out with \
                 symlinks enabled (git config core.symlinks true).",
                cpp.join(f).display()
            ));
        }
    }
    for f in ["CMakeLists.txt", "cmake", "include", "src"] {
        rerun_if_changed_tree(&cpp.join(f));
    }
    for v in [
        "CMAKE",
        "CMAKE_GENERATOR",
        "CMAKE_C_COMPILER_LAUNCHER",
        "CMAKE_CXX_COMPILER_LAUNCHER",
        "CXX",
        "CC",
    ] {
        println!("cargo:rerun-if-env-changed={v}");
    }

    // The dependencies first: a missing -dev package is named here instead of in CMake's
    // output. They are linked as shared libraries (`-l...` after libvmengine.a).
    let mut deps = Vec::new();
    let mut missing = Vec::new();
    for (module, package) in CORE_DEPENDENCIES {
        match pkg_config::Config::new()
            .cargo_metadata(false)
            .env_metadata(true)
            .probe(module)
        {
            Ok(lib) => deps.push(lib),
            Err(e) => missing.push(format!(
                "  {module} (Debian/Ubuntu package {package}): {}",
                pkg_config_reason(&e)
            )),
        }
    }
    if !missing.is_empty() {
        let packages: Vec<&str> = CORE_DEPENDENCIES.iter().map(|(_, p)| *p).collect();
        fail(&format!(
            "vmengine-sys (bundled): the C++ core needs the development files of libraries \
             that pkg-config does not find:\n{}\nInstall them (Debian/Ubuntu: apt-get install \
             {}), or turn `bundled` off and link a prebuilt libvmengine (VMENGINE_LIB_DIR or \
             pkg-config).",
            missing.join("\n"),
            packages.join(" ")
        ));
    }
    if std::process::Command::new(env::var("CMAKE").unwrap_or_else(|_| "cmake".into()))
        .arg("--version")
        .output()
        .is_err()
    {
        fail(
            "vmengine-sys (bundled): `cmake` (>= 3.25) was not found on PATH (or $CMAKE). \
             Install it (Debian/Ubuntu: apt-get install cmake), or turn `bundled` off and link \
             a prebuilt libvmengine (VMENGINE_LIB_DIR or pkg-config).",
        );
    }

    // Release whatever the cargo profile: the storage core is only useful optimised, and
    // nobody steps through it from a Rust debug build.
    let dst = cmake::Config::new(&cpp)
        .profile("Release")
        .define("VME_BUILD_TESTS", "OFF")
        .define("VME_BUILD_TOOLS", "OFF")
        .define("VME_BUILD_BENCH", "OFF")
        .define("BUILD_TESTING", "OFF")
        .define("VME_FUZZ", "OFF")
        .build_target("vmengine_static")
        .build();
    let build = dst.join("build");
    if !build.join("libvmengine.a").exists() {
        fail(&format!(
            "vmengine-sys (bundled): CMake finished but {} is missing",
            build.join("libvmengine.a").display()
        ));
    }
    println!("cargo:rustc-link-search=native={}", build.display());
    println!("cargo:rustc-link-lib=static=vmengine");
    for lib in &deps {
        for dir in &lib.link_paths {
            println!("cargo:rustc-link-search=native={}", dir.display());
        }
        for name in &lib.libs {
            println!("cargo:rustc-link-lib={name}");
        }
    }
    println!("cargo:rustc-link-lib=stdc++");
    println!("cargo:rustc-link-lib=pthread");
    println!("cargo:rustc-link-lib=m");
    println!("cargo:include={}", cpp.join("include").display());
    println!("cargo:static=1");
}

/// `rerun-if-changed` for every file under `path` (cargo does not look into symlinked
/// directories by itself).
#[cfg(feature = "bundled")]
fn rerun_if_changed_tree(path: &Path) {
    if path.is_dir() {
        if let Ok(entries) = std::fs::read_dir(path) {
            for e in entries.flatten() {
                rerun_if_changed_tree(&e.path());
            }
        }
    } else {
        println!("cargo:rerun-if-changed={}", path.display());
    }
}
