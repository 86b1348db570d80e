//! Shared test support: the fake API, throwaway databases, and running the real binary.

pub mod backend;
pub mod both;
pub mod db;
pub mod fake;
pub mod images;
pub mod sweep;

use std::process::Stdio;

pub use backend::{save_run, temp_dir, Kind, TestStore};
pub use both::{CliStore, Via};
pub use db::TestDb;
pub use fake::{FakeYouTube, KEY};

/// What a run of the binary produced.
#[derive(Debug)]
pub struct Output {
    /// Exit code.
    pub code: i32,
    /// stdout, as text.
    pub stdout: String,
    /// stderr, as text.
    pub stderr: String,
}

impl Output {
    /// Asserts that neither stream shows the API key.
    pub fn assert_no_secret(&self) {
        for (name, text) in [("stdout", &self.stdout), ("stderr", &self.stderr)] {
            assert!(!text.contains(KEY), "the API key leaked on {name}:\n{text}");
        }
    }
}

/// `trendtap ARGS` with a clean environment plus `env`, in a temporary working directory.
pub fn command(args: &[&str], env: &[(&str, &str)]) -> tokio::process::Command {
    command_in(&temp_dir("cwd"), args, env)
}

/// `trendtap ARGS` run in `dir`.
pub fn command_in(
    dir: &std::path::Path,
    args: &[&str],
    env: &[(&str, &str)],
) -> tokio::process::Command {
    let mut cmd = tokio::process::Command::new(env!("CARGO_BIN_EXE_trendtap"));
    cmd.args(args)
        .current_dir(dir)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd
}

/// Runs `trendtap ARGS` to completion.
pub async fn trendtap(args: &[&str], env: &[(&str, &str)]) -> Output {
    let child = command(args, env).spawn().unwrap();
    finish(child).await
}

/// Waits for a spawned trendtap and collects its output.
pub async fn finish(child: tokio::process::Child) -> Output {
    let out = tokio::time::timeout(
        std::time::Duration::from_secs(120),
        child.wait_with_output(),
    )
    .await
    .expect("trendtap finished within 2 minutes")
    .unwrap();
    Output {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    }
}

/// Sends a signal (`TERM`, `INT`) to a process.
pub fn signal(child: &tokio::process::Child, name: &str) {
    let pid = child.id().expect("still running").to_string();
    let status = std::process::Command::new("kill")
        .args([&format!("-{name}"), &pid])
        .status()
        .unwrap();
    assert!(status.success());
}

/// Polls `check` every 20 ms until it holds (or panics after 30 s).
pub async fn wait_until<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while !check().await {
        assert!(
            std::time::Instant::now() < deadline,
            "timed out waiting until {what}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

/// Opens the database at `url`, migrates it and takes the run lock, as a running fetch would.
pub async fn hold_lock(url: &str) -> trendtap::store::Store {
    let mut store = trendtap::store::Store::open(&trendtap::secret::DatabaseUrl::new(url))
        .await
        .unwrap();
    store.migrate().await.unwrap();
    assert_eq!(
        store.lock(None).await.unwrap(),
        trendtap::store::LockState::Acquired
    );
    store
}
