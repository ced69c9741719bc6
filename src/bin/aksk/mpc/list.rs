//! `aksk mpc list-remux-tasks`: every packaging task record the filters match, every page.
//!
//! MPC filters on one status at a time: with several `--status`, one listing per status
//! is made, one after the other. More than 10 `--task-id` are asked for 10 at a time.

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use huaweicloud_aksk::mpc::{
    ListRemuxTasks, MAX_LIST_TASK_IDS, MpcClient, MpcError, RemuxTask, TaskStatus,
};

use super::time::parse_time;
use super::{ConnectArgs, connect, error_exit_code, print_error, printable};

/// Arguments of `aksk mpc list-remux-tasks`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Only tasks in this status (INIT, WAITING, PROCESSING, SUCCEED, FAILED, CANCELED);
    /// repeat for several.
    #[arg(long, value_name = "S", value_parser = parse_status)]
    status: Vec<TaskStatus>,
    /// Only tasks created at or after TIME: yyyymmddhhmmss (UTC) or RFC 3339.
    #[arg(long, value_name = "TIME", value_parser = parse_time)]
    since: Option<chrono::DateTime<chrono::Utc>>,
    /// Only tasks created at or before TIME: yyyymmddhhmmss (UTC) or RFC 3339.
    #[arg(long, value_name = "TIME", value_parser = parse_time)]
    until: Option<chrono::DateTime<chrono::Utc>>,
    /// Only tasks reading from this bucket.
    #[arg(long, value_name = "B")]
    input_bucket: Option<String>,
    /// Only tasks reading this object.
    #[arg(long, value_name = "O")]
    input_object: Option<String>,
    /// Only this task; repeat for several (MPC then ignores --since and --until).
    #[arg(long, value_name = "ID")]
    task_id: Vec<String>,
    /// One JSON object a line per task, as MPC describes it.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    connect: ConnectArgs,
}

/// Reads a status name as MPC writes it (upper case; lower case accepted).
pub(crate) fn parse_status(s: &str) -> Result<TaskStatus, String> {
    s.to_ascii_uppercase()
        .parse::<TaskStatus>()
        .map_err(|e| e.to_string())
}

/// The listings `args` call for: one per status (or one for all), with the ids 10 at a
/// time; an argument MPC would refuse is a usage error.
fn queries(args: &Args) -> Result<Vec<ListRemuxTasks>, String> {
    let mut base = ListRemuxTasks::new();
    if let Some(t) = args.since {
        base = base.created_from(t);
    }
    if let Some(t) = args.until {
        base = base.created_until(t);
    }
    if let (Some(since), Some(until)) = (args.since, args.until) {
        if since > until {
            return Err("--since is after --until".into());
        }
    }
    if let Some(b) = &args.input_bucket {
        base = base.input_bucket(b).map_err(|e| e.to_string())?;
    }
    if let Some(o) = &args.input_object {
        base = base.input_object(o).map_err(|e| e.to_string())?;
    }
    for id in &args.task_id {
        super::delete::check_task_id(id)?;
    }
    let statuses: Vec<Option<TaskStatus>> = if args.status.is_empty() {
        vec![None]
    } else {
        let mut seen = std::collections::HashSet::new();
        let mut s = args.status.clone();
        s.retain(|status| seen.insert(*status));
        s.into_iter().map(Some).collect()
    };
    let id_chunks: Vec<&[String]> = if args.task_id.is_empty() {
        vec![&[]]
    } else {
        args.task_id.chunks(MAX_LIST_TASK_IDS).collect()
    };
    let mut out = Vec::new();
    for status in statuses {
        for ids in &id_chunks {
            let mut q = base.clone();
            if let Some(s) = status {
                q = q.status(s);
            }
            if !ids.is_empty() {
                q = q.task_ids(ids.iter().cloned()).map_err(|e| e.to_string())?;
            }
            out.push(q);
        }
    }
    Ok(out)
}

/// Every task the queries match, in their order; the first error ends the listing.
pub(crate) fn list_all(
    client: &MpcClient,
    queries: Vec<ListRemuxTasks>,
    mut each: impl FnMut(RemuxTask),
) -> Result<(), MpcError> {
    for q in queries {
        for task in client.list_remux_tasks(q) {
            each(task?);
        }
    }
    Ok(())
}

pub(crate) fn run(args: Args) -> ExitCode {
    let queries = match queries(&args) {
        Ok(q) => q,
        Err(e) => return crate::usage_error(e),
    };
    let conn = match connect(&args.connect) {
        Ok(conn) => conn,
        Err(code) => return code,
    };
    let mut stdout = std::io::stdout().lock();
    let mut rows = Vec::new();
    let table = !args.json;
    let result = list_all(&conn.client, queries, |task| {
        if table {
            rows.push(task);
        } else {
            let line = serde_json::to_string(&task).expect("a task serializes");
            let _ = writeln!(stdout, "{line}");
        }
    });
    if table {
        let _ = write_table(&mut stdout, &rows);
        if std::io::stdout().is_terminal() {
            eprintln!("{} task(s){}", rows.len(), conn.where_());
        }
    }
    drop(stdout);
    conn.close();
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            print_error(&e, "");
            ExitCode::from(error_exit_code(&e))
        }
    }
}

/// The tasks as an aligned table: task id, status, created, input.
fn write_table(out: &mut impl Write, rows: &[RemuxTask]) -> std::io::Result<()> {
    let cells: Vec<[String; 4]> = rows
        .iter()
        .map(|t| {
            [
                printable(&t.task_id),
                t.status.to_string(),
                t.create_time.as_deref().map_or("-".into(), printable),
                t.input.as_ref().map_or("-".into(), |i| {
                    printable(&format!("obs://{}/{}", i.bucket, i.object))
                }),
            ]
        })
        .collect();
    let header = ["TASK_ID", "STATUS", "CREATED", "INPUT"];
    let mut widths = header.map(str::len);
    for row in &cells {
        for (w, c) in widths.iter_mut().zip(row) {
            *w = (*w).max(c.chars().count());
        }
    }
    let line = |out: &mut dyn Write, row: [&str; 4]| {
        writeln!(
            out,
            "{:<w0$}  {:<w1$}  {:<w2$}  {}",
            row[0],
            row[1],
            row[2],
            row[3],
            w0 = widths[0],
            w1 = widths[1],
            w2 = widths[2]
        )
    };
    line(out, header)?;
    for row in &cells {
        line(out, [&row[0], &row[1], &row[2], &row[3]])?;
    }
    Ok(())
}
