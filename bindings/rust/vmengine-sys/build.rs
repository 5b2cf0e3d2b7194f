//! Finds libvmengine: `$VMENGINE_LIB_DIR` (a build tree or an install's lib directory) if set,
//! else `pkg-config vmengine` (an installed `vmengine.pc`, or a build tree's
//! `vmengine-uninstalled.pc` when that build directory is on `PKG_CONFIG_PATH`).
//!
//! Emits the link search path and `cargo:rustc-link-lib=vmengine`, an rpath for this crate's
//! own test binaries, and `cargo:lib_dir=DIR` (seen by dependents' build scripts as
//! `DEP_VMENGINE_LIB_DIR`) so that they can add the same rpath to their tests and examples.
use std::env;
use std::path::PathBuf;

fn main() {
    println!("cargo:rerun-if-env-changed=VMENGINE_LIB_DIR");
    println!("cargo:rerun-if-env-changed=PKG_CONFIG_PATH");

    let mut rpaths: Vec<PathBuf> = Vec::new();
    if let Some(dir) = env::var_os("VMENGINE_LIB_DIR").filter(|d| !d.is_empty()) {
        let dir = PathBuf::from(dir);
        let dir = dir.canonicalize().unwrap_or(dir);
        println!("cargo:rustc-link-search=native={}", dir.display());
        rpaths.push(dir);
    } else {
        let lib = match pkg_config::Config::new()
            .atleast_version("0.1")
            .cargo_metadata(false)
            .probe("vmengine")
        {
            Ok(lib) => lib,
            Err(e) => panic!(
                "vmengine-sys: libvmengine not found. Set VMENGINE_LIB_DIR to the directory \
                 holding libvmengine.so (e.g. a CMake build directory), or install vmengine so \
                 that `pkg-config vmengine` finds it (or put a build directory holding \
                 vmengine-uninstalled.pc on PKG_CONFIG_PATH).\npkg-config said: {e}"
            ),
        };
        for dir in &lib.link_paths {
            println!("cargo:rustc-link-search=native={}", dir.display());
        }
        // An rpath the .pc file asks for (the build tree's vmengine-uninstalled.pc does).
        for args in &lib.ld_args {
            if args.first().map(String::as_str) == Some("-rpath") && args.len() >= 2 {
                rpaths.push(PathBuf::from(&args[1]));
            }
        }
        if rpaths.is_empty() {
            rpaths.extend(lib.link_paths.iter().cloned());
        }
    }
    println!("cargo:rustc-link-lib=vmengine");
    for dir in &rpaths {
        println!("cargo:rustc-link-arg=-Wl,-rpath,{}", dir.display());
    }
    if let Some(dir) = rpaths.first() {
        println!("cargo:lib_dir={}", dir.display());
    }
}
