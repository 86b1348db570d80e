//! Typed errors for each area, and the one place where outcomes become exit codes.
//!
//! Nothing below `main` calls `process::exit` (except the second-signal escape hatch in
//! `shutdown`); every path ends in an [`Exit`] computed here, so cron always learns the truth.

use std::fmt;

use crate::secret::Redactor;

/// The process exit codes, documented in the README and in `trendtap --help`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Exit {
    /// Every chart was stored (a pair that has no chart counts as done).
    Ok = 0,
    /// Failure: nothing stored (database down, rolled-back store, a store that failed mid-run,
    /// every chart failed), or the run stopped early because the key or a request every chart
    /// shares was rejected, the first charts all failed the same way, or the deadline passed
    /// (charts complete by then were stored).
    Failure = 1,
    /// Usage or configuration error; no request was made.
    Usage = 2,
    /// Partial: some charts failed, every other chart was stored.
    Partial = 3,
    /// Another run holds the lock on this database.
    Locked = 4,
    /// The daily API quota is exhausted; charts completed before were stored.
    Quota = 5,
    /// Interrupted by SIGINT; complete charts were stored.
    Sigint = 130,
    /// Interrupted by SIGTERM; complete charts were stored.
    Sigterm = 143,
}

/// The exit-code table as shown by `--help`; kept beside the enum so both change together.
pub const EXIT_CODES_HELP: &str = "\
Exit codes:
  0    every chart was stored (a region/category without a chart counts as done)
  1    failure: database down, storing failed (also mid-run) or every chart failed (nothing
       stored); API key or a request every chart shares rejected, the first 3 charts failed
       the same way, or --deadline passed (charts complete by then were stored)
  2    usage or configuration error (also a --save-raw folder that is not writable), no
       request made
  3    partial: some charts failed, all the others were stored
  4    another trendtap run holds this database's lock
  5    the daily API quota is exhausted; charts completed before were stored
  130  interrupted by SIGINT; complete charts were stored
  143  interrupted by SIGTERM; complete charts were stored";

/// The exit codes of `trendtap thumbnails`.
pub const THUMBNAILS_EXIT_CODES_HELP: &str = "\
Exit codes:
  0    every selected thumbnail is in the folder, or the host has none (missing)
  1    nothing could be done: the folder is not writable, the database is unreachable, the
       outcomes could not be recorded, or every download failed
  2    usage or configuration error, no download made
  3    some downloads failed (recorded with their error); the others are in the folder
  130  interrupted by SIGINT; finished images are kept and recorded, no partial file is left
  143  interrupted by SIGTERM; likewise";

/// Everything that ends a command early. Each variant carries the context an operator needs.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Bad command-line input.
    #[error("{0}")]
    Usage(String),
    /// Bad configuration (file, environment, key file).
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The database could not be reached, migrated or written.
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    /// Another run holds the advisory lock.
    #[error("another trendtap run (run {run_id}, started {started_at}) holds the lock on this database; use --wait-lock SECONDS to wait for it")]
    Locked {
        /// The id of the run holding the lock, if its `runs` row could be read.
        run_id: String,
        /// When that run started.
        started_at: String,
    },
    /// A raw archive could not be read or written.
    #[error(transparent)]
    Archive(#[from] crate::raw::ArchiveError),
    /// The thumbnails' folder cannot be used.
    #[error(transparent)]
    Thumbnails(#[from] crate::thumbnails::FolderError),
    /// Storing failed, but every page fetched is in the raw archive, ready to be stored later.
    #[error("{source}; every page fetched is in the raw archive under {root}: store it later with `trendtap fetch --from-raw {root}`")]
    StoreArchived {
        /// Why storing failed.
        source: crate::store::StoreError,
        /// The archive root given to `--save-raw` (`--from-raw` takes its latest run).
        root: String,
    },
    /// Writing the result (stdout) failed.
    #[error("cannot write the result to stdout: {0}")]
    Output(#[source] std::io::Error),
    /// Writing a result file failed (nothing is left under its name).
    #[error("cannot write {path}: {source}")]
    WriteFile {
        /// The file.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
}

impl Error {
    /// The exit code for an error that ended the command.
    pub fn exit(&self) -> Exit {
        match self {
            Error::Usage(_) | Error::Config(_) => Exit::Usage,
            Error::Archive(crate::raw::ArchiveError::NotWritable { .. }) => Exit::Usage,
            Error::Locked { .. } => Exit::Locked,
            Error::Store(_) | Error::StoreArchived { .. } => Exit::Failure,
            Error::Archive(_)
            | Error::Output(_)
            | Error::Thumbnails(_)
            | Error::WriteFile { .. } => Exit::Failure,
        }
    }

    /// The error of a run whose fetched pages are all in a raw archive under `root` (when it
    /// has one): a store error then says how to store them later.
    pub fn with_archive(self, root: Option<&std::path::Path>) -> Error {
        match (self, root) {
            (Error::Store(source), Some(root)) => Error::StoreArchived {
                source,
                root: root.display().to_string(),
            },
            (error, _) => error,
        }
    }

    /// The message for the operator, with every known secret removed.
    pub fn report(&self, redactor: &Redactor) -> String {
        redactor.redact(&self.to_string())
    }
}

/// Configuration problems. Each names the file, the setting or the variable at fault.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The configuration file could not be read.
    #[error("cannot read config file {path}: {source}")]
    ReadFile {
        /// The file.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
    /// The configuration file is not valid TOML or has an unknown or mistyped setting.
    #[error("invalid config file {path}: {message}")]
    ParseFile {
        /// The file.
        path: String,
        /// toml's message, which names the line and column.
        message: String,
    },
    /// A setting has a value out of range or of the wrong form.
    #[error("invalid {setting} ({origin}): {message}")]
    Invalid {
        /// The setting's name.
        setting: &'static str,
        /// Where the value came from: a flag, a variable or the config file.
        origin: String,
        /// What is wrong.
        message: String,
    },
    /// No API key anywhere.
    #[error("no YouTube API key: set YOUTUBE_API_KEY or `api_key_file` in the config file (a key is never taken from the command line)")]
    MissingApiKey,
    /// The key file could not be read or is empty.
    #[error("cannot use api_key_file {path}: {message}")]
    KeyFile {
        /// The key file.
        path: String,
        /// What is wrong (never the file's content).
        message: String,
    },
    /// No region on the command line nor in the config file.
    #[error("no region to fetch: pass --region CODE (repeatable, comma-separated) or set `regions` in the config file")]
    NoRegions,
}

/// Why a run stopped starting new requests before it had fetched every chart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Halt {
    /// 403 quotaExceeded / dailyLimitExceeded.
    Quota,
    /// Google said earlier today (the ledger remembers) that the key's quota is exhausted: no
    /// request was made.
    QuotaKnown {
        /// When it said so.
        at: chrono::DateTime<chrono::Utc>,
    },
    /// The run's estimated cost did not fit in what is left of today's quota: no request.
    OverBudget {
        /// Units the run needed.
        needed: u64,
        /// Units left today.
        left: u64,
    },
    /// The API rejected the key.
    BadKey,
    /// The API refused a request for a reason every other request shares (a 400 not about the
    /// chart or the page token, a 401).
    Rejected,
    /// The first charts to finish all failed with the same error.
    Repeated,
    /// The store failed mid-run (a write, or the connection holding the run lock).
    Store,
    /// SIGINT (first signal).
    Sigint,
    /// SIGTERM (first signal).
    Sigterm,
    /// `--deadline` passed.
    Deadline,
}

impl fmt::Display for Halt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Halt::Quota | Halt::QuotaKnown { .. } => "quota_exhausted",
            Halt::OverBudget { .. } => "over_budget",
            Halt::BadKey => "bad_api_key",
            Halt::Rejected => "request_rejected",
            Halt::Repeated => "repeated_failure",
            Halt::Store => "store_failed",
            Halt::Sigint => "sigint",
            Halt::Sigterm => "sigterm",
            Halt::Deadline => "deadline",
        })
    }
}

/// How a run that got as far as fetching ended, for the exit code and the `runs` row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RunEnd {
    /// Charts fetched completely (or found to have no chart).
    pub charts_done: usize,
    /// Charts that failed or were not completed.
    pub charts_failed: usize,
    /// What stopped the run early, if anything.
    pub halt: Option<Halt>,
    /// Whether the run's data was committed (false for a dry run and a rolled-back store).
    pub stored: bool,
}

impl RunEnd {
    /// The `runs.status` value: ok, partial, failed or interrupted.
    pub fn status(&self) -> &'static str {
        match self.halt {
            Some(Halt::Sigint | Halt::Sigterm | Halt::Deadline) => "interrupted",
            _ if self.charts_failed == 0 => "ok",
            _ if self.charts_done == 0 => "failed",
            _ => "partial",
        }
    }

    /// The exit code: halts first (they explain the failures), then failed charts.
    pub fn exit(&self) -> Exit {
        match self.halt {
            Some(Halt::Sigint) => Exit::Sigint,
            Some(Halt::Sigterm) => Exit::Sigterm,
            Some(Halt::Deadline | Halt::BadKey | Halt::Rejected | Halt::Repeated | Halt::Store) => {
                Exit::Failure
            }
            Some(Halt::Quota | Halt::QuotaKnown { .. } | Halt::OverBudget { .. }) => Exit::Quota,
            None if self.charts_failed == 0 => Exit::Ok,
            None if self.charts_done == 0 => Exit::Failure,
            None => Exit::Partial,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn end(done: usize, failed: usize, halt: Option<Halt>) -> RunEnd {
        RunEnd {
            charts_done: done,
            charts_failed: failed,
            halt,
            stored: true,
        }
    }

    #[test]
    fn exit_codes_follow_the_outcome() {
        assert_eq!(end(4, 0, None).exit(), Exit::Ok);
        assert_eq!(end(3, 1, None).exit(), Exit::Partial);
        assert_eq!(end(0, 4, None).exit(), Exit::Failure);
        assert_eq!(end(2, 2, Some(Halt::Quota)).exit(), Exit::Quota);
        assert_eq!(end(2, 2, Some(Halt::BadKey)).exit(), Exit::Failure);
        assert_eq!(end(2, 2, Some(Halt::Sigint)).exit() as u8, 130);
        assert_eq!(end(2, 2, Some(Halt::Sigterm)).exit() as u8, 143);
        assert_eq!(end(2, 2, Some(Halt::Deadline)).exit(), Exit::Failure);
        for halt in [Halt::Rejected, Halt::Repeated, Halt::Store] {
            assert_eq!(end(2, 2, Some(halt)).exit(), Exit::Failure, "{halt}");
        }
    }

    #[test]
    fn status_follows_the_outcome() {
        assert_eq!(end(4, 0, None).status(), "ok");
        assert_eq!(end(3, 1, None).status(), "partial");
        assert_eq!(end(0, 4, None).status(), "failed");
        assert_eq!(end(1, 3, Some(Halt::Sigterm)).status(), "interrupted");
        assert_eq!(end(1, 3, Some(Halt::Quota)).status(), "partial");
    }
}
