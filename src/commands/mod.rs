//! One file per subcommand, each owning its settings (resolved from its flags, the environment
//! and the config file), its work and its output. A new subcommand is one new file here, one
//! variant of [`crate::cli::Command`] and one line of [`crate::run`]'s dispatch.
//!
//! What the commands share is here: the [`Context`] every command gets, [`fail`] (the one way an
//! error reaches stderr), and [`open_store`] for the commands that read the store; [`booking`]
//! is the quota ledger as the commands that spend quota use it.

pub mod booking;
pub mod completions;
pub mod doctor;
pub mod fetch;
pub mod migrate;
pub mod quota;
pub mod refresh;
pub mod regions;
pub mod report;
pub mod thumbnails;
pub mod top;

use std::path::{Path, PathBuf};

use crate::cli::{Cli, DbArgs, LogFormat};
use crate::config::{self, EnvFn, Loaded};
use crate::error::{Error, Exit};
use crate::secret::{DatabaseUrl, Redactor};
use crate::store::{Store, StoreError};

/// What every command gets besides its own flags.
pub struct Context {
    /// The working directory (where `./trendtap.toml` and the default SQLite file are).
    pub cwd: PathBuf,
    /// A person is watching stderr: show progress and a closing summary.
    pub interactive: bool,
    /// The environment.
    pub env: EnvFn<'static>,
}

impl Context {
    /// The context of this process for `cli`.
    pub fn new(cli: &Cli) -> Self {
        Context {
            cwd: std::env::current_dir().unwrap_or_else(|_| ".".into()),
            interactive: std::io::IsTerminal::is_terminal(&std::io::stderr())
                && !cli.quiet
                && cli.log_format == LogFormat::Text,
            env: &config::process_env,
        }
    }

    /// The config file (`--config PATH`, else `./trendtap.toml` when it exists).
    pub fn config_file(&self, explicit: Option<&Path>) -> Result<Loaded, Error> {
        Ok(Loaded::read(explicit, &self.cwd)?)
    }

    /// The database URL of a command that only needs the store.
    pub fn database_url(&self, args: &DbArgs) -> Result<DatabaseUrl, Error> {
        let loaded = self.config_file(args.config.as_deref())?;
        Ok(config::resolve_db_url(
            args,
            &loaded.file,
            loaded.path.as_deref(),
            self.env,
        )?)
    }
}

/// What a command that spends quota watches while it runs: its stop switch (signals and the
/// deadline wired to it), its counters, and the progress line when a person is watching.
pub struct Watch {
    /// The run's stop switch.
    pub ctl: std::sync::Arc<crate::shutdown::RunControl>,
    /// The run's counters.
    pub progress: std::sync::Arc<crate::progress::Progress>,
    /// The progress line on a terminal.
    pub display: Option<crate::progress::Display>,
}

impl Watch {
    /// Wires SIGINT/SIGTERM and the deadline to a new stop switch and starts the progress line
    /// when a person is watching.
    pub fn start(ctx: &Context, deadline: Option<std::time::Duration>) -> Self {
        let ctl = crate::shutdown::RunControl::new();
        if let Err(e) = crate::shutdown::watch_signals(ctl.clone()) {
            tracing::warn!("cannot watch signals: {e}");
        }
        if let Some(deadline) = deadline {
            crate::shutdown::watch_deadline(ctl.clone(), deadline);
        }
        let progress = std::sync::Arc::new(crate::progress::Progress::default());
        let display = ctx
            .interactive
            .then(|| crate::progress::Display::start(progress.clone()));
        Watch {
            ctl,
            progress,
            display,
        }
    }
}

/// Reports `err` on stderr (redacted) and returns its exit code.
pub fn fail(err: &Error, redactor: &Redactor) -> Exit {
    eprintln!("trendtap: error: {}", err.report(redactor));
    err.exit()
}

/// Opens and migrates the store at `url`, for a command that reads it.
pub async fn open_store(url: &DatabaseUrl) -> Result<Store, StoreError> {
    let mut store = Store::open(url).await?;
    store.migrate().await?;
    Ok(store)
}
