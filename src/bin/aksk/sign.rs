//! `aksk sign`: sign a request.

use std::process::ExitCode;

/// Arguments of `aksk sign`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {}

pub(crate) fn run(_args: Args) -> ExitCode {
    crate::usage_error("not yet available")
}
