//! `aksk`: Huawei Cloud AK/SK signing and the MPC delete-packaging-task call from the shell.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod credentials;
mod mpc;
mod serve;
mod sign;
mod vectors;
mod verify;

/// Huawei Cloud AK/SK request signing (SDK-HMAC-SHA256), the MPC delete-packaging-task
/// call, and a local MPC endpoint.
#[derive(Debug, Parser)]
#[command(name = "aksk", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Sign a request and print the headers to send (or every stage with --json).
    Sign(sign::Args),
    /// Check the signature of a captured raw request and explain a refusal.
    Verify(verify::Args),
    /// Check test vectors against this signer.
    #[command(subcommand)]
    Vectors(vectors::Command),
    /// Media Processing Center calls.
    #[command(subcommand)]
    Mpc(mpc::Command),
    /// Run the local MPC endpoint.
    Serve(serve::Args),
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) if e.use_stderr() => {
            // One line: what was wrong. `aksk --help` shows the usage.
            let rendered = e.render().to_string();
            let first = rendered.lines().next().unwrap_or("invalid arguments");
            return usage_error(first.trim_start_matches("error: "));
        }
        Err(e) => {
            let _ = e.print();
            return ExitCode::SUCCESS;
        }
    };
    match cli.command {
        Command::Sign(args) => sign::run(args),
        Command::Verify(args) => verify::run(args),
        Command::Vectors(cmd) => vectors::run(cmd),
        Command::Mpc(cmd) => mpc::run(cmd),
        Command::Serve(args) => serve::run(args),
    }
}

/// Prints one line on stderr and returns exit code 2 (usage or configuration error).
fn usage_error(message: impl std::fmt::Display) -> ExitCode {
    eprintln!("aksk: {message}");
    ExitCode::from(2)
}
