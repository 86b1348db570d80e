//! Shared test support: the fake API, throwaway databases, and running the real binary.

pub mod db;
pub mod fake;

use std::process::Stdio;

pub use db::{count, TestDb};
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

/// Runs `trendtap ARGS` with a clean environment plus `env`, in a temporary working directory.
pub async fn trendtap(args: &[&str], env: &[(&str, &str)]) -> Output {
    let dir = std::env::temp_dir().join(format!("trendtap-cwd-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut cmd = tokio::process::Command::new(env!("CARGO_BIN_EXE_trendtap"));
    cmd.args(args)
        .current_dir(&dir)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().await.unwrap();
    Output {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    }
}
