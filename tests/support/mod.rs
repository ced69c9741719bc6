//! Shared test support: the official Python SDK in a virtual environment.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// The Python interpreter of a virtual environment with the official SDK
/// (`scripts/python/requirements.txt`) installed, or `None` with the reason printed.
///
/// `AKSK_OFFICIAL_PYTHON` names an interpreter to use as it is. Otherwise the environment
/// is created once under `target/official-sdk-venv` (it needs `python3` and the package
/// registry). `AKSK_SKIP_PYTHON=1` skips these tests, locally.
///
/// When `CI` is set (to anything but `false` or `0`), a test that needs the SDK and cannot
/// have it fails here instead: `AKSK_SKIP_PYTHON=1` included, so that CI never passes
/// without checking against the SDK.
pub fn official_python() -> Option<PathBuf> {
    static PYTHON: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    let found = PYTHON.get_or_init(find_or_create);
    match found {
        Ok(p) => Some(p.clone()),
        Err(why) if in_ci() => panic!(
            "CI is set, and this test needs the official Python SDK, which is not available: \
             {why}"
        ),
        Err(why) => {
            // Past the test harness's capture, so that a skip shows in a passing run.
            use std::io::Write;
            let message = format!("SKIPPED: the official Python SDK is not available: {why}\n");
            drop(std::io::stderr().write_all(message.as_bytes()));
            None
        }
    }
}

/// Is this a CI run (`CI` set to anything but empty, `false` or `0`)?
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0")
}

fn find_or_create() -> Result<PathBuf, String> {
    if std::env::var_os("AKSK_SKIP_PYTHON").is_some_and(|v| v == "1") {
        return Err("AKSK_SKIP_PYTHON=1".into());
    }
    if let Some(p) = std::env::var_os("AKSK_OFFICIAL_PYTHON") {
        return Ok(PathBuf::from(p));
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let venv = root.join("target").join("official-sdk-venv");
    let python = venv.join("bin").join("python");
    let marker = venv.join(".installed");
    if marker.exists() && python.exists() {
        return Ok(python);
    }
    // Several test binaries may get here at once: one creates, the others wait for it.
    let lock = root.join("target").join("official-sdk-venv.lock");
    std::fs::create_dir_all(root.join("target")).map_err(|e| e.to_string())?;
    let _guard = DirLock::acquire(&lock)?;
    if marker.exists() && python.exists() {
        return Ok(python);
    }
    let status = Command::new("python3")
        .args(["-m", "venv"])
        .arg(&venv)
        .status()
        .map_err(|e| format!("python3 not runnable: {e}"))?;
    if !status.success() {
        return Err("python3 -m venv failed".into());
    }
    let out = Command::new(&python)
        .args([
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "-r",
        ])
        .arg(root.join("scripts/python/requirements.txt"))
        .output()
        .map_err(|e| format!("pip not runnable: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "pip install of the official SDK failed: {}",
            String::from_utf8_lossy(&out.stderr)
                .lines()
                .last()
                .unwrap_or("")
        ));
    }
    std::fs::write(&marker, b"ok").map_err(|e| e.to_string())?;
    Ok(python)
}

/// A lock held by creating a directory, released on drop.
struct DirLock(PathBuf);

impl DirLock {
    fn acquire(path: &Path) -> Result<DirLock, String> {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(600);
        loop {
            match std::fs::create_dir(path) {
                Ok(()) => return Ok(DirLock(path.to_owned())),
                Err(_) if std::time::Instant::now() < deadline => {
                    std::thread::sleep(std::time::Duration::from_millis(200))
                }
                Err(e) => return Err(format!("waiting for {}: {e}", path.display())),
            }
        }
    }
}

impl Drop for DirLock {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir(&self.0);
    }
}

/// A script of `scripts/python/`, ready to run with the official SDK's interpreter (stdin,
/// stdout and stderr not set); `None` when the SDK is not available (see
/// [`official_python`]).
pub fn python_script(script: &str) -> Option<Command> {
    let python = official_python()?;
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut command = Command::new(python);
    command
        .arg(root.join("scripts/python").join(script))
        .env("HOME", root.join("target").join("official-sdk-home"))
        .env("NO_PROXY", "*");
    Some(command)
}

/// Runs a script of `scripts/python/` with the official SDK's interpreter; `None` when the
/// SDK is not available (the reason is printed).
pub fn run_python_script(
    script: &str,
    args: &[&str],
    stdin: Option<&str>,
) -> Option<std::process::Output> {
    use std::io::Write;
    let mut child = python_script(script)?
        .args(args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("start python");
    if let Some(input) = stdin {
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
    }
    drop(child.stdin.take());
    Some(child.wait_with_output().expect("python output"))
}
