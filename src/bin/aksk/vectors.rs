//! `aksk vectors check FILE`: run every vector of a file through this signer.

use std::path::PathBuf;
use std::process::ExitCode;

use huaweicloud_aksk::vectors;

/// Test-vector commands.
#[derive(Debug, clap::Subcommand)]
pub(crate) enum Command {
    /// Run every vector of FILE (the test-vectors/ format) through the signer; print pass or
    /// FAIL per vector, and exit 1 if any fails. A vector marked "expected_to_fail" (with
    /// its reason) must fail, and is reported as an expected failure.
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
    let marks = match expected_failures(&text) {
        Ok(m) => m,
        Err(e) => return crate::usage_error(format_args!("{}: {e}", file.display())),
    };
    let (mut passed, mut failed, mut expected) = (0usize, 0usize, 0usize);
    for v in &list {
        let mark = marks.get(&v.name);
        match (v.check(), mark) {
            (Ok(()), None) => {
                passed += 1;
                if !quiet {
                    println!("pass {}", v.name);
                }
            }
            (Err(m), None) => {
                failed += 1;
                println!("FAIL {} ({}): {}", v.name, v.source, m);
            }
            (Err(_), Some(reason)) => {
                expected += 1;
                if !quiet {
                    println!("expected failure {}: {reason}", v.name);
                }
            }
            (Ok(()), Some(_)) => {
                failed += 1;
                println!(
                    "FAIL {} ({}): marked expected_to_fail, but it passes",
                    v.name, v.source
                );
            }
        }
    }
    if expected > 0 {
        println!("{passed} passed, {failed} failed, {expected} expected failures");
    } else {
        println!("{passed} passed, {failed} failed");
    }
    if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

/// The vectors a file marks as expected to fail, with the reason: a vector's
/// `"expected_to_fail": "why"` (for requests signed under another SDK's rules, which must
/// still verify; see test-vectors/README.md).
fn expected_failures(text: &str) -> Result<std::collections::HashMap<String, String>, String> {
    let root: serde_json::Value = serde_json::from_str(text).map_err(|e| e.to_string())?;
    let list = match &root {
        serde_json::Value::Array(items) => items,
        _ => match root.get("vectors").and_then(serde_json::Value::as_array) {
            Some(items) => items,
            None => return Ok(Default::default()),
        },
    };
    let mut marks = std::collections::HashMap::new();
    for v in list {
        let Some(mark) = v.get("expected_to_fail") else {
            continue;
        };
        let name = v.get("name").and_then(serde_json::Value::as_str);
        match (name, mark.as_str()) {
            (Some(name), Some(reason)) if !reason.trim().is_empty() => {
                marks.insert(name.to_owned(), reason.to_owned());
            }
            _ => return Err("an expected_to_fail mark needs a vector name and a reason".into()),
        }
    }
    Ok(marks)
}
