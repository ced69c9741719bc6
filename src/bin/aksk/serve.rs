//! `aksk serve`: the local MPC endpoint, until the process is stopped.

use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use huaweicloud_aksk::server::{AccessLog, EndpointConfig, LocalEndpoint, State, export_database};

/// Arguments of `aksk serve`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Address to listen on (port 0: a free port, printed when ready).
    #[arg(long, value_name = "IP:PORT", default_value = "127.0.0.1:8080")]
    addr: SocketAddr,
    /// SQLite database holding the records, created if need be (default: in memory, lost
    /// at exit). A new database gets the tasks of --state (or of the demo set); an existing
    /// one keeps its own.
    #[arg(long, value_name = "PATH")]
    db: Option<PathBuf>,
    /// JSON state: {"credentials":[{"ak","sk","project_id"}],"tokens":[{"token","project_id"}],
    /// "tasks":[{"project_id","task_id","status",...}]}; default: the built-in demo set.
    #[arg(long, value_name = "FILE")]
    state: Option<PathBuf>,
    /// Write the records of --db to FILE as a state file, and exit.
    #[arg(long, value_name = "FILE", requires = "db")]
    export_state: Option<PathBuf>,
    /// Failed authentications in a row that lock an access key (0: never lock).
    #[arg(long, value_name = "N", default_value_t = 5)]
    lockout_failures: u32,
    /// How long a locked access key stays locked.
    #[arg(long, value_name = "SECONDS", default_value_t = 300)]
    lockout_seconds: u64,
    /// Largest accepted difference between X-Sdk-Date and this machine's clock.
    #[arg(long, value_name = "SECONDS", default_value_t = 900)]
    max_skew_seconds: u64,
    /// Requests per minute allowed per access key; over it, 429 APIG.0308 (default: no
    /// limit).
    #[arg(long, value_name = "N")]
    rate_limit: Option<u32>,
    /// Created tasks go INIT, WAITING, PROCESSING, then SUCCEED over this time (0: they
    /// stay INIT).
    #[arg(long, value_name = "SECONDS", default_value_t = 0)]
    task_progress: u64,
    /// How long the temporary credentials issued at /openstack/latest/securitykey are
    /// accepted (1 to 86400).
    #[arg(long, value_name = "SECONDS", default_value_t = 3600,
          value_parser = clap::value_parser!(u64).range(1..=86_400))]
    temporary_credentials_ttl: u64,
    /// Threads of the async runtime.
    #[arg(long, value_name = "N", default_value_t = 2)]
    workers: usize,
    /// No access-log line on stderr for each request.
    #[arg(long)]
    quiet: bool,
}

pub(crate) fn run(args: Args) -> ExitCode {
    if let (Some(db), Some(out)) = (&args.db, &args.export_state) {
        return export(db, out);
    }
    // Without --state, a database that exists keeps its own records and credentials.
    let existing_db = args.db.as_ref().is_some_and(|p| p.exists());
    let state = match &args.state {
        Some(path) => match State::load(path) {
            Ok(state) => state,
            Err(e) => return crate::usage_error(e),
        },
        None if existing_db => State::default(),
        None => State::demo(),
    };
    let demo = args.state.is_none() && !existing_db;
    let mut config = EndpointConfig::new(state)
        .addr(args.addr)
        .workers(args.workers)
        .lockout(
            args.lockout_failures,
            Duration::from_secs(args.lockout_seconds),
        )
        .max_skew(Duration::from_secs(args.max_skew_seconds))
        .task_progress(Duration::from_secs(args.task_progress))
        .access_log(if args.quiet {
            AccessLog::Off
        } else {
            AccessLog::Stderr
        })
        .temporary_credentials_ttl(Duration::from_secs(args.temporary_credentials_ttl));
    if let Some(db) = &args.db {
        config = config.database(db);
    }
    if let Some(n) = args.rate_limit {
        config = config.rate_limit(n);
    }
    let endpoint = match LocalEndpoint::start(config) {
        Ok(endpoint) => endpoint,
        Err(e) => return crate::usage_error(e),
    };
    match endpoint.export_state() {
        Ok(state) => describe(&state, demo, args.db.is_some()),
        Err(e) => return crate::usage_error(e),
    }
    // Scripts wait for this one line on stdout.
    let mut stdout = std::io::stdout().lock();
    let _ = writeln!(stdout, "listening on {}", endpoint.url());
    let _ = stdout.flush();
    drop(stdout);
    endpoint.wait();
    ExitCode::SUCCESS
}

/// `--db PATH --export-state FILE`: the database as a state file.
fn export(db: &std::path::Path, out: &std::path::Path) -> ExitCode {
    let state = match export_database(db) {
        Ok(state) => state,
        Err(e) => return crate::usage_error(e),
    };
    let json = serde_json::to_string_pretty(&state).expect("a state serializes to JSON");
    if let Err(e) = std::fs::write(out, json + "\n") {
        return crate::usage_error(format!("cannot write {}: {e}", out.display()));
    }
    eprintln!(
        "aksk serve: wrote {} credentials and {} tasks to {}",
        state.credentials.len(),
        state.tasks.len(),
        out.display()
    );
    ExitCode::SUCCESS
}

/// Prints the credentials (secret keys only for the public demo set) and tasks on stderr.
fn describe(state: &State, demo: bool, durable: bool) {
    let mut err = std::io::stderr().lock();
    if demo {
        let _ = writeln!(err, "aksk serve: the built-in demo set (no --state given)");
    }
    if !durable {
        let _ = writeln!(
            err,
            "aksk serve: records are in memory (no --db given): changes are lost at exit"
        );
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
    let shown = 20;
    for t in state.tasks.iter().take(shown) {
        let _ = writeln!(
            err,
            "  task: project_id={} task_id={} status={}",
            t.project_id, t.task.task_id, t.task.status
        );
    }
    if state.tasks.len() > shown {
        let _ = writeln!(err, "  ... and {} more tasks", state.tasks.len() - shown);
    }
}
