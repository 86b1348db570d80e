//! How a run went, for the operator: failures and the closing line on stderr (cron mails
//! them), the progress bar on a terminal, the metrics file.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use super::{End, Settings};
use crate::error::Exit;
use crate::metrics::{self, RunMetrics};
use crate::progress::Display;
use crate::thumbnails::{Counters, DownloadError, Outcome};

/// Failures logged one by one; past that, one line counts the rest (the table has them all).
const LOGGED_FAILURES: usize = 20;

/// Each failure on stderr (cron mails them), up to [`LOGGED_FAILURES`].
pub(super) fn log_failures(outcomes: &[Outcome]) {
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
pub(super) fn tally(c: &Counters) -> String {
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

pub(super) fn display(counters: Arc<Counters>) -> Display {
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
pub(super) fn write_metrics(
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
pub(super) fn report_end(end: &End, s: &Settings) -> Exit {
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
