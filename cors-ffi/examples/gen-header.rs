//! Regenerates `include/cors.h` from this crate's sources with cbindgen 0.29 (the pinned
//! dev-dependency):
//!
//! ```text
//! cargo run -p cors-ffi --example gen-header
//! ```

#[path = "../tools/header.rs"]
mod header;

fn main() {
    let text = match header::generate(&header::crate_dir()) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("gen-header: {e}");
            std::process::exit(1);
        }
    };
    let path = header::header_path();
    if let Err(e) = std::fs::write(&path, text) {
        eprintln!(
            "gen-header: cannot write {}: {e} (run `{}` from the workspace)",
            path.display(),
            header::REGENERATE
        );
        std::process::exit(1);
    }
    println!("wrote {}", path.display());
}
