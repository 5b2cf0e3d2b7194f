//! Adds the rpath of the shared library found by vmengine-sys (`DEP_VMENGINE_LIB_DIR`) to
//! this crate's test, example and bench binaries, so that `cargo test` / `cargo run --example`
//! find libvmengine.so in a build tree without LD_LIBRARY_PATH. With the feature `bundled` the
//! core is linked statically and there is nothing to add.
fn main() {
    println!("cargo:rerun-if-env-changed=DEP_VMENGINE_LIB_DIR");
    if let Ok(dir) = std::env::var("DEP_VMENGINE_LIB_DIR") {
        println!("cargo:rustc-link-arg=-Wl,-rpath,{dir}");
    }
}
