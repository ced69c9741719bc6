//! `aksk vectors check FILE`: run every vector of a file through this signer.

use std::path::PathBuf;
use std::process::ExitCode;

use huaweicloud_aksk::vectors;

/// Test-vector commands.
#[derive(Debug, clap::Subcommand)]
pub(crate) enum Command {
    /// Run every vector of FILE (the test-vectors/ format) through the signer; print pass or
    /// FAIL per vector, and exit 1 if any fails.
    Check {
        /// The vector file (JSON).
        file: PathBuf,
        /// Print only failures and the summary.
        #[arg(short, long)]
        quiet: bool,
    },
}

pub(crate) fn run(cmd: Command) -> ExitCode {
    let Command::Check { file, quiet } = cmd;
    let text = match std::fs::read_to_string(&file) {
        Ok(t) => t,
        Err(e) => return crate::usage_error(format_args!("{}: {e}", file.display())),
    };
    let list = match vectors::parse(&text) {
        Ok(l) => l,
        Err(e) => return crate::usage_error(format_args!("{}: {e}", file.display())),
    };
    let (mut passed, mut failed) = (0usize, 0usize);
    for v in &list {
        match v.check() {
            Ok(()) => {
                passed += 1;
                if !quiet {
                    println!("pass {}", v.name);
                }
            }
            Err(m) => {
                failed += 1;
                println!("FAIL {} ({}): {}", v.name, v.source, m);
            }
        }
    }
    println!("{passed} passed, {failed} failed");
    if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}
