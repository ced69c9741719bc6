//! `aksk mpc clean-remux-tasks`: delete every packaging task record in a final state
//! created before a cutoff.
//!
//! 1. The cutoff: `--until TIME`, or now minus `--older-than AGE` (whole seconds).
//! 2. The candidates: one listing per status (MPC filters on one at a time), every page,
//!    records created before the cutoff (`end_time` is the cutoff minus one second, MPC's
//!    bound being inclusive; a record whose `create_time` says otherwise is left out),
//!    each id once. The whole listing is read before anything is deleted: deleting while
//!    paging would shift the pages.
//! 3. With `--journal`, the ids the journal has as done are left out, and the ids it has
//!    an intent for but no outcome that is done are deleted again first (see `journal.rs`).
//! 4. A confirmation with the count on a terminal, unless `--yes` (or `--dry-run`, which
//!    lists and deletes nothing).
//! 5. One delete each, at the client's pace (`--rate`); `MPC.10211` for a listed record is
//!    `already_deleted` (someone, or a run before, deleted it). A refused signature or a
//!    transport failure stops the run; Ctrl-C lets the request in flight finish, then
//!    stops.
//!
//! Exit codes: 0 every candidate deleted or already deleted; 1 any refused; 3 a transport
//! failure; 2 bad usage (or a journal that cannot be read or written); 130 interrupted.

use std::collections::HashSet;
use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::Ordering;

use chrono::{DateTime, TimeDelta, Utc};
use clap::ArgGroup;
use huaweicloud_aksk::mpc::{
    ListRemuxTasks, RemuxTask, TaskStatus, format_mpc_time, parse_mpc_time,
};
use indicatif::{ProgressBar, ProgressStyle};

use super::delete::{Outcome, delete_one, outcome_json, outcome_of, stops_the_run};
use super::journal::{self, Header, Journal};
use super::list::{list_all, parse_status};
use super::time::{parse_age, parse_time};
use super::{ConnectArgs, connect, error_exit_code, print_error, printable};

/// Arguments of `aksk mpc clean-remux-tasks`.
#[derive(Debug, clap::Args)]
#[command(group(ArgGroup::new("cutoff").args(["older_than", "until"])))]
pub(crate) struct Args {
    /// Delete records created more than AGE ago: a number and d, h, m or s (30d, 12h,
    /// 90m).
    #[arg(long, value_name = "AGE", value_parser = parse_age)]
    older_than: Option<TimeDelta>,
    /// Delete records created before TIME: yyyymmddhhmmss (UTC, as MPC writes it) or RFC
    /// 3339.
    #[arg(long, value_name = "TIME", value_parser = parse_time)]
    until: Option<DateTime<Utc>>,
    /// The final states whose records to delete, comma-separated or repeated [default:
    /// SUCCEED,FAILED,CANCELED].
    #[arg(long, value_name = "S,...", value_delimiter = ',', value_parser = parse_final_status)]
    status: Vec<TaskStatus>,
    /// Only records of tasks reading from this bucket.
    #[arg(long, value_name = "B")]
    input_bucket: Option<String>,
    /// List what would be deleted, and delete nothing.
    #[arg(long)]
    dry_run: bool,
    /// Append each intent and outcome to FILE, flushed to disk as it happens; run again
    /// with the same FILE to resume where a run stopped.
    #[arg(long, value_name = "FILE")]
    journal: Option<PathBuf>,
    /// One JSON object a line per record (task_id, outcome, error_code, error_msg,
    /// request_id), and a summary object last.
    #[arg(long)]
    json: bool,
    /// Do not ask for confirmation on a terminal.
    #[arg(short = 'y', long)]
    yes: bool,
    #[command(flatten)]
    connect: ConnectArgs,
}

/// A status whose records can be deleted.
fn parse_final_status(s: &str) -> Result<TaskStatus, String> {
    let status = parse_status(s)?;
    if !status.is_final() {
        return Err(format!(
            "{status} is not a final state: only SUCCEED, FAILED and CANCELED records can be deleted"
        ));
    }
    Ok(status)
}

/// What the run selects.
struct Selection {
    cutoff: DateTime<Utc>,
    statuses: Vec<TaskStatus>,
    input_bucket: Option<String>,
}

impl Selection {
    fn header(&self) -> Header {
        Header::new(
            format_mpc_time(self.cutoff),
            self.statuses
                .iter()
                .map(|s| s.as_str().to_owned())
                .collect(),
            self.input_bucket.clone(),
        )
    }

    /// The listings: one per status, records created before the cutoff.
    fn queries(&self) -> Result<Vec<ListRemuxTasks>, String> {
        let last_second = self.cutoff - TimeDelta::seconds(1);
        self.statuses
            .iter()
            .map(|s| {
                let mut q = ListRemuxTasks::new()
                    .status(*s)
                    .created_until(last_second)
                    .size(100)
                    .map_err(|e| e.to_string())?;
                if let Some(b) = &self.input_bucket {
                    q = q.input_bucket(b).map_err(|e| e.to_string())?;
                }
                Ok(q)
            })
            .collect()
    }

    /// A listed record belongs: in a selected status, created before the cutoff when its
    /// creation time can be read (MPC's filter already said so otherwise).
    fn keeps(&self, task: &RemuxTask) -> bool {
        let before = task
            .create_time
            .as_deref()
            .and_then(parse_mpc_time)
            .is_none_or(|t| t < self.cutoff);
        before && self.statuses.contains(&task.status)
    }
}

/// The selection from the arguments, and from the journal's header when resuming: the
/// same statuses and bucket are required, the cutoff of `--older-than` is the journal's,
/// and a different `--until` is refused.
fn selection(args: &Args, resumed: Option<&Header>) -> Result<Selection, String> {
    let mut statuses = if args.status.is_empty() {
        vec![
            TaskStatus::Succeed,
            TaskStatus::Failed,
            TaskStatus::Canceled,
        ]
    } else {
        args.status.clone()
    };
    let mut seen = HashSet::new();
    statuses.retain(|s| seen.insert(*s));
    let cutoff = match (args.until, args.older_than) {
        (Some(t), _) => t,
        (None, Some(age)) => Utc::now()
            .checked_sub_signed(age)
            .ok_or("--older-than reaches before the earliest time")?,
        (None, None) => return Err("give --older-than AGE or --until TIME".into()),
    };
    let cutoff = parse_mpc_time(&format_mpc_time(cutoff))
        .ok_or("the cutoff cannot be written as yyyymmddhhmmss")?;
    let mut selection = Selection {
        cutoff,
        statuses,
        input_bucket: args.input_bucket.clone(),
    };
    if let Some(header) = resumed {
        let ours = selection.header();
        if header.statuses != ours.statuses || header.input_bucket != ours.input_bucket {
            return Err(format!(
                "the journal was started for statuses {} and input bucket {}: give the same --status and --input-bucket to resume it, or another --journal",
                header.statuses.join(","),
                header.input_bucket.as_deref().unwrap_or("(any)")
            ));
        }
        let journal_cutoff = parse_mpc_time(&header.cutoff)
            .ok_or("the journal's cutoff is not a yyyymmddhhmmss time")?;
        if args.until.is_some() && journal_cutoff != selection.cutoff {
            return Err(format!(
                "the journal was started with the cutoff {}: give the same --until (or --older-than) to resume it, or another --journal",
                header.cutoff
            ));
        }
        selection.cutoff = journal_cutoff;
    }
    Ok(selection)
}

/// A `--dry-run --json` line.
#[derive(serde::Serialize)]
struct WouldDelete<'a> {
    task_id: &'a str,
    outcome: &'static str,
    /// `None` for an id the journal has unfinished and the listing no longer shows.
    status: Option<&'static str>,
    create_time: Option<&'a str>,
}

/// The last `--json` line: what the run found and did.
#[derive(serde::Serialize)]
struct Summary {
    summary: bool,
    dry_run: bool,
    /// Records created before this time, `yyyymmddhhmmss` UTC.
    cutoff: String,
    /// Records to delete in this run.
    candidates: usize,
    /// Listed records the journal has as done already.
    done_in_journal: u64,
    deleted: u64,
    already_deleted: u64,
    refused: u64,
    failed: u64,
    not_attempted: usize,
    interrupted: bool,
}

impl Summary {
    fn new(selection: &Selection, candidates: usize, done_in_journal: u64) -> Self {
        Summary {
            summary: true,
            dry_run: false,
            cutoff: format_mpc_time(selection.cutoff),
            candidates,
            done_in_journal,
            deleted: 0,
            already_deleted: 0,
            refused: 0,
            failed: 0,
            not_attempted: 0,
            interrupted: false,
        }
    }

    fn to_json(&self) -> String {
        serde_json::to_string(self).expect("a summary serializes")
    }
}

/// How many records ended in each outcome.
#[derive(Default)]
struct Tally {
    deleted: u64,
    already_deleted: u64,
    refused: u64,
    failed: u64,
}

impl Tally {
    fn add(&mut self, outcome: Outcome) {
        match outcome {
            Outcome::Deleted => self.deleted += 1,
            Outcome::AlreadyDeleted => self.already_deleted += 1,
            Outcome::Missing | Outcome::Refused => self.refused += 1,
            Outcome::Failed => self.failed += 1,
        }
    }
}

pub(crate) fn run(args: Args) -> ExitCode {
    let journal_state = match &args.journal {
        Some(path) => match journal::read(path) {
            Ok(state) => Some(state),
            Err(e) => return crate::usage_error(e),
        },
        None => None,
    };
    let resumed = journal_state.as_ref().and_then(|s| s.header.as_ref());
    let selection = match selection(&args, resumed) {
        Ok(s) => s,
        Err(e) => return crate::usage_error(e),
    };
    let queries = match selection.queries() {
        Ok(q) => q,
        Err(e) => return crate::usage_error(e),
    };
    if resumed.is_some() && !args.json {
        eprintln!(
            "aksk: resuming the journal: records created before {} (UTC)",
            format_mpc_time(selection.cutoff)
        );
    }
    let conn = match connect(&args.connect) {
        Ok(conn) => conn,
        Err(code) => return code,
    };
    let code = clean(&args, &selection, queries, journal_state, &conn);
    conn.close();
    code
}

fn clean(
    args: &Args,
    selection: &Selection,
    queries: Vec<ListRemuxTasks>,
    journal_state: Option<journal::State>,
    conn: &super::Connection,
) -> ExitCode {
    let client = &conn.client;
    let terminal = std::io::stderr().is_terminal();
    if terminal && !args.json {
        eprintln!(
            "listing {} records created before {} (UTC){}...",
            selection
                .statuses
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            format_mpc_time(selection.cutoff),
            conn.where_()
        );
    }
    // 1. Every candidate, before anything is deleted.
    let mut listed: Vec<RemuxTask> = Vec::new();
    let mut ids = HashSet::new();
    let listing = list_all(client, queries, |task| {
        if selection.keeps(&task) && ids.insert(task.task_id.clone()) {
            listed.push(task);
        }
    });
    if let Err(e) = listing {
        print_error(&e, "listing: ");
        return ExitCode::from(error_exit_code(&e));
    }

    // 2. What is left to do: the journal's unfinished deletes first, then the listed
    // records it does not have as done.
    let needs_header = journal_state.as_ref().is_none_or(|s| s.header.is_none());
    let (done, unfinished) = journal_state
        .map(|s| (s.done, s.unfinished))
        .unwrap_or_default();
    let mut pending: Vec<String> = unfinished.clone();
    let mut in_pending: HashSet<String> = unfinished.into_iter().collect();
    let mut done_before = 0u64;
    for task in &listed {
        if done.contains(&task.task_id) {
            done_before += 1;
        } else if in_pending.insert(task.task_id.clone()) {
            pending.push(task.task_id.clone());
        }
    }
    let candidates = pending.len();

    let mut stdout = std::io::stdout().lock();
    if args.dry_run {
        let by_id: std::collections::HashMap<&str, &RemuxTask> =
            listed.iter().map(|t| (t.task_id.as_str(), t)).collect();
        for id in &pending {
            let task = by_id.get(id.as_str());
            let status = task.map(|t| t.status.as_str());
            let created = task.and_then(|t| t.create_time.as_deref());
            if args.json {
                let line = WouldDelete {
                    task_id: id,
                    outcome: "would_delete",
                    status,
                    create_time: created,
                };
                let line = serde_json::to_string(&line).expect("a line of strings serializes");
                let _ = writeln!(stdout, "{line}");
            } else {
                let _ = writeln!(
                    stdout,
                    "would delete {} ({}, created {})",
                    printable(id),
                    status.unwrap_or("unfinished in the journal"),
                    created.map_or("-".into(), printable)
                );
            }
        }
        if args.json {
            let summary = Summary {
                dry_run: true,
                ..Summary::new(selection, candidates, done_before)
            };
            let _ = writeln!(stdout, "{}", summary.to_json());
        } else {
            let _ = writeln!(
                stdout,
                "{candidates} record(s) would be deleted (dry run: nothing deleted)"
            );
        }
        return ExitCode::SUCCESS;
    }

    if candidates == 0 {
        if args.json {
            let summary = Summary::new(selection, 0, done_before);
            let _ = writeln!(stdout, "{}", summary.to_json());
        } else {
            let _ = writeln!(stdout, "nothing to delete");
        }
        return ExitCode::SUCCESS;
    }

    // 3. Confirmation, on a terminal.
    if !args.yes && terminal && std::io::stdin().is_terminal() {
        eprint!(
            "Delete {candidates} packaging task record(s) created before {} (UTC){}? [y/N] ",
            format_mpc_time(selection.cutoff),
            conn.where_()
        );
        let mut answer = String::new();
        let _ = std::io::stdin().lock().read_line(&mut answer);
        if !matches!(answer.trim(), "y" | "Y" | "yes" | "YES" | "Yes") {
            eprintln!("nothing deleted");
            return ExitCode::SUCCESS;
        }
    }

    let mut journal = match &args.journal {
        Some(path) => {
            let header = selection.header();
            match Journal::open(path, needs_header.then_some(&header)) {
                Ok(j) => Some(j),
                Err(e) => return crate::usage_error(e),
            }
        }
        None => None,
    };

    // 4. One delete each. From here on, Ctrl-C lets the delete in flight finish (before it,
    // it ends the process at once: nothing was deleted, and the journal holds at most its
    // header).
    let interrupted = super::interrupt_flag();
    let bar = (terminal && !args.json).then(|| {
        let bar = ProgressBar::new(candidates as u64);
        bar.set_style(
            ProgressStyle::with_template(
                "{bar:40} {pos}/{len} deleted  {per_sec}  ETA {eta}  {msg}",
            )
            .expect("the template is valid"),
        );
        bar
    });
    let mut tally = Tally::default();
    let mut attempted = 0usize;
    let mut was_interrupted = false;
    let mut worst = 0u8;
    for id in &pending {
        if interrupted.load(Ordering::SeqCst) {
            was_interrupted = true;
            break;
        }
        if let Some(j) = journal.as_mut() {
            if let Err(e) = j.intent(id) {
                return crate::usage_error(e);
            }
        }
        attempted += 1;
        let result = delete_one(client, id);
        // A listed record (or one a run before meant to delete) that does not exist is
        // gone: someone, or that run, deleted it.
        let outcome = outcome_of(&result, true);
        let line = outcome_json(id, outcome, &result);
        if let Some(j) = journal.as_mut() {
            if let Err(e) = j.outcome(&line) {
                return crate::usage_error(e);
            }
        }
        tally.add(outcome);
        worst = worst.max(outcome.exit_code());
        if args.json {
            let _ = writeln!(stdout, "{line}");
        } else {
            let text = match (&result, outcome) {
                (_, Outcome::Deleted) => format!("deleted {}", printable(id)),
                (_, Outcome::AlreadyDeleted) => format!("already deleted {}", printable(id)),
                (Err(e), _) => format!("{} {}: {e}", outcome.as_str(), printable(id)),
                (Ok(_), _) => unreachable!("a success is deleted or already deleted"),
            };
            match &bar {
                Some(bar) => {
                    if !outcome.is_done() {
                        bar.println(text);
                    }
                    bar.inc(1);
                }
                None => {
                    let _ = writeln!(stdout, "{text}");
                }
            }
        }
        if let Err(e) = &result {
            if stops_the_run(e) {
                let msg = format!(
                    "stopped: {}; run again{} to go on",
                    if e.is_transport() {
                        "the endpoint cannot be reached"
                    } else {
                        "the credentials were refused"
                    },
                    if args.journal.is_some() {
                        " with the same --journal"
                    } else {
                        ""
                    }
                );
                match &bar {
                    Some(bar) => bar.println(format!("aksk: {msg}")),
                    None => eprintln!("aksk: {msg}"),
                }
                break;
            }
        }
    }
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    let not_attempted = candidates - attempted;
    if args.json {
        let summary = Summary {
            deleted: tally.deleted,
            already_deleted: tally.already_deleted,
            refused: tally.refused,
            failed: tally.failed,
            not_attempted,
            interrupted: was_interrupted,
            ..Summary::new(selection, candidates, done_before)
        };
        let _ = writeln!(stdout, "{}", summary.to_json());
    } else {
        let _ = writeln!(
            stdout,
            "{} deleted, {} already deleted, {} refused, {} failed, {} not attempted, of {candidates} record(s){}",
            tally.deleted,
            tally.already_deleted,
            tally.refused,
            tally.failed,
            not_attempted,
            if was_interrupted {
                " (interrupted)"
            } else {
                ""
            }
        );
    }
    if was_interrupted {
        return ExitCode::from(130);
    }
    ExitCode::from(worst)
}
