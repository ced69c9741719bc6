//! `aksk mpc ...`: MPC calls.
//!
//! Exit codes: 0 done (deleted, or already deleted), 1 the API refused (or answered
//! something it does not document), 2 usage or configuration error, 3 transport failure.

use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;

use huaweicloud_aksk::Credentials;
use huaweicloud_aksk::loader::ENV_PROJECT_ID;
use huaweicloud_aksk::mpc::{
    DEFAULT_CONNECT_TIMEOUT, DeleteOutcome, Event, MpcClient, MpcError, RetryPolicy,
};
use huaweicloud_aksk::server::LocalEndpoint;

/// MPC calls.
#[derive(Debug, clap::Subcommand)]
pub(crate) enum Command {
    /// Delete a packaging task record (DeleteRemuxTask).
    DeleteRemuxTask(DeleteArgs),
}

/// Arguments of `aksk mpc delete-remux-task`.
#[derive(Debug, clap::Args)]
pub(crate) struct DeleteArgs {
    /// The task whose packaging record to delete (with --local, default: the demo task).
    #[arg(long, value_name = "ID")]
    task_id: Option<String>,
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
    /// Retries after the first attempt (on connection failures, timeouts, 429 and 5xx).
    #[arg(long, value_name = "N", default_value_t = 2,
          value_parser = clap::value_parser!(u32).range(0..=20))]
    retries: u32,
    /// The most the command may take, all attempts included, in seconds [default: 60].
    #[arg(long, value_name = "SECS")]
    timeout: Option<f64>,
    /// Print each request as sent (credentials redacted) and each answer, on stderr.
    #[arg(short, long)]
    verbose: bool,
    /// Start a local MPC endpoint in this process, with its demo credentials and task,
    /// and call it.
    #[arg(long)]
    local: bool,
}

pub(crate) fn run(cmd: Command) -> ExitCode {
    match cmd {
        Command::DeleteRemuxTask(args) => delete_remux_task(args),
    }
}

fn delete_remux_task(args: DeleteArgs) -> ExitCode {
    // Declared first, so that it is dropped after the client (and its kept-alive
    // connection).
    let local = if args.local {
        match LocalEndpoint::start_demo() {
            Ok(endpoint) => Some(endpoint),
            Err(e) => return crate::usage_error(format!("cannot start the local endpoint: {e}")),
        }
    } else {
        None
    };

    let mut builder = MpcClient::builder().max_attempts(args.retries.saturating_add(1));
    let task_id;
    if let Some(endpoint) = &local {
        let (ak, sk, project_id) = endpoint.demo_credentials();
        task_id = args
            .task_id
            .clone()
            .unwrap_or_else(|| endpoint.demo_task_id().to_owned());
        builder = builder
            .credentials(Credentials::new(ak, sk))
            .project_id(args.project_id.clone().unwrap_or_else(|| project_id.into()))
            .endpoint(endpoint.url())
            // A loopback endpoint of this process: never through a proxy.
            .proxy_from_env(false);
    } else {
        let Some(id) = args.task_id.clone() else {
            return crate::usage_error("--task-id is required (or use --local)");
        };
        task_id = id;
        // Environment, profile file, then the ECS metadata service.
        builder = builder
            .credentials_provider(crate::credentials::chain())
            .allow_http(args.allow_http);
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
                return crate::usage_error("give --region REGION or --endpoint URL (or --local)");
            }
        };
    }
    if let Some(secs) = args.timeout {
        if !(secs.is_finite() && secs > 0.0 && secs <= 86_400.0) {
            return crate::usage_error("--timeout must be a number of seconds above 0");
        }
        let total = Duration::from_secs_f64(secs);
        builder = builder
            .call_timeout(total)
            .connect_timeout(total.min(DEFAULT_CONNECT_TIMEOUT))
            .retry_policy(
                RetryPolicy::new()
                    .with_max_attempts(args.retries.saturating_add(1))
                    .with_total_time(total),
            );
    }
    if args.verbose {
        builder = builder.observer(print_event);
    }
    let client = match builder.build() {
        Ok(client) => client,
        Err(e) => return crate::usage_error(e),
    };

    let result = client.delete_remux_task(&task_id);
    drop(client);
    let code = report(&task_id, local.as_ref(), result);
    if let Some(endpoint) = local {
        endpoint.shutdown();
    }
    code
}

fn report(
    task_id: &str,
    local: Option<&LocalEndpoint>,
    result: Result<DeleteOutcome, MpcError>,
) -> ExitCode {
    let task = printable(task_id);
    let where_ = local.map_or(String::new(), |e| {
        format!(" on the local endpoint {}", e.url())
    });
    match result {
        Ok(DeleteOutcome::AlreadyDeleted) => {
            println!(
                "packaging task record {task} already deleted{where_} (an earlier attempt's answer was lost; the retry found no such task)"
            );
            ExitCode::SUCCESS
        }
        Ok(_) => {
            println!("deleted packaging task record {task}{where_}");
            ExitCode::SUCCESS
        }
        Err(MpcError::Api(e) | MpcError::Unauthorized(e) | MpcError::Throttled(e)) => {
            eprintln!(
                "{}: {} (request id {})",
                printable(&e.error_code),
                printable(&e.error_msg),
                printable(e.request_id.as_deref().unwrap_or("none"))
            );
            if let Some(why) = e.signature_explanation() {
                eprintln!("aksk: {why}");
            }
            ExitCode::from(1)
        }
        Err(e @ MpcError::UnexpectedResponse(_)) => {
            eprintln!("aksk: {e}");
            ExitCode::from(1)
        }
        Err(e @ MpcError::Transport(_)) => {
            eprintln!("aksk: {e}");
            ExitCode::from(3)
        }
        Err(e) => crate::usage_error(e),
    }
}

/// `-v`: the exchange on stderr, curl style (`>` sent, `<` received, `*` the client),
/// credentials redacted.
fn print_event(event: &Event<'_>) {
    let _ = write!(std::io::stderr().lock(), "{event}");
}

/// Text from the network or the command line, with control characters escaped.
fn printable(s: &str) -> String {
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
