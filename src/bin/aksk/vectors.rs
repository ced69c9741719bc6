//! `aksk vectors check FILE`.

use std::process::ExitCode;

/// Test-vector commands.
#[derive(Debug, clap::Subcommand)]
pub(crate) enum Command {
    /// Run every vector of FILE through the signer.
    Check,
}

pub(crate) fn run(_cmd: Command) -> ExitCode {
    crate::usage_error("not yet available")
}
