//! A fetch's outcomes: their order, their counts, the run's end they add up to.

use std::sync::atomic::Ordering;

use crate::error::{Halt, RunEnd};
use crate::fetch::Fetch;
use crate::model::{ChartOutcome, ChartStatus};
use crate::progress::Progress;

/// Outcomes in plan order: by the regions' order, then category (numerically).
pub(super) fn sort_outcomes(outcomes: &mut [ChartOutcome], regions: &[&'static str]) {
    let position = |r: &str| regions.iter().position(|x| *x == r).unwrap_or(usize::MAX);
    outcomes.sort_by_key(|o| {
        let category: u32 = o.category_id.parse().unwrap_or(u32::MAX);
        (position(o.region), category)
    });
}

/// Charts per status, as the metrics name them.
pub(super) fn chart_counts(outcomes: &[ChartOutcome]) -> [(&'static str, u64); 4] {
    let count =
        |f: &dyn Fn(ChartStatus) -> bool| outcomes.iter().filter(|o| f(o.status)).count() as u64;
    [
        ("ok", count(&|s| s == ChartStatus::Ok)),
        ("no_chart", count(&|s| s == ChartStatus::NoChart)),
        (
            "failed",
            count(&|s| matches!(s, ChartStatus::Failed | ChartStatus::Incomplete)),
        ),
        (
            "skipped",
            count(&|s| matches!(s, ChartStatus::SkippedNoChart | ChartStatus::SkippedBudget)),
        ),
    ]
}

/// A replay's counters: every chart done at once.
pub(super) fn count_replayed(fetch: &Fetch, progress: &Progress) {
    let charts = fetch.outcomes.len();
    progress.charts_total.store(charts, Ordering::Relaxed);
    progress.charts_done.store(charts, Ordering::Relaxed);
    let pages: u32 = fetch.outcomes.iter().map(|o| o.pages).sum();
    progress.pages.store(u64::from(pages), Ordering::Relaxed);
}

/// The run's end from its charts' outcomes; each chart not stored is logged with its error.
pub(super) fn run_end(outcomes: &[ChartOutcome], halt: Option<Halt>) -> RunEnd {
    let done = outcomes.iter().filter(|o| o.is_done()).count();
    for o in outcomes.iter().filter(|o| !o.is_done()) {
        tracing::error!(chart = %format_args!("{}/{}", o.region, o.category_id), status = ?o.status,
            "chart not stored: {}", o.error.as_deref().unwrap_or(""));
    }
    RunEnd {
        charts_done: done,
        charts_failed: outcomes.len() - done,
        halt,
        stored: false,
    }
}

/// The regions and categories of a set of charts, in first-seen order.
pub(super) fn charts_of(outcomes: &[ChartOutcome]) -> (Vec<&'static str>, Vec<String>) {
    let mut regions: Vec<&'static str> = Vec::new();
    let mut categories: Vec<String> = Vec::new();
    for o in outcomes {
        if !regions.contains(&o.region) {
            regions.push(o.region);
        }
        if !categories.contains(&o.category_id) {
            categories.push(o.category_id.clone());
        }
    }
    (regions, categories)
}
