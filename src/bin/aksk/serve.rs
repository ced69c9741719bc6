//! `aksk serve`: the local MPC endpoint, until the process is stopped.

use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use huaweicloud_aksk::server::{EndpointConfig, LocalEndpoint, State};

/// Arguments of `aksk serve`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Address to listen on (port 0: a free port, printed when ready).
    #[arg(long, value_name = "IP:PORT", default_value = "127.0.0.1:8080")]
    addr: SocketAddr,
    /// JSON state: {"credentials":[{"ak","sk","project_id"}],"tokens":[{"token","project_id"}],
    /// "tasks":[{"project_id","task_id","status"}]}; default: the built-in demo set.
    #[arg(long, value_name = "FILE")]
    state: Option<PathBuf>,
    /// Failed authentications in a row that lock an access key (0: never lock).
    #[arg(long, value_name = "N", default_value_t = 5)]
    lockout_failures: u32,
    /// How long a locked access key stays locked.
    #[arg(long, value_name = "SECONDS", default_value_t = 300)]
    lockout_seconds: u64,
    /// Largest accepted difference between X-Sdk-Date and this machine's clock.
    #[arg(long, value_name = "SECONDS", default_value_t = 900)]
    max_skew_seconds: u64,
    /// Worker threads.
    #[arg(long, value_name = "N", default_value_t = 8)]
    workers: usize,
}

pub(crate) fn run(args: Args) -> ExitCode {
    let demo = args.state.is_none();
    let state = match &args.state {
        Some(path) => match State::load(path) {
            Ok(state) => state,
            Err(e) => return crate::usage_error(e),
        },
        None => State::demo(),
    };
    let config = EndpointConfig::new(state.clone())
        .addr(args.addr)
        .workers(args.workers)
        .lockout(
            args.lockout_failures,
            Duration::from_secs(args.lockout_seconds),
        )
        .max_skew(Duration::from_secs(args.max_skew_seconds));
    let endpoint = match LocalEndpoint::start(config) {
        Ok(endpoint) => endpoint,
        Err(e) => return crate::usage_error(e),
    };
    describe(&state, demo);
    // Scripts wait for this one line on stdout.
    let mut stdout = std::io::stdout().lock();
    let _ = writeln!(stdout, "listening on {}", endpoint.url());
    let _ = stdout.flush();
    drop(stdout);
    endpoint.wait();
    ExitCode::SUCCESS
}

/// Prints the credentials (secret keys only for the public demo set) and tasks on stderr.
fn describe(state: &State, demo: bool) {
    let mut err = std::io::stderr().lock();
    if demo {
        let _ = writeln!(err, "aksk serve: the built-in demo set (no --state given)");
    }
    for c in &state.credentials {
        if demo {
            let _ = writeln!(
                err,
                "  credentials: ak={} sk={} project_id={}",
                c.ak, c.sk, c.project_id
            );
        } else {
            let _ = writeln!(
                err,
                "  credentials: ak={} project_id={}",
                c.ak, c.project_id
            );
        }
    }
    for t in &state.tokens {
        let _ = writeln!(err, "  token for project_id={}", t.project_id);
    }
    for t in &state.tasks {
        let _ = writeln!(
            err,
            "  task: project_id={} task_id={} status={}",
            t.project_id, t.task_id, t.status
        );
    }
}
