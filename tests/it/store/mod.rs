//! Every SQL statement against both backends (the real PostgreSQL and a SQLite file): the four
//! tables, idempotent re-runs, NULL counts, arrays, replays, rollback on failure, the run lock.
//! One module per concern; the helpers that build charts and store runs are here.

mod lock;
mod tables;
mod writes;

use chrono::{DateTime, Utc};
use serde_json::Value;
use trendtap::dedup;
use trendtap::model::{Chart, ChartKey, ChartOutcome, ChartStatus};
use trendtap::normalize;
use trendtap::store::{LockState, RunSummary, Store};

use crate::support::{save_run, TestStore};

/// A chart of category 0 in `region`: `items` (API JSON), ranked in order.
pub fn chart(region: &'static str, items: &[Value], fetched_at: DateTime<Utc>) -> Chart {
    Chart {
        key: ChartKey {
            region,
            category_id: "0".into(),
        },
        fetched_at,
        entries: items
            .iter()
            .enumerate()
            .map(|(i, item)| {
                (
                    i as u32 + 1,
                    normalize::video(serde_json::from_value(item.clone()).unwrap(), region)
                        .unwrap(),
                )
            })
            .collect(),
    }
}

/// Every chart's outcome: ok, one page, one request.
pub fn outcomes(charts: &[Chart]) -> Vec<ChartOutcome> {
    charts
        .iter()
        .map(|c| ChartOutcome {
            region: c.key.region,
            category_id: c.key.category_id.clone(),
            status: ChartStatus::Ok,
            pages: 1,
            videos: c.entries.len() as u32,
            skipped_items: 0,
            requests: 1,
            error: None,
        })
        .collect()
}

/// The summary of a run whose charts all succeeded, one request each.
pub fn ok_summary(outcomes: &[ChartOutcome]) -> RunSummary<'_> {
    RunSummary {
        status: "ok",
        halt_reason: None,
        charts: outcomes,
        api_requests: outcomes.len() as u64,
    }
}

/// The database opened, migrated and locked, as a run holds it.
pub async fn open_locked(db: &TestStore) -> Store {
    let mut store = db.open().await;
    assert_eq!(store.lock(None).await.unwrap(), LockState::Acquired);
    store
}

/// Stores `charts` as one run and returns its id.
pub async fn save(store: &Store, at: DateTime<Utc>, charts: &[Chart]) -> i64 {
    let run_id = store
        .begin_run(at, &["CA", "GB"], &["0".into()])
        .await
        .unwrap();
    let outcomes = outcomes(charts);
    let summary = ok_summary(&outcomes);
    save_run(store, run_id, at, charts, &dedup::merge(charts), &summary)
        .await
        .unwrap();
    run_id
}

/// `items` with 1000 more views each.
pub fn bump_views(items: &[Value]) -> Vec<Value> {
    items
        .iter()
        .map(|item| {
            let mut item = item.clone();
            let views: i64 = item["statistics"]["viewCount"]
                .as_str()
                .unwrap()
                .parse()
                .unwrap();
            item["statistics"]["viewCount"] = Value::String((views + 1000).to_string());
            item
        })
        .collect()
}

/// An item's view count.
pub fn views(item: &Value) -> i64 {
    item["statistics"]["viewCount"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap()
}
