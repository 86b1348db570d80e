//! The command-line tests on both backends: a fresh store of either kind ([`TestStore`], whose
//! AnyPool helpers the assertions use) together with the way the binary is pointed at it
//! (DATABASE_URL, `--database-url`, or for SQLite no URL at all, in the directory of the file).

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use serde_json::Value;
use tokio::io::AsyncReadExt;

use super::{command_in, finish, temp_dir, Kind, Output, TestStore, KEY};

/// How the binary is told where the store is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    /// The DATABASE_URL environment variable.
    Env,
    /// The `--database-url` flag, appended to the arguments.
    Flag,
    /// SQLite: no URL at all, run in the file's directory so that the default `./trendtap.db`
    /// is the file. PostgreSQL has no default, so it gets DATABASE_URL.
    Default,
}

/// A fresh store and the binary pointed at it.
pub struct CliStore {
    /// The store, for assertions (`db.count(..)`, `db.int(..)`, ...).
    pub store: TestStore,
    via: Via,
    cwd: PathBuf,
    own_cwd: bool,
}

impl std::ops::Deref for CliStore {
    type Target = TestStore;
    fn deref(&self) -> &TestStore {
        &self.store
    }
}

impl CliStore {
    /// A fresh store of `kind`, given to the binary through DATABASE_URL.
    pub async fn new(kind: Kind) -> Self {
        Self::via(kind, Via::Env).await
    }

    /// A fresh store of `kind`, given to the binary as `via` says.
    pub async fn via(kind: Kind, via: Via) -> Self {
        let store = TestStore::new(kind).await;
        let via = match (kind, via) {
            (Kind::Postgres, Via::Default) => Via::Env,
            (_, via) => via,
        };
        let (cwd, own_cwd) = if via == Via::Default {
            let file = sqlite_path(&store.url);
            (file.parent().unwrap().to_path_buf(), false)
        } else {
            // Elsewhere than the file, so that a URL the binary ignored would show.
            (temp_dir("cwd"), true)
        };
        CliStore {
            store,
            via,
            cwd,
            own_cwd,
        }
    }

    /// The SQLite file (SQLite only).
    pub fn path(&self) -> PathBuf {
        assert_eq!(self.kind, Kind::Sqlite);
        sqlite_path(&self.url)
    }

    /// `env` plus DATABASE_URL when the store is given that way.
    pub fn env<'a>(&'a self, env: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
        let mut env = env.to_vec();
        if self.via == Via::Env {
            env.push(("DATABASE_URL", &self.url));
        }
        env
    }

    /// `trendtap ARGS` (plus `--database-url` when the store is given that way), with a clean
    /// environment plus `env` (plus DATABASE_URL when the store is given that way).
    pub fn command(&self, args: &[&str], env: &[(&str, &str)]) -> tokio::process::Command {
        let mut args = args.to_vec();
        if self.via == Via::Flag {
            args.extend(["--database-url", &self.url]);
        }
        command_in(&self.cwd, &args, &self.env(env))
    }

    /// Runs `trendtap ARGS` against the store to completion.
    pub async fn run(&self, args: &[&str], env: &[(&str, &str)]) -> Output {
        finish(self.command(args, env).spawn().unwrap()).await
    }

    /// The single `runs` row's `column` (JSON or an array), parsed.
    pub async fn run_json(&self, column: &str) -> Value {
        let text = self
            .text(&format!("SELECT {} FROM runs", self.json(column)))
            .await
            .unwrap();
        serde_json::from_str(&text).unwrap()
    }

    /// How many `runs` rows contain the API key anywhere.
    pub async fn runs_with_the_key(&self) -> i64 {
        match self.kind {
            Kind::Postgres => self
                .int(&format!(
                    "SELECT count(*) FROM runs WHERE runs::text LIKE '%' || '{KEY}' || '%'"
                ))
                .await
                .unwrap(),
            Kind::Sqlite => {
                let rows = self.dump("runs", &[], "run_id").await;
                assert!(!rows.is_empty());
                rows.iter().filter(|row| row.contains(KEY)).count() as i64
            }
        }
    }
}

impl Drop for CliStore {
    fn drop(&mut self) {
        if self.own_cwd {
            let _ = std::fs::remove_dir_all(&self.cwd);
        }
    }
}

fn sqlite_path(url: &str) -> PathBuf {
    PathBuf::from(url.strip_prefix("sqlite://").expect("a sqlite:// URL"))
}

/// A `sqlite://` URL that cannot be opened: its parent "directory" is a regular file.
pub fn unopenable_sqlite_url() -> (PathBuf, String) {
    let dir = temp_dir("unopenable");
    let file = dir.join("not-a-directory");
    std::fs::write(&file, "").unwrap();
    let path = file.join("trendtap.db");
    let url = format!("sqlite://{}", path.display());
    (path, url)
}

/// True when `dir` holds no file named `trendtap.db*`.
pub fn no_default_store_in(dir: &Path) -> bool {
    std::fs::read_dir(dir).unwrap().all(|e| {
        !e.unwrap()
            .file_name()
            .to_string_lossy()
            .starts_with("trendtap.db")
    })
}

/// A spawned binary's stderr, read as it is written, so that a test can wait for a line.
pub struct Stderr {
    text: Arc<Mutex<Vec<u8>>>,
    reader: tokio::task::JoinHandle<()>,
}

impl Stderr {
    /// Takes over `child`'s stderr (spawned with a piped stderr).
    pub fn watch(child: &mut tokio::process::Child) -> Self {
        let mut pipe = child.stderr.take().expect("stderr is piped");
        let text = Arc::new(Mutex::new(Vec::new()));
        let sink = text.clone();
        let reader = tokio::spawn(async move {
            let mut buf = [0u8; 4096];
            while let Ok(n) = pipe.read(&mut buf).await {
                if n == 0 {
                    break;
                }
                sink.lock().unwrap().extend_from_slice(&buf[..n]);
            }
        });
        Stderr { text, reader }
    }

    /// True once stderr so far contains `what`.
    pub fn contains(&self, what: &str) -> bool {
        String::from_utf8_lossy(&self.text.lock().unwrap()).contains(what)
    }

    /// Waits for `child` to exit: its output, with the stderr read here.
    pub async fn finish(self, child: tokio::process::Child) -> Output {
        let mut out = finish(child).await;
        self.reader.await.unwrap();
        out.stderr = String::from_utf8(std::mem::take(&mut *self.text.lock().unwrap())).unwrap();
        out
    }
}
