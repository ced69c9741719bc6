//! `aksk mpc list-remux-tasks` and `aksk mpc clean-remux-tasks` end to end, against the
//! local endpoint run as `aksk serve` on 127.0.0.1 port 0 with a seeded store: listing
//! with filters and paging, cleaning with a cutoff (then the store compared with what
//! should remain), dry runs, the journal, a run killed with SIGKILL and resumed, and the
//! pace under and over the endpoint's rate limit.

mod mpc_support;
mod support;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use huaweicloud_aksk::mpc::{ListRemuxTasks, MpcClient, Proxy, RetryPolicy, format_mpc_time};
use mpc_support::{AK, PROJECT_ID, SK, credentials};

const STATUSES: [&str; 6] = [
    "INIT",
    "WAITING",
    "PROCESSING",
    "SUCCEED",
    "FAILED",
    "CANCELED",
];
const FINAL: [&str; 3] = ["SUCCEED", "FAILED", "CANCELED"];

/// One seeded record.
#[derive(Debug, Clone)]
struct Seed {
    id: String,
    status: &'static str,
    created: DateTime<Utc>,
    bucket: &'static str,
}

/// The newest record's creation time; the others are older, 3 hours apart.
fn base() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 28, 12, 0, 0).unwrap()
}

/// `n` records cycling through every status, 3 hours apart going back from [`base`] (300
/// records span five and a half weeks), in two buckets.
fn seeds(n: u32) -> Vec<Seed> {
    (0..n)
        .map(|i| Seed {
            id: (200_000 + i).to_string(),
            status: STATUSES[(i % 6) as usize],
            created: base() - TimeDelta::hours(3 * i64::from(i)),
            bucket: if i % 4 == 0 { "media" } else { "archive" },
        })
        .collect()
}

fn state_json(seeds: &[Seed]) -> String {
    let tasks: Vec<serde_json::Value> = seeds
        .iter()
        .map(|s| {
            serde_json::json!({
                "project_id": PROJECT_ID,
                "task_id": s.id,
                "status": s.status,
                "create_time": format_mpc_time(s.created),
                "input": {"bucket": s.bucket, "location": "cn-north-4", "object": format!("in/{}.mp4", s.id)},
                "output": {"bucket": s.bucket, "location": "cn-north-4", "object": "out/"},
            })
        })
        .collect();
    serde_json::json!({
        "credentials": [{"ak": AK, "sk": SK, "project_id": PROJECT_ID}],
        "tasks": tasks,
    })
    .to_string()
}

/// A directory of this test's own.
fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("cli-clean")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// `aksk serve` on 127.0.0.1 port 0 with the seeded store; killed when dropped.
struct Serve {
    child: Child,
    url: String,
}

impl Serve {
    fn start(dir: &Path, seeds: &[Seed], rate_limit: Option<u32>) -> Serve {
        let state = dir.join("state.json");
        std::fs::write(&state, state_json(seeds)).unwrap();
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_aksk"));
        cmd.env_clear()
            .args(["serve", "--addr", "127.0.0.1:0", "--quiet", "--state"])
            .arg(&state)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        if let Some(n) = rate_limit {
            cmd.args(["--rate-limit", &n.to_string()]);
        }
        let mut child = cmd.spawn().expect("start aksk serve");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let url = line
            .trim()
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("aksk serve said {line:?}"))
            .to_owned();
        Serve { child, url }
    }

    /// Every record left, by id, as the library lists it.
    fn remaining(&self) -> BTreeMap<String, String> {
        let client = MpcClient::builder()
            .credentials(credentials())
            .project_id(PROJECT_ID)
            .endpoint(&self.url)
            .proxy(Proxy::Direct)
            .no_pace()
            .retry_policy(RetryPolicy::new().with_total_time(Duration::from_secs(120)))
            .build()
            .unwrap();
        client
            .list_remux_tasks(ListRemuxTasks::new())
            .map(|t| {
                let t = t.unwrap();
                (t.task_id, t.status.to_string())
            })
            .collect()
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `aksk` with only the test's credentials in its environment.
fn aksk_cmd(args: &[&str]) -> Command {
    let home = scratch("home");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_aksk"));
    cmd.env_clear()
        .env("HOME", home)
        .env("HUAWEICLOUD_SDK_AK", AK)
        .env("HUAWEICLOUD_SDK_SK", SK)
        .env("HUAWEICLOUD_SDK_PROJECT_ID", PROJECT_ID)
        .args(args)
        .stdin(Stdio::null());
    cmd
}

fn aksk(args: &[&str]) -> Output {
    aksk_cmd(args).output().expect("run aksk")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn json_lines(text: &str) -> Vec<serde_json::Value> {
    text.lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

/// The ids of `seeds` that a clean with this cutoff, statuses and bucket deletes.
fn expected_candidates(
    seeds: &[Seed],
    cutoff: DateTime<Utc>,
    statuses: &[&str],
    bucket: Option<&str>,
) -> BTreeSet<String> {
    seeds
        .iter()
        .filter(|s| s.created < cutoff && statuses.contains(&s.status))
        .filter(|s| bucket.is_none_or(|b| b == s.bucket))
        .map(|s| s.id.clone())
        .collect()
}

fn all_ids(seeds: &[Seed]) -> BTreeSet<String> {
    seeds.iter().map(|s| s.id.clone()).collect()
}

#[test]
fn list_every_page_with_filters() {
    let dir = scratch("list");
    let seeds = seeds(300);
    let serve = Serve::start(&dir, &seeds, None);
    let since = base() - TimeDelta::days(20);
    let until = base() - TimeDelta::days(5);
    let out = aksk(&[
        "mpc",
        "list-remux-tasks",
        "--endpoint",
        &serve.url,
        "--rate",
        "100000",
        "--status",
        "SUCCEED",
        "--status",
        "failed",
        "--since",
        &format_mpc_time(since),
        "--until",
        &until.to_rfc3339(),
        "--json",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let got: Vec<String> = json_lines(&stdout(&out))
        .iter()
        .map(|t| t["task_id"].as_str().unwrap().to_owned())
        .collect();
    let expected: BTreeSet<String> = seeds
        .iter()
        .filter(|s| s.created >= since && s.created <= until)
        .filter(|s| ["SUCCEED", "FAILED"].contains(&s.status))
        .map(|s| s.id.clone())
        .collect();
    assert_eq!(got.len(), expected.len(), "each once");
    assert_eq!(got.into_iter().collect::<BTreeSet<_>>(), expected);

    // No filter: all 300, over three pages of 100.
    let out = aksk(&[
        "mpc",
        "list-remux-tasks",
        "--endpoint",
        &serve.url,
        "--rate",
        "100000",
        "--json",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let lines = json_lines(&stdout(&out));
    assert_eq!(lines.len(), 300);
    let ids: BTreeSet<String> = lines
        .iter()
        .map(|t| t["task_id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(ids, all_ids(&seeds));
    assert_eq!(lines[0]["input"]["bucket"], "media");

    // Twelve ids: asked for ten at a time; a bucket and an object.
    let mut args = vec![
        "mpc",
        "list-remux-tasks",
        "--endpoint",
        &serve.url,
        "--rate",
        "100000",
        "--json",
    ];
    let wanted: Vec<String> = seeds.iter().take(12).map(|s| s.id.clone()).collect();
    for id in &wanted {
        args.extend(["--task-id", id.as_str()]);
    }
    let out = aksk(&args);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let got: BTreeSet<String> = json_lines(&stdout(&out))
        .iter()
        .map(|t| t["task_id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(got, wanted.iter().cloned().collect());
    let object = format!("in/{}.mp4", seeds[4].id);
    let out = aksk(&[
        "mpc",
        "list-remux-tasks",
        "--endpoint",
        &serve.url,
        "--rate",
        "100000",
        "--input-bucket",
        "media",
        "--input-object",
        &object,
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    // Not a terminal, not --json: the table, with a header line.
    let table = stdout(&out);
    let rows: Vec<&str> = table.lines().collect();
    assert_eq!(rows.len(), 2, "{table}");
    assert!(rows[0].starts_with("TASK_ID"), "{table}");
    assert!(rows[1].starts_with(&seeds[4].id), "{table}");
    assert!(
        rows[1].contains(&format!("obs://media/{object}")),
        "{table}"
    );
}

#[test]
fn list_refuses_bad_arguments_before_sending() {
    for (args, expected) in [
        (vec!["--status", "DONE"], "unknown task status"),
        (vec!["--since", "yesterday"], "is not a time"),
        (
            vec!["--since", "20261102000000", "--until", "20261101000000"],
            "--since is after --until",
        ),
        (vec!["--task-id", "1,2"], "contains a comma"),
        (vec!["--input-bucket", ""], "invalid input bucket"),
    ] {
        let mut all = vec![
            "mpc",
            "list-remux-tasks",
            "--endpoint",
            "http://127.0.0.1:9",
        ];
        all.extend(args.iter().copied());
        let out = aksk(&all);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(
            stderr(&out).contains(expected),
            "{args:?}: {}",
            stderr(&out)
        );
    }
}

#[test]
fn clean_deletes_exactly_the_final_records_before_the_cutoff() {
    let dir = scratch("clean");
    let seeds = seeds(300);
    let serve = Serve::start(&dir, &seeds, None);
    let cutoff = base() - TimeDelta::days(14);
    let candidates = expected_candidates(&seeds, cutoff, &FINAL, None);
    assert!(candidates.len() > 50, "the seed has enough old records");

    // A dry run deletes nothing and names every candidate.
    let out = aksk(&[
        "mpc",
        "clean-remux-tasks",
        "--until",
        &format_mpc_time(cutoff),
        "--endpoint",
        &serve.url,
        "--rate",
        "100000",
        "--dry-run",
        "--json",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let lines = json_lines(&stdout(&out));
    let (summary, records) = lines.split_last().unwrap();
    assert_eq!(summary["summary"], true);
    assert_eq!(summary["candidates"], candidates.len());
    let named: BTreeSet<String> = records
        .iter()
        .map(|r| {
            assert_eq!(r["outcome"], "would_delete");
            r["task_id"].as_str().unwrap().to_owned()
        })
        .collect();
    assert_eq!(named, candidates);
    assert_eq!(serve.remaining().len(), 300);

    let out = aksk(&[
        "mpc",
        "clean-remux-tasks",
        "--until",
        &format_mpc_time(cutoff),
        "--endpoint",
        &serve.url,
        "--rate",
        "100000",
        "--json",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let lines = json_lines(&stdout(&out));
    let (summary, records) = lines.split_last().unwrap();
    let deleted: Vec<String> = records
        .iter()
        .map(|r| {
            assert_eq!(r["outcome"], "deleted", "{r}");
            assert!(r["request_id"].is_string(), "{r}");
            r["task_id"].as_str().unwrap().to_owned()
        })
        .collect();
    assert_eq!(deleted.len(), candidates.len(), "each once");
    assert_eq!(deleted.into_iter().collect::<BTreeSet<_>>(), candidates);
    assert_eq!(summary["deleted"], candidates.len());
    assert_eq!(summary["refused"], 0);
    assert_eq!(summary["failed"], 0);
    let remaining: BTreeSet<String> = serve.remaining().into_keys().collect();
    let expected: BTreeSet<String> = all_ids(&seeds).difference(&candidates).cloned().collect();
    assert_eq!(remaining, expected);

    // Again: nothing left to delete.
    let out = aksk(&[
        "mpc",
        "clean-remux-tasks",
        "--until",
        &format_mpc_time(cutoff),
        "--endpoint",
        &serve.url,
        "--rate",
        "100000",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stdout(&out), "nothing to delete\n");
}

#[test]
fn clean_by_status_bucket_and_age() {
    let dir = scratch("clean-filters");
    // Records created relative to now (90 minutes off the 3-hour grid, so that none is
    // near the cutoff of a whole number of days), for --older-than to cut.
    let now = Utc::now();
    let seeds: Vec<Seed> = seeds(120)
        .into_iter()
        .map(|s| Seed {
            created: s.created - (base() - now) - TimeDelta::minutes(90),
            ..s
        })
        .collect();
    let serve = Serve::start(&dir, &seeds, None);
    let out = aksk(&[
        "mpc",
        "clean-remux-tasks",
        "--older-than",
        "7d",
        "--status",
        "FAILED,CANCELED",
        "--input-bucket",
        "archive",
        "--endpoint",
        &serve.url,
        "--rate",
        "100000",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    // Records within a minute of the cutoff are left out of the comparison: "now" moved.
    let cutoff = now - TimeDelta::days(7);
    let near = |s: &Seed| (s.created - cutoff).num_seconds().abs() < 60;
    assert!(seeds.iter().all(|s| !near(s)), "the seed avoids the edge");
    let expected = expected_candidates(&seeds, cutoff, &["FAILED", "CANCELED"], Some("archive"));
    assert!(!expected.is_empty());
    let remaining: BTreeSet<String> = serve.remaining().into_keys().collect();
    assert_eq!(
        remaining,
        all_ids(&seeds).difference(&expected).cloned().collect()
    );
    let text = stdout(&out);
    assert_eq!(
        text.lines().filter(|l| l.starts_with("deleted ")).count(),
        expected.len()
    );
    assert!(
        text.ends_with(&format!(
            "{} deleted, 0 already deleted, 0 refused, 0 failed, 0 not attempted, of {} record(s)\n",
            expected.len(),
            expected.len()
        )),
        "{text}"
    );
}

#[test]
fn clean_refuses_bad_arguments_before_sending() {
    for (args, expected) in [
        (vec![], "--older-than"),
        (
            vec!["--older-than", "3d", "--until", "20261101000000"],
            "cannot be used with",
        ),
        (
            vec!["--older-than", "3d", "--status", "SUCCEED,PROCESSING"],
            "PROCESSING is not a final state",
        ),
        (vec!["--older-than", "3x"], "is not an age"),
        (vec!["--until", "2026-13-01T00:00:00Z"], "is not a time"),
        (vec!["--older-than", "3d", "--rate", "0"], "--rate"),
    ] {
        let mut all = vec![
            "mpc",
            "clean-remux-tasks",
            "--endpoint",
            "http://127.0.0.1:9",
        ];
        all.extend(args.iter().copied());
        let out = aksk(&all);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(
            stderr(&out).contains(expected),
            "{args:?}: {}",
            stderr(&out)
        );
        assert_eq!(
            stderr(&out).lines().count(),
            1,
            "{args:?}: {}",
            stderr(&out)
        );
    }
}

/// The journal's lines: each intent's id, and each outcome's id and outcome.
fn read_journal(path: &Path) -> (Vec<String>, Vec<(String, String)>) {
    let text = std::fs::read_to_string(path).unwrap();
    let mut intents = Vec::new();
    let mut outcomes = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let v: serde_json::Value = serde_json::from_str(line)
            .unwrap_or_else(|e| panic!("journal line {}: {e}: {line}", i + 1));
        if i == 0 {
            assert_eq!(v["journal"], "aksk clean-remux-tasks");
        } else if let Some(id) = v["intent"].as_str() {
            intents.push(id.to_owned());
        } else {
            outcomes.push((
                v["task_id"].as_str().unwrap().to_owned(),
                v["outcome"].as_str().unwrap().to_owned(),
            ));
        }
    }
    (intents, outcomes)
}

#[test]
fn a_run_killed_anywhere_resumes_and_deletes_each_candidate_exactly_once() {
    let dir = scratch("resume");
    let seeds = seeds(300);
    let serve = Serve::start(&dir, &seeds, None);
    let cutoff = base() - TimeDelta::days(14);
    let candidates = expected_candidates(&seeds, cutoff, &FINAL, None);
    let journal = dir.join("journal.jsonl");
    let journal_arg = journal.to_str().unwrap().to_owned();
    let until = format_mpc_time(cutoff);
    let args = |rate: &'static str| {
        vec![
            "mpc".to_owned(),
            "clean-remux-tasks".into(),
            "--until".into(),
            until.clone(),
            "--endpoint".into(),
            serve.url.clone(),
            "--rate".into(),
            rate.into(),
            "--journal".into(),
            journal_arg.clone(),
            "--json".into(),
        ]
    };

    // A slow run, killed with SIGKILL once it has deleted some.
    let slow = args("1200");
    let slow: Vec<&str> = slow.iter().map(String::as_str).collect();
    let mut child = aksk_cmd(&slow)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let outcomes = if journal.exists() {
            std::fs::read_to_string(&journal)
                .unwrap()
                .matches("\"outcome\"")
                .count()
        } else {
            0
        };
        if outcomes >= 15 {
            break;
        }
        assert!(Instant::now() < deadline, "the first run made no progress");
        assert!(
            child.try_wait().unwrap().is_none(),
            "the first run ended early"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    let (intents1, outcomes1) = read_journal(&journal);
    assert!(outcomes1.len() >= 15 && outcomes1.len() < candidates.len());

    // The window SIGKILL can hit: a delete sent, its record deleted, and no outcome
    // written. Made certain here: an intent for a candidate no run has touched, deleted
    // behind the journal's back.
    let touched: BTreeSet<&String> = intents1.iter().collect();
    let victim = candidates
        .iter()
        .find(|id| !touched.contains(id))
        .unwrap()
        .clone();
    {
        use std::io::Write;
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .open(&journal)
            .unwrap();
        // A line cut short by the kill may end the file: the intent goes after it, as the
        // run would have written it.
        let text = std::fs::read_to_string(&journal).unwrap();
        if !text.ends_with('\n') {
            f.write_all(b"\n").unwrap();
        }
        writeln!(f, "{{\"intent\":\"{victim}\"}}").unwrap();
    }
    MpcClient::builder()
        .credentials(credentials())
        .project_id(PROJECT_ID)
        .endpoint(&serve.url)
        .proxy(Proxy::Direct)
        .build()
        .unwrap()
        .delete_remux_task(&victim)
        .unwrap();

    // The resumed run.
    let fast = args("100000");
    let fast: Vec<&str> = fast.iter().map(String::as_str).collect();
    let out = aksk(&fast);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let lines = json_lines(&stdout(&out));
    let (summary, records) = lines.split_last().unwrap();
    let second: HashMap<String, String> = records
        .iter()
        .map(|r| {
            (
                r["task_id"].as_str().unwrap().to_owned(),
                r["outcome"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        second.len(),
        records.len(),
        "each id once in the second run"
    );
    assert_eq!(second[&victim], "already_deleted");
    assert_eq!(summary["failed"], 0);
    assert_eq!(summary["refused"], 0);

    // The two runs' outcomes add up to the candidates: each done exactly once.
    let (_, outcomes) = read_journal(&journal);
    let mut done: BTreeMap<String, u32> = BTreeMap::new();
    for (id, outcome) in &outcomes {
        assert!(
            outcome == "deleted" || outcome == "already_deleted",
            "{id}: {outcome}"
        );
        *done.entry(id.clone()).or_default() += 1;
    }
    assert!(done.values().all(|n| *n == 1), "none twice: {done:?}");
    assert_eq!(done.keys().cloned().collect::<BTreeSet<_>>(), candidates);
    let deleted = outcomes.iter().filter(|(_, o)| o == "deleted").count();
    assert_eq!(
        deleted,
        candidates.len() - 1,
        "all but the one deleted aside"
    );
    let remaining: BTreeSet<String> = serve.remaining().into_keys().collect();
    assert_eq!(
        remaining,
        all_ids(&seeds).difference(&candidates).cloned().collect()
    );

    // The journal keeps its selection: another --until is refused.
    let mut other = args("100000");
    other[3] = format_mpc_time(cutoff - TimeDelta::days(1));
    let other: Vec<&str> = other.iter().map(String::as_str).collect();
    let out = aksk(&other);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("the journal was started with the cutoff"));
}

#[test]
fn under_the_rate_limit_nothing_is_throttled() {
    let dir = scratch("under-limit");
    let seeds = seeds(60);
    let serve = Serve::start(&dir, &seeds, Some(600));
    let cutoff = base() - TimeDelta::days(2);
    let candidates = expected_candidates(&seeds, cutoff, &FINAL, None);
    let out = aksk(&[
        "mpc",
        "clean-remux-tasks",
        "--until",
        &format_mpc_time(cutoff),
        "--endpoint",
        &serve.url,
        "--rate",
        "500",
        "-v",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(!err.contains(" 429 "), "throttled below the limit");
    assert_eq!(
        err.matches("< HTTP/1.1 204").count(),
        candidates.len(),
        "one delete each"
    );
}

#[test]
fn over_the_rate_limit_throttling_is_absorbed_not_failed() {
    let dir = scratch("over-limit");
    let seeds = seeds(120);
    // 30 requests a minute: the listing and the first deletes fit, the rest wait for the
    // endpoint's next minute.
    let serve = Serve::start(&dir, &seeds, Some(30));
    let cutoff = base() - TimeDelta::days(2);
    let candidates = expected_candidates(&seeds, cutoff, &FINAL, None);
    assert!(candidates.len() > 30);
    let out = aksk(&[
        "mpc",
        "clean-remux-tasks",
        "--until",
        &format_mpc_time(cutoff),
        "--endpoint",
        &serve.url,
        "--rate",
        "6000",
        "--timeout",
        "150",
        "--json",
        "-v",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("< HTTP/1.1 429"), "the limit was reached");
    let lines = json_lines(&stdout(&out));
    let (summary, _) = lines.split_last().unwrap();
    assert_eq!(summary["deleted"], candidates.len());
    assert_eq!(summary["failed"], 0);
    assert_eq!(summary["refused"], 0);
}

#[test]
fn the_official_sdk_lists_what_is_left() {
    let dir = scratch("official");
    let seeds = seeds(90);
    let serve = Serve::start(&dir, &seeds, None);
    let cutoff = base() - TimeDelta::days(5);
    let out = aksk(&[
        "mpc",
        "clean-remux-tasks",
        "--until",
        &format_mpc_time(cutoff),
        "--endpoint",
        &serve.url,
        "--rate",
        "100000",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let Some(python) = support::official_python() else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must have the official SDK"
        );
        return;
    };
    let script = r#"
import json, sys
from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkcore.http.http_config import HttpConfig
from huaweicloudsdkmpc.v1 import MpcClient, ListRemuxTaskRequest
url, ak, sk, project = sys.argv[1:5]
config = HttpConfig.get_default_config()
config.retry_times = 0
client = MpcClient.new_builder().with_http_config(config) \
    .with_credentials(BasicCredentials(ak, sk, project)).with_endpoint(url).build()
ids, page = [], 0
while True:
    r = client.list_remux_task(ListRemuxTaskRequest(page=page, size=100))
    ids += [t.task_id for t in r.tasks]
    page += 1
    if len(ids) >= r.total or not r.tasks:
        break
print(json.dumps(sorted(ids)))
"#;
    let out = Command::new(python)
        .args(["-c", script, &serve.url, AK, SK, PROJECT_ID])
        .env_clear()
        .env("NO_PROXY", "*")
        .env("HOME", dir.join("python-home"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let listed: BTreeSet<String> = serde_json::from_str(stdout(&out).trim()).unwrap();
    let candidates = expected_candidates(&seeds, cutoff, &FINAL, None);
    assert_eq!(
        listed,
        all_ids(&seeds).difference(&candidates).cloned().collect()
    );
}

#[test]
fn ctrl_c_finishes_the_delete_in_flight_then_stops() {
    let dir = scratch("ctrl-c");
    let seeds = seeds(300);
    let serve = Serve::start(&dir, &seeds, None);
    let cutoff = base() - TimeDelta::days(14);
    let journal = dir.join("journal.jsonl");
    let until = format_mpc_time(cutoff);
    let child = aksk_cmd(&[
        "mpc",
        "clean-remux-tasks",
        "--until",
        &until,
        "--endpoint",
        &serve.url,
        "--rate",
        "1200",
        "--journal",
        journal.to_str().unwrap(),
        "--json",
    ])
    .stdout(Stdio::piped())
    .stderr(Stdio::piped())
    .spawn()
    .unwrap();
    let deadline = Instant::now() + Duration::from_secs(120);
    while !journal.exists()
        || std::fs::read_to_string(&journal)
            .unwrap()
            .matches("\"outcome\"")
            .count()
            < 5
    {
        assert!(Instant::now() < deadline, "the run made no progress");
        std::thread::sleep(Duration::from_millis(20));
    }
    let kill = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(130), "{}", stderr(&out));
    // Every delete that was sent has its outcome: none is left unfinished.
    let (intents, outcomes) = read_journal(&journal);
    assert_eq!(
        intents,
        outcomes
            .iter()
            .map(|(id, _)| id.clone())
            .collect::<Vec<_>>()
    );
    let lines = json_lines(&stdout(&out));
    let (summary, records) = lines.split_last().unwrap();
    assert_eq!(summary["interrupted"], true);
    assert_eq!(records.len(), outcomes.len());
    assert!(summary["not_attempted"].as_u64().unwrap() > 0);
}
