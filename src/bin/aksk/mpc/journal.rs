//! The journal of `aksk mpc clean-remux-tasks --journal FILE`: JSON lines appended and
//! flushed to disk (fsync) one at a time, so that a run stopped at any point (Ctrl-C, a
//! crash, SIGKILL) can be resumed with the same file.
//!
//! - The first line says what the run selects: `{"journal":"aksk clean-remux-tasks",
//!   "version":1,"cutoff":"yyyymmddhhmmss","statuses":[...],"input_bucket":...}`. A
//!   resumed run keeps that selection (and the cutoff of `--older-than`, fixed when the
//!   journal was started).
//! - `{"intent":"ID"}` is written before the delete of ID is sent;
//! - `{"task_id":"ID","outcome":...,"error_code":...,"error_msg":...,"request_id":...}`
//!   after its answer.
//!
//! An id is done when its outcome is `deleted` or `already_deleted`. An intent with no
//! outcome after it is a delete that may have been sent: a resumed run sends it again,
//! and a record it had deleted then answers `MPC.10211`, read as `already_deleted`. A last
//! line cut short by a crash is ignored, and cut off when the journal is opened again; any
//! other line that cannot be read is an error, and nothing is sent.

use std::collections::{HashMap, HashSet};
use std::fs::File;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::delete::Outcome;

/// What the journal's first line records: the selection of the run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Header {
    pub(crate) journal: String,
    pub(crate) version: u32,
    /// Records created before this time, `yyyymmddhhmmss` UTC.
    pub(crate) cutoff: String,
    pub(crate) statuses: Vec<String>,
    pub(crate) input_bucket: Option<String>,
}

const NAME: &str = "aksk clean-remux-tasks";

impl Header {
    pub(crate) fn new(cutoff: String, statuses: Vec<String>, input_bucket: Option<String>) -> Self {
        Header {
            journal: NAME.into(),
            version: 1,
            cutoff,
            statuses,
            input_bucket,
        }
    }
}

/// What a journal says so far.
#[derive(Debug, Default)]
pub(crate) struct State {
    pub(crate) header: Option<Header>,
    /// Ids whose record is gone (outcome deleted or already_deleted).
    pub(crate) done: HashSet<String>,
    /// Ids with an intent and no outcome that is done, in the order of their intents.
    pub(crate) unfinished: Vec<String>,
    /// How many outcomes of each kind were written.
    pub(crate) counts: HashMap<&'static str, u64>,
}

/// An open journal, appended to.
pub(crate) struct Journal {
    file: File,
    path: PathBuf,
}

/// Reads the journal at `path` (an absent or empty file is a new journal).
pub(crate) fn read(path: &Path) -> Result<State, String> {
    let mut text = String::new();
    match File::open(path) {
        Ok(mut f) => {
            f.read_to_string(&mut text)
                .map_err(|e| format!("cannot read the journal {}: {e}", path.display()))?;
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(State::default()),
        Err(e) => return Err(format!("cannot open the journal {}: {e}", path.display())),
    }
    parse(&text).map_err(|(line, why)| {
        format!(
            "the journal {} cannot be read at line {line}: {why}",
            path.display()
        )
    })
}

/// Reads journal text; the error is the line number and why.
pub(crate) fn parse(text: &str) -> Result<State, (usize, String)> {
    let mut state = State::default();
    let complete = text.ends_with('\n');
    let lines: Vec<&str> = text.lines().collect();
    let mut intents: Vec<String> = Vec::new();
    let mut intended: HashSet<String> = HashSet::new();
    for (i, line) in lines.iter().enumerate() {
        let number = i + 1;
        let last = i + 1 == lines.len();
        let value: Value = match serde_json::from_str(line) {
            Ok(v) => v,
            // A crash cut the last write short: nothing after it was sent.
            Err(_) if last && !complete => break,
            Err(e) => return Err((number, format!("not JSON ({e})"))),
        };
        if i == 0 {
            let header: Header = serde_json::from_value(value)
                .map_err(|e| (number, format!("not a journal header ({e})")))?;
            if header.journal != NAME || header.version != 1 {
                return Err((
                    number,
                    "not a journal of aksk clean-remux-tasks, version 1".into(),
                ));
            }
            state.header = Some(header);
            continue;
        }
        if let Some(id) = value.get("intent") {
            let id = id
                .as_str()
                .ok_or_else(|| (number, "an intent that is not a string".to_owned()))?;
            if intended.insert(id.to_owned()) {
                intents.push(id.to_owned());
            }
            continue;
        }
        let id = value.get("task_id").and_then(Value::as_str);
        let outcome = value
            .get("outcome")
            .and_then(Value::as_str)
            .and_then(Outcome::parse);
        let (Some(id), Some(outcome)) = (id, outcome) else {
            return Err((number, "neither an intent nor an outcome".into()));
        };
        if !intended.contains(id) {
            return Err((
                number,
                format!("an outcome for {id:?} with no intent before it"),
            ));
        }
        *state.counts.entry(outcome.as_str()).or_default() += 1;
        if outcome.is_done() {
            state.done.insert(id.to_owned());
        }
    }
    state.unfinished = intents
        .into_iter()
        .filter(|id| !state.done.contains(id))
        .collect();
    Ok(state)
}

impl Journal {
    /// Opens `path` for appending (creating it), first cutting off a last line a crash
    /// left unfinished, then writing `header` when given (a new journal).
    pub(crate) fn open(path: &Path, header: Option<&Header>) -> Result<Journal, String> {
        let err = |e: std::io::Error| format!("cannot write the journal {}: {e}", path.display());
        let mut file = File::options()
            .read(true)
            .append(true)
            .create(true)
            .open(path)
            .map_err(err)?;
        let mut text = Vec::new();
        file.read_to_end(&mut text).map_err(err)?;
        if text.last().is_some_and(|b| *b != b'\n') {
            let keep = text.iter().rposition(|b| *b == b'\n').map_or(0, |i| i + 1);
            file.set_len(keep as u64).map_err(err)?;
            file.sync_all().map_err(err)?;
        }
        let mut journal = Journal {
            file,
            path: path.to_owned(),
        };
        if let Some(header) = header {
            let line = serde_json::to_string(header).expect("a header serializes");
            journal.append_line(&line)?;
        }
        Ok(journal)
    }

    /// Appends `{"intent":ID}` and flushes it to disk.
    pub(crate) fn intent(&mut self, task_id: &str) -> Result<(), String> {
        let line = serde_json::json!({ "intent": task_id }).to_string();
        self.append_line(&line)
    }

    /// Appends an outcome line (one JSON object) and flushes it to disk.
    pub(crate) fn outcome(&mut self, line: &str) -> Result<(), String> {
        self.append_line(line)
    }

    fn append_line(&mut self, line: &str) -> Result<(), String> {
        let mut bytes = Vec::with_capacity(line.len() + 1);
        bytes.extend_from_slice(line.as_bytes());
        bytes.push(b'\n');
        self.append_raw(&bytes)
    }

    fn append_raw(&mut self, bytes: &[u8]) -> Result<(), String> {
        self.file
            .write_all(bytes)
            .and_then(|()| self.file.sync_data())
            .map_err(|e| format!("cannot write the journal {}: {e}", self.path.display()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = r#"{"journal":"aksk clean-remux-tasks","version":1,"cutoff":"20261101000000","statuses":["SUCCEED"],"input_bucket":null}"#;

    fn journal(lines: &[&str]) -> String {
        let mut s = String::from(HEADER);
        s.push('\n');
        for l in lines {
            s.push_str(l);
            s.push('\n');
        }
        s
    }

    #[test]
    fn done_and_unfinished_ids_are_read() {
        let text = journal(&[
            r#"{"intent":"1"}"#,
            r#"{"task_id":"1","outcome":"deleted","error_code":null,"error_msg":null,"request_id":"r"}"#,
            r#"{"intent":"2"}"#,
            r#"{"intent":"3"}"#,
            r#"{"task_id":"3","outcome":"failed","error_code":null,"error_msg":"x","request_id":null}"#,
            r#"{"intent":"4"}"#,
            r#"{"task_id":"4","outcome":"already_deleted"}"#,
        ]);
        let state = parse(&text).unwrap();
        assert_eq!(state.header.unwrap().cutoff, "20261101000000");
        assert_eq!(state.done, HashSet::from(["1".to_owned(), "4".to_owned()]));
        assert_eq!(state.unfinished, ["2", "3"]);
        assert_eq!(state.counts["deleted"], 1);
        assert_eq!(state.counts["failed"], 1);
    }

    #[test]
    fn a_last_line_cut_short_is_ignored_and_any_other_bad_line_refused() {
        let mut text = journal(&[r#"{"intent":"1"}"#]);
        text.push_str(r#"{"task_id":"1","outc"#);
        let state = parse(&text).unwrap();
        assert_eq!(state.unfinished, ["1"]);
        for bad in [
            journal(&["{not json"]),
            journal(&[r#"{"task_id":"1","outcome":"deleted"}"#]),
            journal(&[r#"{"intent":1}"#]),
            journal(&[r#"{"intent":"1"}"#, r#"{"task_id":"1","outcome":"gone"}"#]),
            "{\"journal\":\"other\",\"version\":1,\"cutoff\":\"x\",\"statuses\":[],\"input_bucket\":null}\n".into(),
            "[]\n".into(),
        ] {
            assert!(parse(&bad).is_err(), "{bad}");
        }
        assert!(parse("").unwrap().header.is_none());
    }

    #[test]
    fn a_line_cut_short_is_cut_off_before_appending() {
        let dir = std::env::temp_dir().join(format!("aksk-journal-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("j.jsonl");
        std::fs::write(
            &path,
            journal(&[r#"{"intent":"1"}"#]) + r#"{"task_id":"1","#,
        )
        .unwrap();
        let mut j = Journal::open(&path, None).unwrap();
        j.outcome(r#"{"task_id":"1","outcome":"already_deleted"}"#)
            .unwrap();
        drop(j);
        let state = read(&path).unwrap();
        assert!(state.done.contains("1"));
        assert!(state.unfinished.is_empty());
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(text.lines().count(), 3, "{text}");
        assert!(text.ends_with("}\n"), "{text}");
        // A header cut short: the file starts again.
        std::fs::write(&path, &HEADER[..20]).unwrap();
        assert!(read(&path).unwrap().header.is_none());
        let header = Header::new("20261101000000".into(), vec!["SUCCEED".into()], None);
        drop(Journal::open(&path, Some(&header)).unwrap());
        assert_eq!(read(&path).unwrap().header, Some(header));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
