//! `aksk mpc delete-remux-task`: delete the records of the given task ids, one call each.
//!
//! Ids come from `--task-id` (repeatable) and `--from-file` (one a line, `-` for stdin);
//! every id is checked before anything is sent, an id repeated is deleted once, and an
//! id with a comma is refused (MPC would read `500005,500001` as one id that does not
//! exist, and splitting it could hide a typo). Each id ends in one outcome: `deleted`,
//! `already_deleted` (an earlier attempt's answer was lost, or `MPC.10211` with
//! `--ignore-missing`), `missing` (`MPC.10211`), `refused` (another answer), `failed` (no
//! answer). A refused signature or a transport failure stops the run: the next ids would
//! fail the same way (and refused signatures in a row lock the access key).

use std::collections::HashSet;
use std::io::{BufRead, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::Ordering;

use huaweicloud_aksk::mpc::{
    Answered, DeleteOutcome, DeleteRemuxTask, InvalidReason, MpcClient, MpcError,
};

use super::{ConnectArgs, connect, print_error, printable};

/// Arguments of `aksk mpc delete-remux-task`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// A task whose packaging record to delete; repeat for several (with --local and no
    /// id: the demo task).
    #[arg(long, value_name = "ID")]
    task_id: Vec<String>,
    /// Read task ids from FILE, one a line (blank lines skipped); `-` reads stdin.
    #[arg(long, value_name = "FILE")]
    from_file: Option<PathBuf>,
    /// Count a task that does not exist (MPC.10211) as already deleted: exit 0 for it.
    #[arg(long)]
    ignore_missing: bool,
    /// One JSON object a line per id: task_id, outcome (deleted, already_deleted, missing,
    /// refused, failed), error_code, error_msg, request_id.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    connect: ConnectArgs,
}

/// What became of one id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outcome {
    Deleted,
    AlreadyDeleted,
    Missing,
    Refused,
    Failed,
}

impl Outcome {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Outcome::Deleted => "deleted",
            Outcome::AlreadyDeleted => "already_deleted",
            Outcome::Missing => "missing",
            Outcome::Refused => "refused",
            Outcome::Failed => "failed",
        }
    }

    /// The record is gone.
    pub(crate) fn is_done(self) -> bool {
        matches!(self, Outcome::Deleted | Outcome::AlreadyDeleted)
    }

    /// The exit code this outcome calls for (0, 1 or 3).
    pub(crate) fn exit_code(self) -> u8 {
        match self {
            Outcome::Deleted | Outcome::AlreadyDeleted => 0,
            Outcome::Missing | Outcome::Refused => 1,
            Outcome::Failed => 3,
        }
    }

    pub(crate) fn parse(s: &str) -> Option<Outcome> {
        [
            Outcome::Deleted,
            Outcome::AlreadyDeleted,
            Outcome::Missing,
            Outcome::Refused,
            Outcome::Failed,
        ]
        .into_iter()
        .find(|o| o.as_str() == s)
    }
}

/// What one delete call gave.
pub(crate) type DeleteResult = Result<Answered<DeleteOutcome>, MpcError>;

/// Deletes one record (the id was checked), keeping the request id of the answer.
pub(crate) fn delete_one(client: &MpcClient, task_id: &str) -> DeleteResult {
    client.run_answered(&DeleteRemuxTask::new(task_id)?)
}

/// The outcome of one delete call. `missing_is_done`: a "does not exist" answer counts as
/// already deleted.
pub(crate) fn outcome_of(result: &DeleteResult, missing_is_done: bool) -> Outcome {
    match result {
        Ok(a) if a.output == DeleteOutcome::AlreadyDeleted => Outcome::AlreadyDeleted,
        Ok(_) => Outcome::Deleted,
        Err(e) if e.is_task_not_found() && missing_is_done => Outcome::AlreadyDeleted,
        Err(e) if e.is_task_not_found() => Outcome::Missing,
        Err(MpcError::Transport(_)) => Outcome::Failed,
        Err(_) => Outcome::Refused,
    }
}

/// The run cannot usefully go on after this error: the credentials are refused, or the
/// endpoint cannot be reached.
pub(crate) fn stops_the_run(e: &MpcError) -> bool {
    matches!(e, MpcError::Unauthorized(_) | MpcError::Transport(_))
}

/// One JSON line for an id, its members in this order.
#[derive(Debug, serde::Serialize)]
pub(crate) struct OutcomeLine<'a> {
    task_id: &'a str,
    outcome: &'static str,
    error_code: Option<&'a str>,
    error_msg: Option<String>,
    request_id: Option<&'a str>,
}

/// One JSON line for an id: task_id, outcome, error_code, error_msg, request_id.
pub(crate) fn outcome_json<'a>(
    task_id: &'a str,
    outcome: Outcome,
    result: &'a DeleteResult,
) -> String {
    let (error_code, error_msg, request_id) = match result {
        Ok(a) => (None, None, a.request_id.as_deref()),
        Err(e) => match e.api_error() {
            Some(api) => (
                Some(api.error_code.as_str()),
                Some(api.error_msg.clone()),
                api.request_id.as_deref(),
            ),
            None => (None, Some(e.to_string()), e.request_id()),
        },
    };
    let line = OutcomeLine {
        task_id,
        outcome: outcome.as_str(),
        error_code,
        error_msg,
        request_id,
    };
    serde_json::to_string(&line).expect("a line of strings serializes")
}

/// Checks a task id given on the command line or in a file; the message names it.
pub(crate) fn check_task_id(id: &str) -> Result<(), String> {
    if id.contains(',') {
        return Err(format!(
            "invalid task id {:?}: {}: give --task-id once per id (MPC would read it as one id)",
            printable(id),
            InvalidReason::Comma
        ));
    }
    DeleteRemuxTask::new(id).map(|_| ()).map_err(|e| {
        if id.is_empty() {
            e.to_string()
        } else {
            format!("{e}: {:?}", printable(id))
        }
    })
}

/// The ids of `--task-id` then `--from-file`, checked, each once, in the order given.
fn gather_ids(args: &Args) -> Result<Vec<String>, String> {
    let mut ids = args.task_id.clone();
    if let Some(path) = &args.from_file {
        let read = |r: &mut dyn BufRead| -> std::io::Result<Vec<String>> {
            let mut out = Vec::new();
            for line in r.lines() {
                let line = line?;
                let id = line.trim();
                if !id.is_empty() {
                    out.push(id.to_owned());
                }
            }
            Ok(out)
        };
        let from_file = if path.as_os_str() == "-" {
            read(&mut std::io::stdin().lock())
        } else {
            std::fs::File::open(path).and_then(|f| read(&mut std::io::BufReader::new(f)))
        }
        .map_err(|e| format!("cannot read task ids from {}: {e}", path.display()))?;
        ids.extend(from_file);
    }
    for id in &ids {
        check_task_id(id)?;
    }
    let mut seen = HashSet::new();
    ids.retain(|id| seen.insert(id.clone()));
    Ok(ids)
}

pub(crate) fn run(args: Args) -> ExitCode {
    let mut ids = match gather_ids(&args) {
        Ok(ids) => ids,
        Err(e) => return crate::usage_error(e),
    };
    if ids.is_empty() && !args.connect.local {
        return crate::usage_error("--task-id is required (or --from-file FILE, or --local)");
    }
    let conn = match connect(&args.connect) {
        Ok(conn) => conn,
        Err(code) => return code,
    };
    if ids.is_empty() {
        assert!(
            conn.local.is_some(),
            "no ids is refused above unless --local"
        );
        ids.push(huaweicloud_aksk::server::DEMO_TASK_ID.to_owned());
    }
    let interrupted = super::interrupt_flag();
    let several = ids.len() > 1;
    let where_ = conn.where_();
    let mut worst = 0u8;
    let mut stdout = std::io::stdout().lock();
    for id in &ids {
        if interrupted.load(Ordering::SeqCst) {
            worst = 130;
            break;
        }
        let result = delete_one(&conn.client, id);
        let outcome = outcome_of(&result, args.ignore_missing);
        worst = worst.max(outcome.exit_code());
        if args.json {
            let _ = writeln!(stdout, "{}", outcome_json(id, outcome, &result));
        } else {
            let task = printable(id);
            match (&result, outcome) {
                (Ok(_), Outcome::AlreadyDeleted) => {
                    let _ = writeln!(
                        stdout,
                        "packaging task record {task} already deleted{where_} (an earlier attempt's answer was lost; the retry found no such task)"
                    );
                }
                (Ok(_), _) => {
                    let _ = writeln!(stdout, "deleted packaging task record {task}{where_}");
                }
                (Err(_), Outcome::AlreadyDeleted) => {
                    let _ = writeln!(
                        stdout,
                        "packaging task record {task} does not exist{where_} (counted as deleted: --ignore-missing)"
                    );
                }
                (Err(e), _) => {
                    let prefix = if several {
                        format!("task {task}: ")
                    } else {
                        String::new()
                    };
                    print_error(e, &prefix);
                }
            }
        }
        if let Err(e) = &result {
            if matches!(e, MpcError::Invalid(_) | MpcError::Sign(_)) {
                worst = worst.max(2);
            }
            if stops_the_run(e) {
                if ids.len() > 1 {
                    eprintln!(
                        "aksk: stopped: the ids after {task} were not sent",
                        task = printable(id)
                    );
                }
                break;
            }
        }
    }
    drop(stdout);
    conn.close();
    ExitCode::from(worst)
}
