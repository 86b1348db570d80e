//! `trendtap refresh`: follows videos after they leave the chart. It chooses them from the
//! store (seen within `--seen-within`, newest observation older than `--older-than`, most
//! recently trending first; or exactly `--video`), books ceil(N/50) units in the quota ledger,
//! asks the API by id in batches of 50 (the concurrent part is `fetch::by_id`), and stores in
//! one transaction a `video_stats` row per video, the videos' newest data and the ones no
//! longer available. A dry run prints the refreshed videos and writes only the ledger.

use std::sync::Arc;
use std::time::Instant;

use chrono::{DateTime, Utc};

use super::booking::Booking;
use super::{fail, Context, Watch};
use crate::budget::Usage;
use crate::cli::RefreshArgs;
use crate::config::{self, RefreshConfig};
use crate::error::{Error, Exit, Halt, RunEnd};
use crate::fetch::by_id::{self, Batch, BatchResult};
use crate::metrics::RunMetrics;
use crate::model::Video;
use crate::output;
use crate::progress::Progress;
use crate::shutdown::RunControl;
use crate::store::{Job, LockState, RefreshSummary, Store};
use crate::youtube::quota::next_reset;
use crate::youtube::{Client, PAGE_SIZE};

/// Runs `trendtap refresh`.
pub async fn run(args: &RefreshArgs, ctx: &Context) -> Exit {
    let cfg = match ctx
        .config_file(args.db.config.as_deref())
        .and_then(|loaded| {
            Ok(config::resolve_refresh(
                args,
                &loaded.file,
                loaded.path.as_deref(),
                ctx.env,
            )?)
        }) {
        Ok(cfg) => cfg,
        Err(e) => return fail(&e, &Default::default()),
    };
    let Watch {
        ctl,
        progress,
        display,
    } = Watch::start(ctx, cfg.deadline);
    let clock = Instant::now();
    let result = execute(&cfg, &ctl, &progress, &mut std::io::stdout().lock()).await;
    if let Some(display) = display {
        display.finish();
    }
    let exit = match &result {
        Ok(done) => report(done, ctx.interactive, clock),
        Err(e) => fail(e, &cfg.redactor()),
    };
    if let Some(path) = &cfg.metrics_file {
        write_metrics(path, result.as_ref().ok(), exit, clock);
    }
    exit
}

/// What a refresh came to.
#[derive(Debug, Clone)]
pub struct Refreshed {
    /// How it ended (batches as charts).
    pub end: RunEnd,
    /// Its `refresh_runs` figures.
    pub summary: RefreshSummary,
    /// Batches not requested for the budget.
    pub skipped_batches: u64,
    /// The ledger's figures after it.
    pub usage: Option<Usage>,
}

/// The refresh itself, for a resolved configuration (the tests call it directly too).
pub async fn execute(
    cfg: &RefreshConfig,
    ctl: &Arc<RunControl>,
    progress: &Arc<Progress>,
    stdout: &mut dyn std::io::Write,
) -> Result<Refreshed, Error> {
    let started_at = Utc::now();
    let mut store = Store::open(&cfg.database.url).await?;
    store.migrate().await?;
    // A dry run writes nothing but the ledger, so it needs no lock and no refresh_runs row.
    let refresh_id = if cfg.dry_run.is_some() {
        None
    } else {
        lock(&mut store, cfg).await?;
        Some(store.begin_refresh(started_at).await?)
    };
    let booking = match refresh_id {
        Some(id) => Booking::new("refresh", id, &cfg.api.key, started_at),
        None => Booking::new(
            "refresh-dry-run",
            started_at.timestamp_micros(),
            &cfg.api.key,
            started_at,
        ),
    };
    let client = Arc::new(Client::new(&cfg.api).map_err(Error::Usage)?);
    let result = refresh(
        &store, &booking, refresh_id, cfg, &client, ctl, progress, started_at, stdout,
    )
    .await;
    let usage = booking
        .settle(&store, &cfg.budget, client.requests_made(), ctl.reason())
        .await;
    let (end, summary, skipped_batches) = match result {
        Ok(done) => done,
        Err(e) => {
            if let Some(id) = refresh_id {
                let failed = RefreshSummary {
                    status: "failed",
                    api_requests: client.requests_made(),
                    ..Default::default()
                };
                let message = cfg.redactor().redact(&e.to_string());
                if let Err(e) = store
                    .record_unsaved_refresh(id, &failed, Some(&message))
                    .await
                {
                    tracing::error!("could not record the failed refresh: {e}");
                }
            }
            return Err(e);
        }
    };
    Ok(Refreshed {
        end,
        summary,
        skipped_batches,
        usage,
    })
}

/// Takes the refresh lock (a refresh may run beside a fetch, not beside another refresh).
async fn lock(store: &mut Store, cfg: &RefreshConfig) -> Result<(), Error> {
    if let LockState::Busy { run_id, started_at } =
        store.lock_job(Job::Refresh, cfg.database.wait_lock).await?
    {
        return Err(Error::Locked {
            run_id: run_id.map_or_else(|| "unknown".to_owned(), |id| format!("refresh {id}")),
            started_at: started_at.map_or_else(|| "unknown".to_owned(), |t| t.to_rfc3339()),
        });
    }
    Ok(())
}

/// Chooses, books, asks and stores (or prints).
#[allow(clippy::too_many_arguments)]
async fn refresh(
    store: &Store,
    booking: &Booking,
    refresh_id: Option<i64>,
    cfg: &RefreshConfig,
    client: &Arc<Client>,
    ctl: &Arc<RunControl>,
    progress: &Arc<Progress>,
    started_at: DateTime<Utc>,
    stdout: &mut dyn std::io::Write,
) -> Result<(RunEnd, RefreshSummary, u64), Error> {
    let ids = choose(store, cfg, started_at).await?;
    let (ids, skipped, halt) = budget(store, booking, cfg, ids).await?;
    if let Some(halt) = halt {
        ctl.stop(halt);
    }
    tracing::info!(
        videos = ids.len(),
        batches = ids.len().div_ceil(PAGE_SIZE as usize),
        "refreshing"
    );
    let results =
        by_id::fetch_batches(client, by_id::batches(&ids), cfg.concurrency, ctl, progress).await;
    let (videos, missing, errors) = collect(&results, &cfg.redactor());
    let done = results
        .iter()
        .filter(|r| matches!(r.batch, Batch::Done { .. }))
        .count();
    let failed = results.len() - done + skipped as usize;
    let mut end = RunEnd {
        charts_done: done,
        charts_failed: failed,
        halt: ctl.reason(),
        stored: false,
    };
    let mut summary = RefreshSummary {
        status: end.status(),
        halt_reason: end.halt.map(|h| h.to_string()),
        requested: ids.len() as u64,
        refreshed: videos.len() as u64,
        unavailable: missing.len() as u64,
        batches_failed: (results.len() - done) as u64,
        api_requests: client.requests_made(),
        errors,
    };
    match refresh_id {
        Some(id) => {
            summary.unavailable = store
                .save_refresh(id, started_at, &videos, &missing, &summary)
                .await?;
            end.stored = true;
        }
        None => output::write(stdout, cfg.dry_run.unwrap_or_default(), &videos)
            .map_err(Error::Output)?,
    }
    Ok((end, summary, skipped))
}

/// The ids to ask for: `--video`, else the store's choice.
async fn choose(
    store: &Store,
    cfg: &RefreshConfig,
    now: DateTime<Utc>,
) -> Result<Vec<String>, Error> {
    if !cfg.videos.is_empty() {
        return Ok(cfg.videos.clone());
    }
    let limit = cfg
        .limit
        .map_or(i64::MAX, |l| i64::try_from(l).unwrap_or(i64::MAX));
    Ok(store
        .stale_videos(
            now - cfg.seen_within,
            now - cfg.older_than,
            cfg.include_unavailable,
            limit,
        )
        .await?)
}

/// Books ceil(N/50) units: all of them, or (with `--fit-budget`) the batches that fit, the
/// most recently trending first. Returns the ids to ask for, the batches skipped, and the halt
/// of a run that may make no request.
async fn budget(
    store: &Store,
    booking: &Booking,
    cfg: &RefreshConfig,
    ids: Vec<String>,
) -> Result<(Vec<String>, u64, Option<Halt>), Error> {
    let batches = ids.len().div_ceil(PAGE_SIZE as usize) as u64;
    if let Some(at) = booking
        .exhausted_at(store)
        .await?
        .filter(|_| !cfg.budget.ignore_exhausted)
    {
        return Ok((Vec::new(), batches, Some(Halt::QuotaKnown { at })));
    }
    let minimum = if cfg.budget.fit {
        batches.min(1)
    } else {
        batches
    };
    let grant = booking
        .reserve(store, &cfg.budget, batches, minimum)
        .await?;
    let Some(granted) = grant.granted else {
        let halt = Halt::OverBudget {
            needed: batches,
            left: grant.remaining,
        };
        return Ok((Vec::new(), batches, Some(halt)));
    };
    let keep = (granted as usize)
        .saturating_mul(PAGE_SIZE as usize)
        .min(ids.len());
    if keep < ids.len() {
        tracing::warn!(
            granted,
            "--fit-budget: refreshing {keep} of {} videos",
            ids.len()
        );
    }
    let mut ids = ids;
    ids.truncate(keep);
    Ok((ids, batches - granted, None))
}

/// The refreshed videos, the ids missing from answered batches, the failed batches' errors.
fn collect(
    results: &[BatchResult],
    redactor: &crate::secret::Redactor,
) -> (Vec<Video>, Vec<String>, Vec<String>) {
    let (mut videos, mut missing, mut errors) = (Vec::new(), Vec::new(), Vec::new());
    for r in results {
        match &r.batch {
            Batch::Done {
                videos: v,
                missing: m,
            } => {
                videos.extend(v.iter().cloned());
                missing.extend(m.iter().cloned());
            }
            Batch::Failed { error } => {
                tracing::error!("refresh batch not stored: {error}");
                errors.push(redactor.redact(error));
            }
        }
    }
    (videos, missing, errors)
}

/// The closing lines: a summary on a terminal; one line for a run that did not end cleanly.
fn report(done: &Refreshed, interactive: bool, clock: Instant) -> Exit {
    let s = &done.summary;
    let stored = if done.end.stored {
        "stored"
    } else {
        "printed (dry run: only the quota ledger was written)"
    };
    let left = done.usage.as_ref().map_or(String::new(), |u| {
        format!(", {} units left today", u.remaining)
    });
    let line = format!(
        "trendtap: refresh {}: {} of {} videos refreshed and {stored}, {} newly unavailable, {} requests{left} in {:.1} s",
        done.end.status(), s.refreshed, s.requested, s.unavailable, s.api_requests, clock.elapsed().as_secs_f64()
    );
    if interactive {
        eprintln!("{line}");
    } else {
        tracing::info!("{line}");
    }
    let resets = next_reset(Utc::now()).format("%Y-%m-%d %H:%M UTC");
    match done.end.halt {
        Some(Halt::OverBudget { needed, left }) => eprintln!(
            "trendtap: the refresh needs {needed} quota units and {left} are left today; no request was made (the quota resets at {resets}; --fit-budget refreshes what fits)."
        ),
        Some(Halt::QuotaKnown { at }) => eprintln!(
            "trendtap: Google said at {} that today's quota for this key is exhausted; no request was made (it resets at {resets}; --ignore-exhausted tries anyway).",
            at.format("%Y-%m-%d %H:%M UTC")
        ),
        Some(Halt::Quota) => eprintln!("trendtap: the daily YouTube API quota is exhausted; it resets at {resets}. The batches answered before were {stored}."),
        Some(Halt::BadKey) => eprintln!("trendtap: error: the YouTube API rejected the key: check YOUTUBE_API_KEY or api_key_file."),
        Some(h) => eprintln!("trendtap: refresh stopped ({h}); the batches answered before were {stored}."),
        None if done.end.charts_failed > 0 => eprintln!(
            "trendtap: {} of {} batches failed or were skipped (see above); the others were {stored}.",
            done.end.charts_failed,
            done.end.charts_failed + done.end.charts_done
        ),
        None => {}
    }
    done.end.exit()
}

fn write_metrics(path: &std::path::Path, done: Option<&Refreshed>, exit: Exit, clock: Instant) {
    let mut metrics = RunMetrics::ended("refresh", exit, clock.elapsed())
        .with_usage(done.and_then(|d| d.usage.as_ref()));
    if let Some(d) = done {
        metrics.charts = [
            ("ok", d.end.charts_done as u64),
            ("no_chart", 0),
            ("failed", d.summary.batches_failed),
            ("skipped", d.skipped_batches),
        ];
        metrics.api_requests = d.summary.api_requests;
    }
    metrics.write_or_log(path);
}
