//! The fetch: every chart of a plan from the API, one tokio task per chart under one semaphore.
//! **This is the only concurrent code in the program.** It knows nothing of storage: each page
//! goes, as received, to the [`PageSink`] it is handed (the raw archive), and each complete chart
//! to the [`ChartSink`] (the fetch command's: the store's writer), one chart at a time, while the
//! other charts keep fetching. A replayed archive ([`replay`]) produces the same [`Fetch`]. The
//! refresh's requests by id ([`by_id`]) run here too, under the same rules.

pub mod by_id;
mod chart;
pub mod replay;

use std::collections::HashMap;
use std::future::Future;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use crate::model::{Chart, ChartKey, ChartOutcome, ChartStatus};
use crate::progress::{record, Progress};
use crate::shutdown::RunControl;
use crate::youtube::Client;

pub use chart::CHART_CAP;
pub(crate) use chart::{collect_page, new_outcome, Collected};

/// Everything a finished fetch knows.
#[derive(Debug, Default)]
pub struct Fetch {
    /// The complete charts.
    pub charts: Vec<Chart>,
    /// Every chart's outcome, in plan order.
    pub outcomes: Vec<ChartOutcome>,
}

/// How much to fetch and how fast.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Pages per chart (1 to 4).
    pub max_pages: u32,
    /// Most requests in flight.
    pub concurrency: usize,
}

/// Where complete charts go, one at a time, in the order they complete.
pub trait ChartSink {
    /// Takes a complete chart; `last` is true for the run's last chart. A sink that fails keeps
    /// its error for the end; stopping the run is not its business here (the fetch command
    /// watches the store and stops the run through [`RunControl`] when it fails).
    fn chart(&mut self, chart: &Chart, last: bool) -> impl Future<Output = ()>;
}

/// A sink that drops every chart (the caller keeps them all in [`Fetch::charts`]).
impl ChartSink for () {
    async fn chart(&mut self, _chart: &Chart, _last: bool) {}
}

/// Where pages go as received (the raw archive), from the chart tasks. A page the sink cannot
/// take is the sink's to report (and to leave out of what it records): the chart goes on, and
/// its data still reaches the chart sink.
pub trait PageSink: Send + Sync {
    /// Takes page `page` (1-based) of chart `key`, as the API sent it.
    fn page(&self, key: &ChartKey, page: u32, body: &[u8]) -> std::io::Result<()>;
}

/// Every (region, category) pair, region-major.
pub fn plan(regions: &[&'static str], categories: &[String]) -> Vec<ChartKey> {
    regions
        .iter()
        .flat_map(|region| {
            categories.iter().map(move |category| ChartKey {
                region,
                category_id: category.clone(),
            })
        })
        .collect()
}

/// Fetches every chart of `plan`: one task per chart, at most `limits.concurrency` requests in
/// flight, up to `limits.max_pages` pages per chart. Each page goes to `pages` (when given) as
/// it arrives, each complete chart to `sink` as soon as it is collected.
///
/// The semaphore is taken around each page's request, its retries included (not around a
/// chart): a throttled API sees no more requests while a backoff is waited out, and saving and
/// normalizing a page hold no slot. A chart task that panics fails its chart with the panic's
/// message; the other charts go on. When the first [`EARLY_CHARTS`] charts to finish all failed
/// with the same error, the run stops ([`Halt::Repeated`]): every other chart would likely
/// spend its unit to fail the same way.
pub async fn fetch_all(
    client: &Arc<Client>,
    plan: Vec<ChartKey>,
    limits: Limits,
    ctl: &Arc<RunControl>,
    pages: Option<Arc<dyn PageSink>>,
    sink: &mut impl ChartSink,
    progress: &Arc<Progress>,
) -> Fetch {
    let fetching = Instant::now();
    let slots = Arc::new(Semaphore::new(limits.concurrency));
    progress.charts_total.store(plan.len(), Ordering::Relaxed);
    let early = Arc::new(Mutex::new(EarlyFailures::default()));
    let mut tasks = JoinSet::new();
    let mut keys = HashMap::with_capacity(plan.len());
    for (index, key) in plan.into_iter().enumerate() {
        let (client, slots, ctl, progress, early) = (
            client.clone(),
            slots.clone(),
            ctl.clone(),
            progress.clone(),
            early.clone(),
        );
        let task_key = key.clone();
        let pages = pages.clone();
        let handle = tasks.spawn(async move {
            let shared = chart::Shared {
                client: &client,
                slots: &slots,
                ctl: &ctl,
                pages: pages.as_deref(),
                progress: &progress,
                early: &early,
            };
            let fetched = chart::fetch_chart(shared, task_key, limits.max_pages).await;
            progress.charts_done.fetch_add(1, Ordering::Relaxed);
            fetched
        });
        keys.insert(handle.id(), (index, key));
    }
    let mut results = Vec::with_capacity(tasks.len());
    while let Some(joined) = tasks.join_next_with_id().await {
        let (id, finished) = match joined {
            Ok(done) => done,
            Err(err) => (err.id(), panicked(&keys[&err.id()].1, err, progress)),
        };
        let last = tasks.is_empty();
        if last {
            record(&progress.timings.fetch_us, fetching);
        }
        if let Some(chart) = &finished.chart {
            sink.chart(chart, last).await;
        }
        results.push((keys[&id].0, (finished.chart, finished.outcome)));
    }
    results.sort_by_key(|(index, _)| *index);
    let mut fetch = Fetch::default();
    for (_, (chart, outcome)) in results {
        fetch.charts.extend(chart);
        fetch.outcomes.push(outcome);
    }
    fetch
}

/// How many of the first charts to finish, all failing alike, stop the run.
pub const EARLY_CHARTS: usize = 3;

/// Watches the first [`EARLY_CHARTS`] charts to finish.
#[derive(Debug, Default)]
pub(crate) struct EarlyFailures {
    finished: usize,
    /// The first one's failure: its signature and its error.
    first: Option<(String, String)>,
    /// One of them did not fail like the first.
    unlike: bool,
}

impl EarlyFailures {
    /// Counts a finished chart (`cause`: the signature of its failure, `None` for a chart that
    /// did not fail or might not fail again; `error`: its error); returns why the run must stop
    /// when it is the last of the first [`EARLY_CHARTS`] and all of them failed alike.
    fn finished(&mut self, cause: Option<String>, error: Option<&str>) -> Option<String> {
        self.finished += 1;
        if self.finished > EARLY_CHARTS || self.unlike {
            return None;
        }
        match (cause, &self.first) {
            (Some(cause), None) => {
                self.first = Some((cause, error.unwrap_or_default().to_owned()));
            }
            (Some(cause), Some((first, _))) if cause == *first => {}
            _ => {
                self.unlike = true;
                return None;
            }
        }
        let (_, error) = self.first.as_ref()?;
        (self.finished == EARLY_CHARTS).then(|| {
            format!("the first {EARLY_CHARTS} charts to finish all failed with the same error, so the others would likely fail too ({error})")
        })
    }
}

/// The outcome of a chart whose task panicked (or was cancelled).
fn panicked(key: &ChartKey, err: tokio::task::JoinError, progress: &Progress) -> chart::Finished {
    progress.charts_done.fetch_add(1, Ordering::Relaxed);
    let why = match err.try_into_panic() {
        Ok(payload) => payload
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "a panic without a message".to_owned()),
        Err(err) => err.to_string(),
    };
    tracing::error!(chart = %key, "the chart's task panicked: {why}");
    let mut outcome = new_outcome(key);
    outcome.status = ChartStatus::Failed;
    outcome.error = Some(format!(
        "{key}: internal error (the chart's task panicked: {why})"
    ));
    chart::Finished {
        chart: None,
        outcome,
    }
}
