//! The summaries migration 20261207000008 added (`region_pairs`, the totals' `hours_to_trend`
//! and `later_regions`), on both stores: kept right across incremental runs, including a run
//! that puts a video on a region's charts for the first time; equal to a rebuild from nothing;
//! and what the migration's backfill makes of an upgraded store.

use super::history::{self, A, B, C, D, E};
use super::json;
use crate::both;
use crate::support::{CliStore, Kind};

both!(
    region_pairs_follow_the_runs_incrementally_as_a_rebuild_counts_them,
    the_migration_backfills_what_the_refresh_computes,
    time_to_trend_in_a_period_from_first_entries_as_from_the_days,
);

/// `region_pairs` as `region other_region shared` lines.
async fn pairs(db: &CliStore) -> Vec<String> {
    db.texts(
        "SELECT region || ' ' || other_region || ' ' || CAST(shared AS TEXT) FROM region_pairs
         ORDER BY region, other_region",
    )
    .await
}

/// Every summary's rows, for comparing two states of the same store.
async fn summaries(db: &CliStore) -> Vec<Vec<String>> {
    vec![
        db.dump("chart_days", &[], "region, video_id, day, category_id")
            .await,
        db.dump("region_videos", &[], "region, video_id").await,
        db.dump("video_totals", &[], "video_id").await,
        db.dump("region_pairs", &[], "region, other_region").await,
    ]
}

/// Empties the summaries: the next report summarizes the whole history from nothing.
const FROM_NOTHING: &str = "DELETE FROM chart_days; DELETE FROM region_videos;
    DELETE FROM video_totals; DELETE FROM region_pairs; UPDATE summaries SET through_run_id = 0";

async fn region_pairs_follow_the_runs_incrementally_as_a_rebuild_counts_them(kind: Kind) {
    let db = CliStore::new(kind).await;
    let store = db.open().await;
    history::store_runs(&store, 0..3).await;
    json(&db, &["overlap"]).await;
    // US {A B C}, GB {A D}, JP {B E}; a region with itself: its videos.
    assert_eq!(
        pairs(&db).await,
        ["GB GB 2", "GB US 1", "JP JP 2", "JP US 1", "US GB 1", "US JP 1", "US US 3"]
    );
    // Run 4 puts E on GB's chart (E was JP's only): GB and JP share it from then on.
    history::store_runs(&store, 3..4).await;
    json(&db, &["days-on-trending"]).await;
    let after = [
        "GB GB 3", "GB JP 1", "GB US 1", "JP GB 1", "JP JP 2", "JP US 1", "US GB 1", "US JP 1",
        "US US 3",
    ];
    assert_eq!(pairs(&db).await, after);
    // Run 5 brings nothing new to any region: the pairs stay.
    history::store_runs(&store, 4..5).await;
    let overlap = json(&db, &["overlap"]).await;
    assert_eq!(pairs(&db).await, after);
    // E: first on JP's charts (Nov 1, 18:00), later on GB's; A, B, C, D: one hour each.
    let later = db
        .texts("SELECT video_id || ' ' || CAST(later_regions AS TEXT) FROM video_totals ORDER BY 1")
        .await;
    assert_eq!(
        later,
        [A, B, C, D, E].map(|v| format!("{v} {}", u8::from(v == E)))
    );
    let incremental = summaries(&db).await;
    db.execute(FROM_NOTHING).await;
    assert_eq!(json(&db, &["overlap"]).await, overlap);
    assert_eq!(summaries(&db).await, incremental);
}

/// The backfill statements of migration 8 (its UPDATEs and INSERTs) for `kind`.
fn backfill(kind: Kind) -> Vec<String> {
    let migration = match kind {
        Kind::Postgres => {
            include_str!("../../../migrations/postgres/20261207000008_report_speed.sql")
        }
        Kind::Sqlite => include_str!("../../../migrations/sqlite/20261207000008_report_speed.sql"),
    };
    let code: String = migration
        .lines()
        .filter(|l| !l.trim_start().starts_with("--"))
        .collect::<Vec<_>>()
        .join("\n");
    code.split(';')
        .map(str::trim)
        .filter(|s| s.starts_with("UPDATE") || s.starts_with("INSERT"))
        .map(str::to_owned)
        .collect()
}

/// A store upgraded with its summaries already made (by migration 6's rules): the migration
/// completes them as the refresh would have.
async fn the_migration_backfills_what_the_refresh_computes(kind: Kind) {
    let db = super::with_history(kind).await;
    json(&db, &["overlap"]).await;
    let refreshed = summaries(&db).await;
    // What the upgraded store holds before the backfill: none of migration 8's additions.
    db.execute(
        "UPDATE region_videos SET hours_to_trend = NULL;
         UPDATE video_totals SET hours_to_trend = NULL, later_regions = 0;
         DELETE FROM region_pairs",
    )
    .await;
    let statements = backfill(kind);
    assert_eq!(statements.len(), 4, "{statements:?}");
    for sql in statements {
        db.execute(&sql).await;
    }
    assert_eq!(summaries(&db).await, refreshed);
}

/// With a period alone, time to trend reads the totals' first entries; with every chart
/// category chosen (the same charts) it reads `chart_days`: the answers are the same, at the
/// edges of days too (run 3 at 23:59:59, run 4 at midnight).
async fn time_to_trend_in_a_period_from_first_entries_as_from_the_days(kind: Kind) {
    let db = super::with_history(kind).await;
    let periods: [&[&str]; 6] = [
        &["--since", "2026-11-02"],
        &["--since", "2026-11-03"],
        &["--until", "2026-11-01"],
        &["--until", "2026-11-02"],
        &["--since", "2026-11-02", "--until", "2026-11-02"],
        &["--since", "2026-11-05", "--until", "2026-11-30"],
    ];
    for period in periods {
        let mut args = vec!["time-to-trend"];
        args.extend_from_slice(period);
        let mut firsts = json(&db, &args).await;
        args.extend(["--category", "0,10"]);
        let mut days = json(&db, &args).await;
        firsts["filters"] = serde_json::Value::Null;
        days["filters"] = serde_json::Value::Null;
        assert_eq!(firsts, days, "{args:?}");
    }
}
