//! Gives the shared library a SONAME carrying its ABI version, so programs linked against
//! `libcors_ffi.so` load a compatible release. Before 1.0, each minor version may change
//! the ABI: the SONAME is `libcors_ffi.so.0.MINOR` (from 1.0: `libcors_ffi.so.MAJOR`).

fn main() {
    let target_os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let major = std::env::var("CARGO_PKG_VERSION_MAJOR").unwrap_or_default();
    let minor = std::env::var("CARGO_PKG_VERSION_MINOR").unwrap_or_default();
    let abi = if major == "0" {
        format!("0.{minor}")
    } else {
        major
    };
    if matches!(
        target_os.as_str(),
        "linux" | "freebsd" | "netbsd" | "openbsd" | "dragonfly"
    ) {
        println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,libcors_ffi.so.{abi}");
    }
    println!("cargo:rerun-if-changed=build.rs");
}
