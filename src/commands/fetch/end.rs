//! How a fetch ends, for the people and programs watching: the closing log line (counts, stage
//! times, peak memory; the benchmark reads it), the one line on stderr for a run that did not
//! end cleanly (cron mails stderr, so it must say it all), the quota note of the terminal
//! summary, and the metrics file.

use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use chrono::Utc;

use super::{Charted, Finished};
use crate::error::{Exit, Halt};
use crate::metrics::RunMetrics;
use crate::progress::{self, Progress};
use crate::youtube::quota::next_reset;

/// The closing log line.
pub(super) fn log_finished(
    run_id: Option<&str>,
    charted: &Charted,
    (requests, bytes): (u64, u64),
    progress: &Progress,
    clock: Instant,
) {
    let ms = |c: &AtomicU64| c.load(Ordering::Relaxed) / 1000;
    let t = &progress.timings;
    let end = &charted.end;
    tracing::info!(
        run_id = run_id.unwrap_or("dry-run"),
        status = end.status(),
        charts_done = end.charts_done,
        charts_failed = end.charts_failed,
        videos = charted.videos,
        chart_entries = charted.entries,
        requests,
        bytes,
        units_saved_by_no_chart_skip = charted.saved_units,
        seconds = format_args!("{:.2}", clock.elapsed().as_secs_f64()),
        setup_ms = ms(&t.setup_us),
        fetch_ms = ms(&t.fetch_us),
        normalize_cpu_ms = ms(&t.normalize_us),
        dedup_ms = ms(&t.dedup_us),
        store_ms = ms(&t.store_us),
        store_streamed_ms = ms(&t.store_streamed_us),
        peak_memory_mb = progress::peak_memory().map(|b| b / (1024 * 1024)),
        "run finished"
    );
}

/// The terminal summary's quota part: units booked and left, or not booked (dry run).
pub(super) fn quota_note(done: &Finished) -> String {
    let saved = match done.saved_units {
        0 => String::new(),
        n => format!(", {n} saved by skipping charts with no chart"),
    };
    match (&done.usage, done.dry_run) {
        (Some(u), _) => format!(
            "; quota: {} units spent{saved}, {} of {} left today",
            done.requests, u.remaining, u.limit
        ),
        (None, true) if done.requests > 0 => format!(
            "; quota: {} units spent, not booked in the ledger (a dry run has no database)",
            done.requests
        ),
        (None, _) => String::new(),
    }
}

/// One closing line for a run that did not end cleanly (`detail`: what stopped it, in the
/// words it got); the exit code.
pub(super) fn report(done: &Finished, detail: Option<String>) -> Exit {
    let end = &done.end;
    let total = end.charts_done + end.charts_failed;
    let done_charts = end.charts_done;
    let stored = if end.stored { "stored" } else { "kept" };
    let reset = next_reset(Utc::now());
    let resets = format!(
        "it resets at midnight Pacific time ({} local, {})",
        reset
            .with_timezone(&chrono::Local)
            .format("%Y-%m-%d %H:%M %Z"),
        reset.format("%Y-%m-%d %H:%M UTC")
    );
    match end.halt {
        Some(Halt::Quota) => eprintln!(
            "trendtap: the daily YouTube API quota is exhausted; {resets}. {done_charts} of {total} charts were {stored}."
        ),
        Some(Halt::QuotaKnown { at }) => eprintln!(
            "trendtap: Google said at {} that today's quota for this key is exhausted; no request was made ({resets}; --ignore-exhausted tries anyway).",
            at.format("%Y-%m-%d %H:%M UTC")
        ),
        Some(Halt::OverBudget { needed, left }) => eprintln!(
            "trendtap: the run needs {needed} quota units and {left} are left today; no request was made ({resets}; --fit-budget fetches what fits)."
        ),
        Some(Halt::BadKey) => eprintln!(
            "trendtap: error: {}. {done_charts} of {total} charts were {stored}.",
            detail.unwrap_or_else(|| "the YouTube API rejected the key: check the key (YOUTUBE_API_KEY or api_key_file) and that it may call the YouTube Data API v3".to_owned())
        ),
        // Issue 18: a request every chart shares refused, the first charts failing alike, a
        // store failing mid-run: the run stopped at once, and says why in the words it got.
        Some(h @ (Halt::Rejected | Halt::Repeated | Halt::Store)) => eprintln!(
            "trendtap: error: the run stopped ({h}): {}. {done_charts} of {total} charts were {stored}.",
            detail.as_deref().unwrap_or("see above")
        ),
        Some(h @ (Halt::Sigint | Halt::Sigterm)) => eprintln!(
            "trendtap: interrupted ({h}); {done_charts} of {total} complete charts were {stored}."
        ),
        Some(Halt::Deadline) => eprintln!(
            "trendtap: error: the run's deadline passed; {done_charts} of {total} complete charts were {stored}."
        ),
        None if end.charts_failed > 0 && done_charts > 0 => eprintln!(
            "trendtap: {} of {total} charts failed or were skipped (see above); the other {done_charts} were {stored}.",
            end.charts_failed
        ),
        None if end.charts_failed > 0 => eprintln!(
            "trendtap: error: every chart failed (see above); nothing was stored."
        ),
        None => {}
    }
    end.exit()
}

/// Writes the metrics file; a failure is logged (the run's outcome stands).
pub(super) fn write_metrics(path: &Path, done: Option<&Finished>, exit: Exit, took: Duration) {
    let mut metrics =
        RunMetrics::ended("fetch", exit, took).with_usage(done.and_then(|d| d.usage.as_ref()));
    if let Some(done) = done {
        metrics.charts = done.charts;
        metrics.api_requests = done.requests;
    }
    metrics.write_or_log(path);
}
