//! `aksk serve`: the local MPC endpoint.

use std::process::ExitCode;

/// Arguments of `aksk serve`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {}

pub(crate) fn run(_args: Args) -> ExitCode {
    crate::usage_error("not yet available")
}
