//! `trendtap thumbnails`: the thumbnail of each video of the latest complete run (or seen in a
//! chart within `--since`) kept in a folder, `DIR/<first two characters of the id>/<id>.jpg`,
//! and recorded in the `thumbnails` table. This module wires the parts: the folder is checked
//! before anything else, the store picks the videos and what was recorded of them, the plan
//! ([`plan`]) keeps the images already in place, the downloader ([`crate::thumbnails`], which
//! knows no store) fetches the others, the store records every outcome in one statement, and
//! [`report`] tells how it went (stderr, progress bar, metrics file).

mod plan;
mod report;

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;

use super::{fail, open_store, Context};
use crate::cli::ThumbnailsArgs;
use crate::config::file::FileConfig;
use crate::error::{ConfigError, Error, Exit, Halt};
use crate::regions;
use crate::secret::{DatabaseUrl, Redactor};
use crate::shutdown::{self, RunControl};
use crate::store::ThumbnailSelection;
use crate::thumbnails::{self, files, Counters, Downloader, FolderError, HttpSettings, Quality};
use crate::youtube::{settings, RetryPolicy};
use plan::{plan, record, Plan};
use report::{display, log_failures, report_end, tally, write_metrics};

/// The largest image accepted by default: 5 MiB (a maxres JPEG is about 100-300 KB).
pub const DEFAULT_MAX_BYTES: u64 = 5 * 1024 * 1024;

/// Everything a run needs, resolved and checked.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The image folder.
    pub dir: PathBuf,
    /// Which videos.
    pub selection: ThumbnailSelection,
    /// Most downloads in flight.
    pub concurrency: usize,
    /// The quality wanted (`None`: the best available).
    pub quality: Option<Quality>,
    /// Ask the host about the images in place.
    pub revalidate: bool,
    /// Timeouts, retries and the size cap.
    pub http: HttpSettings,
    /// Where to write the run's metrics.
    pub metrics_file: Option<PathBuf>,
    /// The store.
    pub url: DatabaseUrl,
}

/// Runs `trendtap thumbnails`.
pub async fn run(args: &ThumbnailsArgs, ctx: &Context) -> Exit {
    let settings = match resolve(args, ctx) {
        Ok(s) => s,
        Err(e) => return fail(&e, &Redactor::default()),
    };
    let ctl = RunControl::new();
    let stopping = "no new download starts, those in flight are dropped with their temporary files; finished ones will be recorded";
    if let Err(e) = shutdown::watch_signals_saying(ctl.clone(), stopping) {
        tracing::warn!("cannot watch signals: {e}");
    }
    let counters = Arc::new(Counters::default());
    let display = ctx.interactive.then(|| display(counters.clone()));
    let clock = Instant::now();
    let result = execute(&settings, &ctl, &counters).await;
    let seconds = clock.elapsed().as_secs_f64();
    if let Some(display) = display {
        display.finish();
        if result.is_ok() {
            eprintln!(
                "trendtap: thumbnails: {} in {seconds:.1} s",
                tally(&counters)
            );
        }
    }
    let exit = match &result {
        Ok(end) => end.exit(),
        Err(e) => e.exit(),
    };
    if let Some(path) = &settings.metrics_file {
        if let Err(e) = write_metrics(path, exit, seconds, &counters) {
            tracing::error!(path = %path.display(), "cannot write the metrics file: {e}");
        }
    }
    match result {
        Ok(end) => report_end(&end, &settings),
        Err(e) => fail(&e, &Redactor::new(settings.url.password())),
    }
}

/// The command's settings: its flags, and from the config file the database URL and the API
/// client's timeouts and retries (the same for the image host), with the same defaults.
pub fn resolve(args: &ThumbnailsArgs, ctx: &Context) -> Result<Settings, Error> {
    let loaded = ctx.config_file(args.db.config.as_deref())?;
    let path = loaded.path.as_deref();
    let url = crate::config::resolve_db_url(&args.db, &loaded.file, path, ctx.env)?;
    let mut regions = Vec::new();
    for code in args
        .regions
        .iter()
        .map(|c| c.trim())
        .filter(|c| !c.is_empty())
    {
        let region = regions::canonical(code).ok_or_else(|| {
            Error::Usage(format!(
                "unknown region code `{code}`; `trendtap regions` lists the supported ones"
            ))
        })?;
        if !regions.contains(&region) {
            regions.push(region);
        }
    }
    let since = match args.since {
        Some(window) => Some(
            chrono::Duration::from_std(window)
                .ok()
                .and_then(|w| Utc::now().checked_sub_signed(w))
                .ok_or_else(|| Error::Usage("--since is too long".to_owned()))?,
        ),
        None => None,
    };
    let origin = path.map_or_else(
        || "config file".to_owned(),
        |p| format!("config file {}", p.display()),
    );
    Ok(Settings {
        dir: args.dir.clone(),
        selection: ThumbnailSelection {
            since,
            regions,
            limit: args.limit,
        },
        concurrency: args.concurrency as usize,
        quality: args.quality,
        revalidate: args.revalidate,
        http: http_settings(&loaded.file, &origin, args.max_bytes)?,
        metrics_file: args.metrics_file.clone(),
        url,
    })
}

/// The API client's timeouts and retry policy (`timeout_secs`, `connect_timeout_secs`,
/// `max_attempts`, `max_backoff_secs` of the config file, else the client's defaults).
fn http_settings(
    file: &FileConfig,
    origin: &str,
    max_bytes: Option<u64>,
) -> Result<HttpSettings, ConfigError> {
    let invalid = |setting, message: &str| ConfigError::Invalid {
        setting,
        origin: origin.to_owned(),
        message: message.to_owned(),
    };
    let secs = |value: Option<u64>, name, default: Duration| match value {
        Some(0) => Err(invalid(name, "must be at least 1 second")),
        Some(s) => Ok(Duration::from_secs(s)),
        None => Ok(default),
    };
    let retry = RetryPolicy::DEFAULT;
    let max_attempts = file.max_attempts.unwrap_or(retry.max_attempts);
    if !(1..=20).contains(&max_attempts) {
        return Err(invalid("max_attempts", "must be between 1 and 20"));
    }
    Ok(HttpSettings {
        connect_timeout: secs(
            file.connect_timeout_secs,
            "connect_timeout_secs",
            settings::DEFAULT_CONNECT_TIMEOUT,
        )?,
        timeout: secs(file.timeout_secs, "timeout_secs", settings::DEFAULT_TIMEOUT)?,
        retry: RetryPolicy {
            max_attempts,
            max_backoff: secs(file.max_backoff_secs, "max_backoff_secs", retry.max_backoff)?,
            ..retry
        },
        max_bytes: max_bytes.unwrap_or(DEFAULT_MAX_BYTES),
    })
}

/// How a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct End {
    /// Videos selected.
    pub total: u64,
    /// Images in the folder now (downloaded or already present).
    pub in_place: u64,
    /// Images the host does not have.
    pub missing: u64,
    /// Images that could not be had.
    pub failed: u64,
    /// SIGINT or SIGTERM.
    pub halt: Option<Halt>,
}

impl End {
    /// 130/143 when interrupted; else 0 without failures, 3 with some, 1 when every one failed.
    pub fn exit(&self) -> Exit {
        match self.halt {
            Some(Halt::Sigint) => Exit::Sigint,
            Some(Halt::Sigterm) => Exit::Sigterm,
            _ if self.failed == 0 => Exit::Ok,
            _ if self.in_place + self.missing == 0 => Exit::Failure,
            _ => Exit::Partial,
        }
    }
}

/// The run between its settings and its exit code.
pub async fn execute(
    s: &Settings,
    ctl: &Arc<RunControl>,
    counters: &Arc<Counters>,
) -> Result<End, Error> {
    files::check_writable(&s.dir).map_err(|source| FolderError {
        path: s.dir.display().to_string(),
        source,
    })?;
    let stale = files::remove_stale_temps(&s.dir);
    if stale > 0 {
        tracing::info!(stale, "removed temporary files a killed run left");
    }
    let store = open_store(&s.url).await?;
    let targets = store.thumbnail_targets(&s.selection).await?;
    counters
        .total
        .store(targets.len() as u64, Ordering::Relaxed);
    if targets.is_empty() {
        eprintln!(
            "trendtap: no video to fetch a thumbnail for in {}",
            store.target()
        );
    }
    let Plan {
        jobs,
        mut rows,
        in_place,
    } = plan(s, targets, counters).await;
    tracing::info!(
        jobs = jobs.len(),
        concurrency = s.concurrency,
        "downloading thumbnails"
    );
    let downloader = Arc::new(Downloader::new(s.http.clone()).map_err(Error::Usage)?);
    let outcomes =
        thumbnails::download_all(&downloader, &s.dir, jobs, s.concurrency, ctl, counters).await;
    log_failures(&outcomes);
    rows.extend(
        outcomes
            .iter()
            .filter_map(|o| record(o, in_place.get(&o.job.video_id))),
    );
    store.save_thumbnails(&rows).await?;
    let n = |c: &AtomicU64| c.load(Ordering::Relaxed);
    tracing::info!(
        downloaded = n(&counters.downloaded),
        present = n(&counters.present),
        missing = n(&counters.missing),
        failed = n(&counters.failed),
        bytes = n(&counters.bytes),
        requests = downloader.requests_made(),
        "thumbnails finished"
    );
    Ok(End {
        total: n(&counters.total),
        in_place: n(&counters.downloaded) + n(&counters.present),
        missing: n(&counters.missing),
        failed: n(&counters.failed),
        halt: ctl.reason(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn end(in_place: u64, missing: u64, failed: u64, halt: Option<Halt>) -> End {
        End {
            total: in_place + missing + failed,
            in_place,
            missing,
            failed,
            halt,
        }
    }

    #[test]
    fn exit_codes_follow_the_outcome() {
        assert_eq!(end(5, 1, 0, None).exit(), Exit::Ok);
        assert_eq!(end(0, 0, 0, None).exit(), Exit::Ok, "nothing to do");
        assert_eq!(end(5, 0, 2, None).exit(), Exit::Partial);
        assert_eq!(end(0, 1, 2, None).exit(), Exit::Partial);
        assert_eq!(end(0, 0, 2, None).exit(), Exit::Failure);
        assert_eq!(end(1, 0, 2, Some(Halt::Sigterm)).exit() as u8, 143);
        assert_eq!(end(1, 0, 0, Some(Halt::Sigint)).exit() as u8, 130);
    }
}
