//! The endpoint's records in SQLite: credentials, tokens and packaging tasks, in a file
//! (`aksk serve --db PATH`) or in memory.
//!
//! Every change is one transaction, committed before the call returns, so an answer is only
//! sent for a change that is on disk. A file database uses the write-ahead log with
//! `synchronous=FULL`: the log is synced at every commit, so a commit survives the process
//! being killed and the machine losing power.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};

use crate::mpc::model::{CreateRemuxTaskBody, ObsObjInfo, RemuxOutputParam, RemuxTask, TaskStatus};
use crate::server::ServeError;
use crate::server::state::{EndpointCredentials, State, Task, Token};

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS credentials (
    ak TEXT PRIMARY KEY,
    sk TEXT NOT NULL,
    project_id TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS tokens (
    token TEXT PRIMARY KEY,
    project_id TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS tasks (
    project_id TEXT NOT NULL,
    task_id TEXT NOT NULL,
    status TEXT NOT NULL,
    create_time TEXT,
    start_time TEXT,
    end_time TEXT,
    error_code TEXT,
    description TEXT,
    user_data TEXT,
    input TEXT,
    output TEXT,
    output_param TEXT,
    progress_from_ms INTEGER,
    PRIMARY KEY (project_id, task_id)
);
";

/// Why a task operation was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// No such task in the project.
    NotFound,
    /// The task is in a state the operation does not apply to.
    WrongState(TaskStatus),
    /// SQLite failed; the change was not made.
    Storage(String),
}

impl From<rusqlite::Error> for Refusal {
    fn from(e: rusqlite::Error) -> Self {
        Refusal::Storage(e.to_string())
    }
}

/// A list query, already checked.
#[derive(Debug, Clone, Default)]
pub(crate) struct ListQuery {
    pub(crate) task_ids: Vec<String>,
    pub(crate) status: Option<TaskStatus>,
    pub(crate) start_time: Option<String>,
    pub(crate) end_time: Option<String>,
    pub(crate) input_bucket: Option<String>,
    pub(crate) input_object: Option<String>,
    pub(crate) page: u32,
    pub(crate) size: u32,
}

/// The records, behind one connection.
#[derive(Debug)]
pub(crate) struct Store {
    conn: Mutex<Connection>,
    /// How long a created task takes from `INIT` to `SUCCEED` (`None`: it stays `INIT`).
    progress: Option<Duration>,
}

fn storage_error(path: Option<&Path>, e: impl std::fmt::Display) -> ServeError {
    ServeError::StateFile {
        path: path.map_or_else(|| PathBuf::from(":memory:"), Path::to_owned),
        message: format!("database: {e}"),
    }
}

impl Store {
    /// Opens (creating if need be) the database at `path`, or an empty one in memory.
    pub(crate) fn open(
        path: Option<&Path>,
        progress: Option<Duration>,
    ) -> Result<Store, ServeError> {
        let conn = match path {
            Some(p) => Connection::open(p),
            None => Connection::open_in_memory(),
        }
        .map_err(|e| storage_error(path, e))?;
        conn.busy_timeout(Duration::from_secs(10))
            .map_err(|e| storage_error(path, e))?;
        if path.is_some() {
            let mode: String = conn
                .query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0))
                .map_err(|e| storage_error(path, e))?;
            if !mode.eq_ignore_ascii_case("wal") {
                return Err(storage_error(
                    path,
                    format!("cannot use the write-ahead log (journal mode {mode})"),
                ));
            }
        }
        conn.execute_batch("PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;")
            .and_then(|()| conn.execute_batch(SCHEMA))
            .map_err(|e| storage_error(path, e))?;
        Ok(Store {
            conn: Mutex::new(conn),
            progress: progress.filter(|p| !p.is_zero()),
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Connection> {
        // A panic while holding the lock cannot leave a transaction half done: SQLite rolls
        // back a transaction that was not committed.
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Has a state (tasks) ever been imported into this database?
    pub(crate) fn is_initialized(&self) -> Result<bool, ServeError> {
        self.lock()
            .query_row("SELECT 1 FROM meta WHERE key = 'initialized'", [], |_| {
                Ok(())
            })
            .optional()
            .map(|found| found.is_some())
            .map_err(|e| storage_error(None, e))
    }

    /// Adds or replaces the credentials and tokens of `state`; with `tasks`, its task records
    /// too, and marks the database initialized. One transaction.
    pub(crate) fn import(&self, state: &State, tasks: bool) -> Result<(), ServeError> {
        let mut conn = self.lock();
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|e| storage_error(None, e))?;
        let run = || -> rusqlite::Result<()> {
            for c in &state.credentials {
                tx.execute(
                    "INSERT OR REPLACE INTO credentials (ak, sk, project_id) VALUES (?1, ?2, ?3)",
                    params![c.ak, c.sk, c.project_id],
                )?;
            }
            for t in &state.tokens {
                tx.execute(
                    "INSERT OR REPLACE INTO tokens (token, project_id) VALUES (?1, ?2)",
                    params![t.token, t.project_id],
                )?;
            }
            if tasks {
                for t in &state.tasks {
                    put_task(&tx, t)?;
                }
                tx.execute(
                    "INSERT OR REPLACE INTO meta (key, value) VALUES ('initialized', '1')",
                    [],
                )?;
            }
            Ok(())
        };
        run().map_err(|e| storage_error(None, e))?;
        tx.commit().map_err(|e| storage_error(None, e))
    }

    /// Everything in the database, as a state file holds it.
    pub(crate) fn export(&self) -> Result<State, ServeError> {
        let conn = self.lock();
        let run = || -> rusqlite::Result<State> {
            let mut st = conn.prepare("SELECT ak, sk, project_id FROM credentials ORDER BY ak")?;
            let credentials = st
                .query_map([], |r| {
                    Ok(EndpointCredentials::new(
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, String>(2)?,
                    ))
                })?
                .collect::<Result<Vec<_>, _>>()?;
            let mut st = conn.prepare("SELECT token, project_id FROM tokens ORDER BY token")?;
            let tokens = st
                .query_map([], |r| {
                    Ok(Token::new(r.get::<_, String>(0)?, r.get::<_, String>(1)?))
                })?
                .collect::<Result<Vec<_>, _>>()?;
            Ok(State {
                credentials,
                tokens,
                tasks: Vec::new(),
            })
        };
        let mut state = run().map_err(|e| storage_error(None, e))?;
        drop(conn);
        state.tasks = self
            .tasks()
            .map_err(|e| storage_error(None, format!("{e:?}")))?;
        Ok(state)
    }

    /// Every task record, sorted by project and task id.
    pub(crate) fn tasks(&self) -> Result<Vec<Task>, Refusal> {
        let mut conn = self.lock();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        self.advance(&tx, Utc::now())?;
        let tasks = {
            let mut st = tx.prepare(&format!(
                "SELECT {TASK_COLUMNS} FROM tasks ORDER BY project_id, task_id"
            ))?;
            st.query_map([], row_to_task)?
                .collect::<Result<Vec<_>, _>>()?
        };
        tx.commit()?;
        Ok(tasks)
    }

    /// The status of one task.
    pub(crate) fn status(
        &self,
        project_id: &str,
        task_id: &str,
    ) -> Result<Option<TaskStatus>, Refusal> {
        let mut conn = self.lock();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        self.advance(&tx, Utc::now())?;
        let status = current_status(&tx, project_id, task_id)?;
        tx.commit()?;
        Ok(status)
    }

    /// Adds a task record, or sets the status of an existing one.
    pub(crate) fn set_status(
        &self,
        project_id: &str,
        task_id: &str,
        status: TaskStatus,
    ) -> Result<(), Refusal> {
        let conn = self.lock();
        conn.execute(
            "INSERT INTO tasks (project_id, task_id, status) VALUES (?1, ?2, ?3)
             ON CONFLICT (project_id, task_id) DO UPDATE SET status = excluded.status,
                 progress_from_ms = NULL",
            params![project_id, task_id, status.as_str()],
        )?;
        Ok(())
    }

    /// Creates a task (`INIT`) and gives its id: the next number above every numeric id
    /// this database has given or holds.
    pub(crate) fn create(
        &self,
        project_id: &str,
        body: &CreateRemuxTaskBody,
        now: DateTime<Utc>,
    ) -> Result<String, Refusal> {
        let mut conn = self.lock();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let last: Option<i64> = tx
            .query_row(
                "SELECT value FROM meta WHERE key = 'last_task_id'",
                [],
                |r| r.get::<_, String>(0),
            )
            .optional()?
            .and_then(|v| v.parse().ok());
        let held: Option<i64> = tx.query_row(
            "SELECT MAX(CAST(task_id AS INTEGER)) FROM tasks
             WHERE task_id NOT GLOB '*[^0-9]*' AND length(task_id) BETWEEN 1 AND 18",
            [],
            |r| r.get(0),
        )?;
        let id = last.max(held).unwrap_or(100_000).saturating_add(1);
        let task_id = id.to_string();
        tx.execute(
            "INSERT OR REPLACE INTO meta (key, value) VALUES ('last_task_id', ?1)",
            params![task_id],
        )?;
        tx.execute(
            "INSERT INTO tasks (project_id, task_id, status, create_time, user_data, input,
                 output, output_param, progress_from_ms)
             VALUES (?1, ?2, 'INIT', ?3, ?4, ?5, ?6, ?7, ?8)",
            params![
                project_id,
                task_id,
                mpc_time(now),
                body.user_data,
                (to_json(&body.input)),
                (to_json(&body.output)),
                (to_json(&body.output_param)),
                self.progress.map(|_| now.timestamp_millis()),
            ],
        )?;
        tx.commit()?;
        Ok(task_id)
    }

    /// The tasks of `project_id` that match `q`: the total and one page, newest first.
    pub(crate) fn list(
        &self,
        project_id: &str,
        q: &ListQuery,
        now: DateTime<Utc>,
    ) -> Result<(u64, Vec<RemuxTask>), Refusal> {
        let mut conn = self.lock();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        self.advance(&tx, now)?;
        let mut sql = String::from(" FROM tasks WHERE project_id = ?");
        let mut args: Vec<rusqlite::types::Value> = vec![project_id.to_owned().into()];
        let by_id = !q.task_ids.is_empty();
        if by_id {
            sql.push_str(" AND task_id IN (");
            for (i, id) in q.task_ids.iter().enumerate() {
                sql.push_str(if i == 0 { "?" } else { ", ?" });
                args.push(id.clone().into());
            }
            sql.push(')');
        }
        if let Some(s) = q.status {
            sql.push_str(" AND status = ?");
            args.push(s.as_str().to_owned().into());
        }
        // MPC ignores the time range and paging when task ids are given.
        if !by_id {
            if let Some(t) = &q.start_time {
                sql.push_str(" AND create_time >= ?");
                args.push(t.clone().into());
            }
            if let Some(t) = &q.end_time {
                sql.push_str(" AND create_time <= ?");
                args.push(t.clone().into());
            }
        }
        if let Some(b) = &q.input_bucket {
            sql.push_str(" AND json_extract(input, '$.bucket') = ?");
            args.push(b.clone().into());
        }
        if let Some(o) = &q.input_object {
            sql.push_str(" AND json_extract(input, '$.object') = ?");
            args.push(o.clone().into());
        }
        let total: i64 = tx.query_row(
            &format!("SELECT COUNT(*){sql}"),
            rusqlite::params_from_iter(args.iter()),
            |r| r.get(0),
        )?;
        let mut page_sql = format!(
            "SELECT {TASK_COLUMNS}{sql} ORDER BY create_time IS NULL, create_time DESC, rowid DESC"
        );
        if !by_id {
            page_sql.push_str(" LIMIT ? OFFSET ?");
            args.push(i64::from(q.size).into());
            args.push((i64::from(q.page) * i64::from(q.size)).into());
        }
        let tasks = {
            let mut st = tx.prepare(&page_sql)?;
            st.query_map(rusqlite::params_from_iter(args.iter()), row_to_task)?
                .map(|t| t.map(Task::into_remux_task))
                .collect::<Result<Vec<_>, _>>()?
        };
        tx.commit()?;
        Ok((
            u64::try_from(total).expect("COUNT(*) is never negative"),
            tasks,
        ))
    }

    /// Cancels a queued task (`INIT` or `WAITING`).
    pub(crate) fn cancel(
        &self,
        project_id: &str,
        task_id: &str,
        now: DateTime<Utc>,
    ) -> Result<(), Refusal> {
        self.change(project_id, task_id, now, TaskStatus::is_queued, |tx| {
            tx.execute(
                "UPDATE tasks SET status = 'CANCELED', end_time = ?3, progress_from_ms = NULL
                 WHERE project_id = ?1 AND task_id = ?2",
                params![project_id, task_id, mpc_time(now)],
            )
        })
    }

    /// Queues a failed task again.
    pub(crate) fn retry(
        &self,
        project_id: &str,
        task_id: &str,
        now: DateTime<Utc>,
    ) -> Result<(), Refusal> {
        // With progress on, a retried task starts queued: one third of the way (see `advance`).
        let from = self
            .progress
            .map(|p| now.timestamp_millis() - i64::try_from(p.as_millis() / 3).unwrap_or(i64::MAX));
        self.change(
            project_id,
            task_id,
            now,
            |s| s == TaskStatus::Failed,
            |tx| {
                tx.execute(
                    "UPDATE tasks SET status = 'WAITING', start_time = NULL, end_time = NULL,
                     error_code = NULL, description = NULL, progress_from_ms = ?3
                 WHERE project_id = ?1 AND task_id = ?2",
                    params![project_id, task_id, from],
                )
            },
        )
    }

    /// Deletes the record of a task in a final state.
    pub(crate) fn delete(
        &self,
        project_id: &str,
        task_id: &str,
        now: DateTime<Utc>,
    ) -> Result<(), Refusal> {
        self.change(project_id, task_id, now, TaskStatus::is_final, |tx| {
            tx.execute(
                "DELETE FROM tasks WHERE project_id = ?1 AND task_id = ?2",
                params![project_id, task_id],
            )
        })
    }

    /// Reads the task's status and, if `allowed`, applies `change` to its one row, all in
    /// one transaction committed before returning.
    fn change(
        &self,
        project_id: &str,
        task_id: &str,
        now: DateTime<Utc>,
        allowed: impl FnOnce(TaskStatus) -> bool,
        change: impl FnOnce(&rusqlite::Transaction<'_>) -> rusqlite::Result<usize>,
    ) -> Result<(), Refusal> {
        let mut conn = self.lock();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        self.advance(&tx, now)?;
        let status = current_status(&tx, project_id, task_id)?.ok_or(Refusal::NotFound)?;
        if !allowed(status) {
            return Err(Refusal::WrongState(status));
        }
        let changed = change(&tx)?;
        if changed != 1 {
            return Err(Refusal::Storage(format!(
                "{changed} rows changed where one was expected"
            )));
        }
        tx.commit()?;
        Ok(())
    }

    /// Moves tasks created with progress on: `INIT` for the first third of the progress
    /// time, then `WAITING`, `PROCESSING`, and `SUCCEED` once it has passed.
    fn advance(&self, tx: &rusqlite::Transaction<'_>, now: DateTime<Utc>) -> rusqlite::Result<()> {
        let Some(p) = self.progress else {
            return Ok(());
        };
        let p = i64::try_from(p.as_millis()).unwrap_or(i64::MAX);
        tx.execute(
            "UPDATE tasks SET
                 status = CASE
                     WHEN ?1 - progress_from_ms >= ?2 THEN 'SUCCEED'
                     WHEN (?1 - progress_from_ms) * 3 >= ?2 * 2 THEN 'PROCESSING'
                     WHEN (?1 - progress_from_ms) * 3 >= ?2 THEN 'WAITING'
                     ELSE 'INIT' END,
                 start_time = CASE
                     WHEN start_time IS NULL AND (?1 - progress_from_ms) * 3 >= ?2 * 2 THEN ?3
                     ELSE start_time END,
                 end_time = CASE WHEN ?1 - progress_from_ms >= ?2 THEN ?3 ELSE end_time END,
                 progress_from_ms = CASE
                     WHEN ?1 - progress_from_ms >= ?2 THEN NULL ELSE progress_from_ms END
             WHERE progress_from_ms IS NOT NULL
                 AND status IN ('INIT', 'WAITING', 'PROCESSING')",
            params![now.timestamp_millis(), p, mpc_time(now)],
        )?;
        Ok(())
    }
}

const TASK_COLUMNS: &str = "project_id, task_id, status, create_time, start_time, end_time,
    error_code, description, user_data, input, output, output_param";

fn current_status(
    tx: &rusqlite::Transaction<'_>,
    project_id: &str,
    task_id: &str,
) -> Result<Option<TaskStatus>, Refusal> {
    let status: Option<String> = tx
        .query_row(
            "SELECT status FROM tasks WHERE project_id = ?1 AND task_id = ?2",
            params![project_id, task_id],
            |r| r.get(0),
        )
        .optional()?;
    status
        .map(|s| s.parse().map_err(|e| Refusal::Storage(format!("{e}"))))
        .transpose()
}

fn put_task(tx: &rusqlite::Transaction<'_>, t: &Task) -> rusqlite::Result<()> {
    tx.execute(
        "INSERT OR REPLACE INTO tasks (project_id, task_id, status, create_time, start_time,
             end_time, error_code, description, user_data, input, output, output_param)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
        params![
            t.project_id,
            t.task.task_id,
            t.task.status.as_str(),
            t.task.create_time,
            t.task.start_time,
            t.task.end_time,
            t.task.error_code,
            t.task.description,
            t.task.user_data,
            to_json(&t.task.input),
            to_json(&t.task.output),
            to_json(&t.task.output_param),
        ],
    )?;
    Ok(())
}

fn to_json<T: serde::Serialize>(v: &Option<T>) -> Option<String> {
    v.as_ref().map(|v| {
        serde_json::to_string(v).expect("the model types serialize: plain strings and numbers")
    })
}

fn from_json<T: serde::de::DeserializeOwned>(
    column: usize,
    v: Option<String>,
) -> rusqlite::Result<Option<T>> {
    v.map(|s| {
        serde_json::from_str(&s).map_err(|e| {
            rusqlite::Error::FromSqlConversionFailure(column, rusqlite::types::Type::Text, e.into())
        })
    })
    .transpose()
}

fn row_to_task(r: &rusqlite::Row<'_>) -> rusqlite::Result<Task> {
    let status: String = r.get(2)?;
    let status: TaskStatus = status
        .parse()
        .map_err(|e: crate::mpc::model::UnknownStatus| {
            rusqlite::Error::FromSqlConversionFailure(2, rusqlite::types::Type::Text, e.into())
        })?;
    let mut t = RemuxTask::new(r.get::<_, String>(1)?, status);
    t.create_time = r.get(3)?;
    t.start_time = r.get(4)?;
    t.end_time = r.get(5)?;
    t.error_code = r.get(6)?;
    t.description = r.get(7)?;
    t.user_data = r.get(8)?;
    t.input = from_json::<ObsObjInfo>(9, r.get(9)?)?;
    t.output = from_json::<ObsObjInfo>(10, r.get(10)?)?;
    t.output_param = from_json::<RemuxOutputParam>(11, r.get(11)?)?;
    Ok(Task {
        project_id: r.get(0)?,
        task: t,
    })
}

/// `yyyymmddhhmmss`, UTC: how MPC writes times.
pub(crate) fn mpc_time(t: DateTime<Utc>) -> String {
    t.format("%Y%m%d%H%M%S").to_string()
}

impl Task {
    /// The task as the list call shows it, with its `complete_ratio`.
    pub(crate) fn into_remux_task(self) -> RemuxTask {
        let complete_ratio = match self.task.status {
            TaskStatus::Succeed => Some(100),
            _ => None,
        };
        RemuxTask {
            complete_ratio,
            ..self.task
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn demo_store(progress: Option<Duration>) -> Store {
        let store = Store::open(None, progress).expect("an in-memory database opens");
        store
            .import(&State::demo(), true)
            .expect("the demo set imports");
        store
    }

    #[test]
    fn ids_are_never_given_twice_even_after_a_delete() {
        let store = demo_store(None);
        let now = Utc::now();
        let a = store
            .create("p", &CreateRemuxTaskBody::default(), now)
            .expect("create");
        store.set_status("p", &a, TaskStatus::Succeed).expect("set");
        store.delete("p", &a, now).expect("delete");
        let b = store
            .create("p", &CreateRemuxTaskBody::default(), now)
            .expect("create");
        assert_ne!(a, b);
    }

    #[test]
    fn progress_moves_a_task_through_every_state_to_succeed() {
        let store = demo_store(Some(Duration::from_secs(3)));
        let t0 = Utc::now();
        let id = store
            .create("p", &CreateRemuxTaskBody::default(), t0)
            .expect("create");
        let status_at = |ms: i64| {
            let q = ListQuery {
                task_ids: vec![id.clone()],
                size: 10,
                ..ListQuery::default()
            };
            let (_, tasks) = store
                .list("p", &q, t0 + chrono::TimeDelta::milliseconds(ms))
                .expect("list");
            tasks[0].status
        };
        assert_eq!(status_at(0), TaskStatus::Init);
        assert_eq!(status_at(1_000), TaskStatus::Waiting);
        assert_eq!(status_at(2_000), TaskStatus::Processing);
        assert_eq!(status_at(3_000), TaskStatus::Succeed);
    }

    #[test]
    fn only_queued_tasks_are_canceled_and_only_failed_ones_retried() {
        let store = demo_store(None);
        let now = Utc::now();
        let p = crate::server::DEMO_PROJECT_ID;
        assert_eq!(store.cancel(p, "100216", now), Ok(()));
        assert_eq!(
            store.cancel(p, "100214", now),
            Err(Refusal::WrongState(TaskStatus::Processing))
        );
        assert_eq!(store.retry(p, "100212", now), Ok(()));
        assert_eq!(store.status(p, "100212"), Ok(Some(TaskStatus::Waiting)));
        assert_eq!(
            store.retry(p, "100211", now),
            Err(Refusal::WrongState(TaskStatus::Succeed))
        );
        assert_eq!(store.retry(p, "nope", now), Err(Refusal::NotFound));
    }
}
