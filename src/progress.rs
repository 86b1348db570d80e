//! A run's live counters and stage times ([`Progress`], written by the fetch), and what a person
//! at a terminal sees of them during `fetch`: a progress line (charts, pages, requests, retries),
//! log lines printed above it, and a one-line summary at the end. Unattended runs (stderr not a
//! terminal) get no display; the counters still feed the closing log line and the benchmark.

use std::io::Write;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};

use crate::error::RunEnd;

/// Live counters of a fetch, for the progress display.
#[derive(Debug, Default)]
pub struct Progress {
    /// Charts finished (in any way).
    pub charts_done: AtomicUsize,
    /// Charts planned.
    pub charts_total: AtomicUsize,
    /// Pages received.
    pub pages: AtomicU64,
    /// Requests sent, retries included.
    pub requests: AtomicU64,
    /// Page requests answered finally (so retries are `requests - answered`).
    pub answered: AtomicU64,
    /// Time per stage, for the benchmark and the closing log line.
    pub timings: Timings,
}

/// Microseconds spent in each stage of a run. `normalize_us` is CPU time summed over the chart
/// tasks (it overlaps the fetch); the others are wall time.
#[derive(Debug, Default)]
pub struct Timings {
    /// Connecting, migrating and locking the database, and recording the run's start.
    pub setup_us: AtomicU64,
    /// Fetching every chart (or reading the archive), normalization included.
    pub fetch_us: AtomicU64,
    /// Normalizing items (cleaning, language detection), summed over tasks.
    pub normalize_us: AtomicU64,
    /// Merging the charts by video.
    pub dedup_us: AtomicU64,
    /// Storing the run once its charts are in (or writing the dry-run output): what the
    /// store adds to the run's wall time.
    pub store_us: AtomicU64,
    /// Writing charts into the database while others were still fetching (PostgreSQL's
    /// `chart_entries`); this time overlaps `fetch_us`.
    pub store_streamed_us: AtomicU64,
}

/// Adds the time since `since` to a stage's counter.
pub fn record(counter: &AtomicU64, since: std::time::Instant) {
    counter.fetch_add(since.elapsed().as_micros() as u64, Ordering::Relaxed);
}

/// The process's peak resident memory so far, in bytes (Linux's `VmHWM`; `None` elsewhere).
pub fn peak_memory() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

/// The bar currently drawn, so that log lines can be printed above it.
static BAR: Mutex<Option<ProgressBar>> = Mutex::new(None);

/// A progress display redrawn every 100 ms until [`Display::finish`].
#[derive(Debug)]
pub struct Display {
    bar: ProgressBar,
    ticker: tokio::task::JoinHandle<()>,
}

impl Display {
    /// Starts drawing the fetch's counters on stderr.
    pub fn start(progress: Arc<Progress>) -> Self {
        Self::custom(
            "{spinner} charts {pos}/{len} {wide_msg} {elapsed}",
            move |bar| {
                bar.set_length(progress.charts_total.load(Ordering::Relaxed) as u64);
                bar.set_position(progress.charts_done.load(Ordering::Relaxed) as u64);
                bar.set_message(counters_line(&progress));
            },
        )
    }

    /// Starts drawing a bar of `template` (indicatif's) on stderr, which `update` refreshes
    /// from another command's counters before each redraw; log lines print above it too.
    pub fn custom(template: &str, update: impl Fn(&ProgressBar) + Send + 'static) -> Self {
        let bar = ProgressBar::new(0);
        bar.set_style(ProgressStyle::with_template(template).expect("a valid template"));
        *BAR.lock().expect("not poisoned") = Some(bar.clone());
        let drawn = bar.clone();
        let ticker = tokio::spawn(async move {
            loop {
                update(&drawn);
                drawn.tick();
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        });
        Display { bar, ticker }
    }

    /// Clears the bar.
    pub fn finish(self) {
        self.ticker.abort();
        self.bar.finish_and_clear();
        *BAR.lock().expect("not poisoned") = None;
    }
}

fn counters_line(p: &Progress) -> String {
    let pages = p.pages.load(Ordering::Relaxed);
    let requests = p.requests.load(Ordering::Relaxed);
    format!(
        "· pages {pages} · requests {requests} · retries {}",
        requests.saturating_sub(p.answered.load(Ordering::Relaxed))
    )
}

/// The closing line of a run at a terminal.
pub fn summary(end: &RunEnd, progress: &Progress, seconds: f64) -> String {
    let requests = progress.requests.load(Ordering::Relaxed);
    let retries = requests.saturating_sub(progress.answered.load(Ordering::Relaxed));
    let stored = match (end.stored, end.charts_done) {
        (true, _) => "stored",
        (false, 0) => "nothing stored",
        (false, _) => "not stored",
    };
    format!(
        "trendtap: {}: {}/{} charts {stored}, {} pages, {requests} requests ({retries} retries) in {seconds:.1} s",
        end.status(),
        end.charts_done,
        end.charts_done + end.charts_failed,
        progress.pages.load(Ordering::Relaxed),
    )
}

/// A log writer that prints above the progress bar when one is drawn.
#[derive(Debug, Clone, Copy, Default)]
pub struct StderrAboveBar;

impl Write for StderrAboveBar {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let bar = BAR.lock().expect("not poisoned").clone();
        match bar {
            Some(bar) => bar
                .suspend(|| std::io::stderr().write_all(buf))
                .map(|()| buf.len()),
            None => std::io::stderr().write_all(buf).map(|()| buf.len()),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        std::io::stderr().flush()
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for StderrAboveBar {
    type Writer = StderrAboveBar;

    fn make_writer(&'a self) -> Self::Writer {
        *self
    }
}

/// Rows exported so far, and on a terminal a progress line: the file being written, the rows
/// and their rate (`trendtap export`).
#[derive(Debug)]
pub struct RowsBar {
    /// Rows so far.
    pub rows: u64,
    bar: Option<ProgressBar>,
}

impl RowsBar {
    /// Starts counting; draws on stderr when `interactive`.
    pub fn start(interactive: bool) -> Self {
        let bar = interactive.then(|| {
            let bar = ProgressBar::new_spinner();
            bar.set_style(
                ProgressStyle::with_template(
                    "{spinner} {msg} · {human_pos} rows ({per_sec}) {elapsed}",
                )
                .expect("a valid template"),
            );
            bar.enable_steady_tick(Duration::from_millis(100));
            bar
        });
        RowsBar { rows: 0, bar }
    }

    /// The file now being written.
    pub fn file(&self, path: &std::path::Path) {
        if let Some(bar) = &self.bar {
            bar.set_message(path.display().to_string());
        }
    }

    /// One more row.
    pub fn row(&mut self) {
        self.add(1);
    }

    /// `n` more rows (a chunk of them); the line moves every 4,096.
    pub fn add(&mut self, n: u64) {
        let before = self.rows / 4096;
        self.rows += n;
        if self.rows / 4096 != before {
            if let Some(bar) = &self.bar {
                bar.set_position(self.rows);
            }
        }
    }

    /// Clears the line.
    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(target_os = "linux")]
    #[test]
    fn peak_memory_counts_what_is_touched() {
        let before = peak_memory().expect("VmHWM on Linux");
        let block = vec![1u8; 64 * 1024 * 1024];
        std::hint::black_box(&block);
        // The high-water mark holds at least the 64 MiB resident now, and never falls.
        let after = peak_memory().unwrap();
        assert!(
            after >= 64 * 1024 * 1024 && after >= before,
            "{before} -> {after}"
        );
    }

    #[test]
    fn summary_counts_retries_as_requests_beyond_answers() {
        let p = Progress::default();
        p.pages.store(9, Ordering::Relaxed);
        p.requests.store(12, Ordering::Relaxed);
        p.answered.store(10, Ordering::Relaxed);
        let end = RunEnd {
            charts_done: 3,
            charts_failed: 1,
            halt: None,
            stored: true,
        };
        assert_eq!(
            summary(&end, &p, 2.31),
            "trendtap: partial: 3/4 charts stored, 9 pages, 12 requests (2 retries) in 2.3 s"
        );
    }
}
