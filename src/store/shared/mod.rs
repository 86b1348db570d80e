//! What both backends share, stated once; each backend supplies only its dialect. The
//! dependencies point one way: `store::{postgres, sqlite}` use these modules, never the other
//! way round, and these modules know no backend.
//!
//! - [`health`]: whether the store can still take the run (a write failed, the lock was lost);
//! - [`error`]: the error type, the mapping of a failed statement, lossless number conversions;
//! - [`types`]: the lock's answer, a run's summary, a line of `top`;
//! - [`columns`]: the column lists every statement is generated from;
//! - [`dialect`]: the two dialects' words for the generated statements, side by side;
//! - [`newest`]: the newest-wins rule of `videos` and `video_regions`;
//! - [`runs`]: the `runs` row's statements and the values of a run's end;
//! - [`lock`]: the run lock's protocol (try, wait, mark abandoned runs, name the holder);
//! - [`writer`]: a run's writes (one transaction, entries streamed, the first failure kept);
//! - [`jobs`]: the jobs with a run lock (fetch, refresh): their lock and their runs' table;
//! - [`ledger`]: the quota ledger's rules and statements;
//! - [`refresh`]: the refresh's rules (which videos, newest wins both ways, unavailable);
//! - [`memory`]: what the newest runs say of each chart (the fetch's estimate);
//! - [`thumbnails`]: which videos' thumbnails a run wants, and their rows;
//! - [`report`]: the reports' filters in either dialect, and the daily summary's bookkeeping.

pub(crate) mod columns;
pub(crate) mod dialect;
pub(crate) mod error;
pub(crate) mod health;
pub(crate) mod jobs;
pub(crate) mod ledger;
pub(crate) mod lock;
pub(crate) mod memory;
pub(crate) mod newest;
pub(crate) mod refresh;
pub(crate) mod report;
pub(crate) mod runs;
pub(crate) mod thumbnails;
pub(crate) mod types;
pub(crate) mod writer;
