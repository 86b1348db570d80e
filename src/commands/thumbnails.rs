//! `trendtap thumbnails`: the thumbnail of each video of the latest complete run (or seen in a
//! chart within `--since`) kept in a folder, `DIR/<first two characters of the id>/<id>.jpg`,
//! and recorded in the `thumbnails` table. This file wires the parts: the folder is checked
//! before anything else, the store picks the videos and what was recorded of them, the plan
//! keeps the images already in place, the downloader ([`crate::thumbnails`], which knows no
//! store) fetches the others, and the store records every outcome in one statement.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;

use super::{fail, open_store, Context};
use crate::cli::ThumbnailsArgs;
use crate::config::file::FileConfig;
use crate::error::{ConfigError, Error, Exit, Halt};
use crate::metrics::{self, RunMetrics};
use crate::progress::Display;
use crate::regions;
use crate::secret::{DatabaseUrl, Redactor};
use crate::shutdown::{self, RunControl};
use crate::store::{ThumbnailRecord, ThumbnailSelection, ThumbnailStatus, ThumbnailTarget};
use crate::thumbnails::{
    self, files, quality, Counters, DownloadError, Downloader, FolderError, Got, HttpSettings, Job,
    Outcome, Quality, Validators,
};
use crate::youtube::{settings, RetryPolicy};

/// The largest image accepted by default: 5 MiB (a maxres JPEG is about 100-300 KB).
pub const DEFAULT_MAX_BYTES: u64 = 5 * 1024 * 1024;
/// Failures logged one by one; past that, one line counts the rest (the table has them all).
const LOGGED_FAILURES: usize = 20;

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
    if let Err(e) = shutdown::watch_signals(ctl.clone()) {
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

/// What the downloader is to do, and what is known without it.
struct Plan {
    jobs: Vec<Job>,
    /// Rows known now: files found in place without a row, ids that make no file name.
    rows: Vec<ThumbnailRecord>,
    /// The videos whose file is in place (revalidated), with their rows.
    in_place: HashMap<String, Option<ThumbnailRecord>>,
}

/// Sorts the targets: a file in place is kept (asked about with `--revalidate`), a URL the host
/// said it does not have is not asked again (unless `--revalidate`), the rest is downloaded.
async fn plan(s: &Settings, targets: Vec<ThumbnailTarget>, counters: &Counters) -> Plan {
    let mut plan = Plan {
        jobs: Vec::new(),
        rows: Vec::new(),
        in_place: HashMap::new(),
    };
    for target in targets {
        let url = quality::url_for(&target.thumbnail_url, s.quality);
        let Some(path) = files::relative_path(&target.video_id) else {
            counters.count(&counters.failed);
            let mut row = empty_row(&target.video_id, &url, ThumbnailStatus::Failed);
            row.error = Some("not a YouTube video id: it makes no file name".to_owned());
            plan.rows.push(row);
            continue;
        };
        let recorded = target.recorded;
        let file = s.dir.join(&path);
        let recorded_here = recorded
            .as_ref()
            .filter(|r| r.status == ThumbnailStatus::Ok && r.path.as_deref() == Some(&path));
        if file.is_file() && !s.revalidate {
            counters.count(&counters.present);
            if recorded_here.is_none() {
                plan.rows
                    .extend(adopt(&target.video_id, &url, &path, file).await);
            }
            continue;
        }
        let mut validators = None;
        if file.is_file() {
            validators = recorded_here
                .filter(|r| r.url == url && (r.etag.is_some() || r.last_modified.is_some()))
                .map(|r| Validators {
                    etag: r.etag.clone(),
                    last_modified: r.last_modified,
                });
            plan.in_place.insert(target.video_id.clone(), recorded);
        } else if !s.revalidate
            && recorded.is_some_and(|r| r.status == ThumbnailStatus::Missing && r.url == url)
        {
            counters.count(&counters.missing);
            continue;
        }
        plan.jobs.push(Job {
            video_id: target.video_id,
            url,
            path,
            validators,
        });
    }
    plan
}

/// The row of a file found in place without one (a run killed before it recorded, a folder
/// filled by hand): its size and hash; what the host would say of it is unknown.
async fn adopt(video_id: &str, url: &str, path: &str, file: PathBuf) -> Option<ThumbnailRecord> {
    match files::hash_file(file).await {
        Ok((bytes, sha256)) => Some(ThumbnailRecord {
            path: Some(path.to_owned()),
            bytes: Some(bytes),
            sha256: Some(sha256),
            ..empty_row(video_id, url, ThumbnailStatus::Ok)
        }),
        Err(e) => {
            tracing::warn!(video_id, path, "cannot read the image in place: {e}");
            None
        }
    }
}

fn empty_row(video_id: &str, url: &str, status: ThumbnailStatus) -> ThumbnailRecord {
    ThumbnailRecord {
        video_id: video_id.to_owned(),
        url: url.to_owned(),
        path: None,
        bytes: None,
        sha256: None,
        content_type: None,
        etag: None,
        last_modified: None,
        fetched_at: Utc::now(),
        status,
        error: None,
    }
}

/// The row an outcome leaves. A file in place that could not be revalidated stays, and so does
/// its row (the table describes the folder).
fn record(
    outcome: &Outcome,
    in_place: Option<&Option<ThumbnailRecord>>,
) -> Option<ThumbnailRecord> {
    let job = &outcome.job;
    let row = |status| empty_row(&job.video_id, &job.url, status);
    match &outcome.result {
        Ok(Got::Image(image)) => Some(ThumbnailRecord {
            path: Some(job.path.clone()),
            bytes: Some(image.bytes),
            sha256: Some(image.sha256.clone()),
            content_type: Some(image.content_type.clone()),
            etag: image.validators.etag.clone(),
            last_modified: image.validators.last_modified,
            ..row(ThumbnailStatus::Ok)
        }),
        Ok(Got::NotModified(now)) => in_place.cloned().flatten().map(|before| ThumbnailRecord {
            etag: now.etag.clone().or(before.etag),
            last_modified: now.last_modified.or(before.last_modified),
            fetched_at: Utc::now(),
            ..before
        }),
        Err(_) if in_place.is_some() => None,
        Err(err) => Some(ThumbnailRecord {
            error: Some(err.to_string()),
            ..row(match err {
                DownloadError::Missing { .. } => ThumbnailStatus::Missing,
                _ => ThumbnailStatus::Failed,
            })
        }),
    }
}

/// Each failure on stderr (cron mails them), up to [`LOGGED_FAILURES`].
fn log_failures(outcomes: &[Outcome]) {
    let failed: Vec<&Outcome> = outcomes
        .iter()
        .filter(|o| matches!(&o.result, Err(e) if !matches!(e, DownloadError::Missing { .. })))
        .collect();
    for o in failed.iter().take(LOGGED_FAILURES) {
        if let Err(e) = &o.result {
            tracing::warn!(video_id = %o.job.video_id, url = %o.job.url, attempts = o.attempts, "thumbnail not downloaded: {e}");
        }
    }
    if failed.len() > LOGGED_FAILURES {
        tracing::warn!(
            "{} more thumbnails not downloaded; the thumbnails table has each error",
            failed.len() - LOGGED_FAILURES
        );
    }
}

/// `12 downloaded (1.5 MB), 30 already present, 2 missing, 1 failed`.
fn tally(c: &Counters) -> String {
    let n = |c: &AtomicU64| c.load(Ordering::Relaxed);
    format!(
        "{} downloaded ({:.1} MB), {} already present, {} missing, {} failed",
        n(&c.downloaded),
        n(&c.bytes) as f64 / 1e6,
        n(&c.present),
        n(&c.missing),
        n(&c.failed)
    )
}

fn display(counters: Arc<Counters>) -> Display {
    Display::custom(
        "{spinner} thumbnails {pos}/{len} {wide_msg} {elapsed}",
        move |bar| {
            bar.set_length(counters.total.load(Ordering::Relaxed));
            bar.set_position(counters.done.load(Ordering::Relaxed));
            bar.set_message(format!("· {}", tally(&counters)));
        },
    )
}

/// The fetch's metrics (job `thumbnails`: no chart, no API request) and the run's counts.
fn write_metrics(
    path: &std::path::Path,
    exit: Exit,
    seconds: f64,
    c: &Counters,
) -> std::io::Result<()> {
    let finished_at = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64());
    let base = RunMetrics {
        job: "thumbnails",
        finished_at,
        exit_code: exit as u8,
        duration_seconds: seconds,
        charts: [("ok", 0), ("no_chart", 0), ("failed", 0), ("skipped", 0)],
        ..RunMetrics::default()
    };
    let n = |c: &AtomicU64| c.load(Ordering::Relaxed);
    let mut text = base.render();
    text.push_str("# HELP trendtap_thumbnails Thumbnails of the last run by outcome.\n");
    text.push_str("# TYPE trendtap_thumbnails gauge\n");
    for (status, counter) in [
        ("downloaded", &c.downloaded),
        ("present", &c.present),
        ("missing", &c.missing),
        ("failed", &c.failed),
    ] {
        text.push_str(&format!(
            "trendtap_thumbnails{{job=\"thumbnails\",status=\"{status}\"}} {}\n",
            n(counter)
        ));
    }
    text.push_str("# HELP trendtap_thumbnail_bytes Bytes of images the last run downloaded.\n");
    text.push_str("# TYPE trendtap_thumbnail_bytes gauge\n");
    text.push_str(&format!(
        "trendtap_thumbnail_bytes{{job=\"thumbnails\"}} {}\n",
        n(&c.bytes)
    ));
    metrics::write_atomically(path, text.as_bytes())
}

/// One closing line for a run that did not end cleanly (cron mails stderr).
fn report_end(end: &End, s: &Settings) -> Exit {
    let dir = s.dir.display();
    match end.halt {
        Some(h) => eprintln!(
            "trendtap: interrupted ({h}); the finished images are in {dir} and recorded, no partial file is left; the next run does the rest."
        ),
        None if end.failed > 0 && end.exit() == Exit::Failure => eprintln!(
            "trendtap: error: every one of the {} thumbnails failed (see above); nothing was downloaded.",
            end.failed
        ),
        None if end.failed > 0 => eprintln!(
            "trendtap: {} of {} thumbnails failed (see above, and the thumbnails table); the others are in {dir}.",
            end.failed, end.total
        ),
        None => {}
    }
    end.exit()
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
