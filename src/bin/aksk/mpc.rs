//! `aksk mpc ...`: MPC calls.
//!
//! Exit codes: 0 done (every record deleted, or already deleted), 1 the API refused (or
//! answered something it does not document), 2 usage or configuration error, 3 transport
//! failure, 130 interrupted (Ctrl-C) before the end.

use std::io::Write;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use huaweicloud_aksk::Credentials;
use huaweicloud_aksk::credentials::loader::ENV_PROJECT_ID;
use huaweicloud_aksk::mpc::{
    DEFAULT_CONNECT_TIMEOUT, DEFAULT_RATE_PER_MINUTE, Event, MpcClient, MpcError, PlainHttp, Proxy,
    RetryPolicy,
};
use huaweicloud_aksk::server::LocalEndpoint;

mod clean;
mod delete;
mod journal;
mod list;
mod time;

/// MPC calls.
#[derive(Debug, clap::Subcommand)]
pub(crate) enum Command {
    /// Delete packaging task records (DeleteRemuxTask), one call per id.
    DeleteRemuxTask(delete::Args),
    /// List packaging task records (ListRemuxTask), every page.
    ListRemuxTasks(list::Args),
    /// Delete every packaging task record in a final state created before a cutoff:
    /// list, confirm, delete at a steady rate, resumable with --journal.
    CleanRemuxTasks(clean::Args),
}

pub(crate) fn run(cmd: Command) -> ExitCode {
    match cmd {
        Command::DeleteRemuxTask(args) => delete::run(args),
        Command::ListRemuxTasks(args) => list::run(args),
        Command::CleanRemuxTasks(args) => clean::run(args),
    }
}

/// Where calls go and how: the options every `aksk mpc` command shares.
#[derive(Debug, clap::Args)]
pub(crate) struct ConnectArgs {
    /// The project id (default: HUAWEICLOUD_SDK_PROJECT_ID, or project_id in the
    /// credentials file, else asked of IAM for --region; HUAWEICLOUD_SDK_IAM_ENDPOINT
    /// overrides the IAM endpoint).
    #[arg(long, value_name = "ID")]
    project_id: Option<String>,
    /// The region, e.g. cn-north-4 (HUAWEICLOUD_SDK_REGION_MPC_CN_NORTH_4 and the like
    /// override the endpoint of a region). With --endpoint, only the region whose project
    /// id to ask IAM for.
    #[arg(long, value_name = "REGION", conflicts_with = "local")]
    region: Option<String>,
    /// The endpoint, https://HOST or http://HOST:PORT (a port is allowed with either;
    /// without a scheme, http for this machine and https for any other host).
    #[arg(long, value_name = "URL", conflicts_with = "local")]
    endpoint: Option<String>,
    /// Allow a plain http:// endpoint from HUAWEICLOUD_SDK_REGION_MPC_* for another
    /// machine (the signed request and any security token then cross the network in
    /// clear).
    #[arg(long, conflicts_with = "local")]
    allow_http: bool,
    /// Retries after the first attempt (on connection failures, timeouts and 5xx;
    /// throttled answers are retried for as long as --timeout allows, not counted here).
    #[arg(long, value_name = "N", default_value_t = 2,
          value_parser = clap::value_parser!(u32).range(0..=20))]
    retries: u32,
    /// The most one call may take, all attempts and waits included, in seconds
    /// [default: 60].
    #[arg(long, value_name = "SECS")]
    timeout: Option<f64>,
    /// At most N requests a minute, evenly spaced (MPC allows a tenant 100; over it the
    /// gateway answers 429 APIG.0308, and the pace slows down).
    #[arg(long, value_name = "N", default_value_t = DEFAULT_RATE_PER_MINUTE,
          value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    rate: u32,
    /// Print each request as sent (credentials redacted) and each answer, on stderr.
    #[arg(short, long)]
    verbose: bool,
    /// Start a local MPC endpoint in this process, with its demo credentials and tasks,
    /// and call it.
    #[arg(long)]
    pub(crate) local: bool,
}

/// A client, and the local endpoint it calls when `--local` was given (kept alive as long
/// as the client; shut down by [`Connection::close`]).
pub(crate) struct Connection {
    pub(crate) client: MpcClient,
    pub(crate) local: Option<LocalEndpoint>,
}

impl Connection {
    /// Drops the client (and its kept-alive connection), then stops any local endpoint.
    pub(crate) fn close(self) {
        let Connection { client, local } = self;
        drop(client);
        if let Some(endpoint) = local {
            endpoint.shutdown();
        }
    }

    /// ` on the local endpoint URL` with --local, else nothing.
    pub(crate) fn where_(&self) -> String {
        self.local.as_ref().map_or(String::new(), |e| {
            format!(" on the local endpoint {}", e.url())
        })
    }
}

/// Builds the client the options describe; the error is a usage or configuration error
/// (exit 2), already printed.
pub(crate) fn connect(args: &ConnectArgs) -> Result<Connection, ExitCode> {
    let local = if args.local {
        match LocalEndpoint::start_demo() {
            Ok(endpoint) => Some(endpoint),
            Err(e) => {
                return Err(crate::usage_error(format!(
                    "cannot start the local endpoint: {e}"
                )));
            }
        }
    } else {
        None
    };
    let retry = RetryPolicy::new().with_max_attempts(args.retries.saturating_add(1));
    let mut builder = MpcClient::builder()
        .retry_policy(retry)
        .rate_per_minute(args.rate);
    if let Some(endpoint) = &local {
        let (ak, sk, project_id) = (
            huaweicloud_aksk::server::DEMO_ACCESS_KEY,
            huaweicloud_aksk::server::DEMO_SECRET_KEY,
            huaweicloud_aksk::server::DEMO_PROJECT_ID,
        );
        builder = builder
            .credentials(Credentials::new(ak, sk))
            .project_id(args.project_id.clone().unwrap_or_else(|| project_id.into()))
            .endpoint(endpoint.url())
            // A loopback endpoint of this process: never through a proxy.
            .proxy(Proxy::Direct);
    } else {
        // Environment, profile file, then the ECS metadata service.
        builder = builder
            .credentials_provider(crate::credentials::chain())
            .plain_http(if args.allow_http {
                PlainHttp::Allowed
            } else {
                PlainHttp::LoopbackOnly
            });
        if let Some(project_id) = args
            .project_id
            .clone()
            .or_else(|| std::env::var(ENV_PROJECT_ID).ok().filter(|v| !v.is_empty()))
        {
            builder = builder.project_id(project_id);
        }
        builder = match (&args.region, &args.endpoint) {
            (Some(region), Some(url)) => builder.endpoint(url).project_region(region),
            (Some(region), None) => builder.region(region),
            (None, Some(url)) => builder.endpoint(url),
            (None, None) => {
                return Err(crate::usage_error(
                    "give --region REGION or --endpoint URL (or --local)",
                ));
            }
        };
    }
    if let Some(secs) = args.timeout {
        if !(secs.is_finite() && secs > 0.0 && secs <= 86_400.0) {
            return Err(crate::usage_error(
                "--timeout must be a number of seconds above 0",
            ));
        }
        let total = Duration::from_secs_f64(secs);
        builder = builder
            .call_timeout(total)
            .connect_timeout(total.min(DEFAULT_CONNECT_TIMEOUT))
            .retry_policy(retry.with_total_time(total));
    }
    if args.verbose {
        builder = builder.observer(print_event);
    }
    let client = builder.build().map_err(crate::usage_error)?;
    Ok(Connection { client, local })
}

/// `-v`: the exchange on stderr, curl style (`>` sent, `<` received, `*` the client),
/// credentials redacted.
fn print_event(event: &Event<'_>) {
    let _ = write!(std::io::stderr().lock(), "{event}");
}

/// Text from the network or the command line, with control characters escaped.
pub(crate) fn printable(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_control() {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// The exit code of a call that failed: 1 for an answer (a refusal, or one the API does
/// not document), 3 for no answer, 2 for an argument refused before sending.
pub(crate) fn error_exit_code(e: &MpcError) -> u8 {
    match e {
        MpcError::Transport(_) => 3,
        MpcError::Invalid(_) | MpcError::Sign(_) | MpcError::Credentials(_) => 2,
        _ => 1,
    }
}

/// Prints a failed call on stderr: `CODE: message (request id ID)` for an API error,
/// `aksk: ...` for anything else.
pub(crate) fn print_error(e: &MpcError, prefix: &str) {
    match e {
        MpcError::Api(api) | MpcError::Unauthorized(api) | MpcError::Throttled(api) => {
            eprintln!(
                "{prefix}{}: {} (request id {})",
                printable(&api.error_code),
                printable(&api.error_msg),
                printable(api.request_id.as_deref().unwrap_or("none"))
            );
            if let Some(why) = api.signature_explanation() {
                eprintln!("aksk: {prefix}{why}");
            }
        }
        other => eprintln!("aksk: {prefix}{other}"),
    }
}

/// Set by Ctrl-C: finish the request in flight, then stop. A second Ctrl-C exits at once.
pub(crate) fn interrupt_flag() -> Arc<AtomicBool> {
    let flag = Arc::new(AtomicBool::new(false));
    let seen = Arc::clone(&flag);
    // Without a handler (another one is set in this process) Ctrl-C ends the process as
    // usual, which the journal also survives.
    let _ = ctrlc::set_handler(move || {
        if seen.swap(true, Ordering::SeqCst) {
            std::process::exit(130);
        }
        let _ = writeln!(
            std::io::stderr(),
            "aksk: interrupted: finishing the request in flight (Ctrl-C again to quit now)"
        );
    });
    flag
}
