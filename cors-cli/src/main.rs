//! The `cors` binary.

fn main() -> std::process::ExitCode {
    std::process::ExitCode::from(cors_cli::run(std::env::args_os()))
}
