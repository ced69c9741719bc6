//! `aksk mpc ...`: MPC calls.

use std::process::ExitCode;

/// MPC calls.
#[derive(Debug, clap::Subcommand)]
pub(crate) enum Command {
    /// Delete a packaging task record.
    DeleteRemuxTask,
}

pub(crate) fn run(_cmd: Command) -> ExitCode {
    crate::usage_error("not yet available")
}
