//! A run's writes: charts written as they arrive, and a failure anywhere rolling the whole run
//! back.

use chrono::{DateTime, Utc};
use trendtap::dedup;

use super::{bump_views, chart, ok_summary, open_locked, outcomes, save};
use crate::both;
use crate::support::fake::trending_items;
use crate::support::{save_run, Kind, TestStore};

both!(
    charts_written_as_they_arrive_store_what_one_write_stores,
    a_chart_that_cannot_be_written_fails_the_whole_run_at_its_end,
    a_failing_statement_rolls_the_whole_run_back,
);

/// A run whose charts are written as they arrive (each chart's entries go into the run's
/// transaction while the others are still fetching) stores exactly what the same run written at
/// once stores; a chart handed over twice is written once.
async fn charts_written_as_they_arrive_store_what_one_write_stores(kind: Kind) {
    let t: DateTime<Utc> = "2026-11-22T06:00:00Z".parse().unwrap();
    let charts = [
        chart("CA", &trending_items("CA"), t),
        chart("GB", &trending_items("GB"), t),
        chart("US", &trending_items("US"), t),
    ];
    let merged = dedup::merge(&charts);
    let outcomes = outcomes(&charts);
    let summary = ok_summary(&outcomes);

    let streamed = TestStore::new(kind).await;
    let store = open_locked(&streamed).await;
    let run_id = store
        .begin_run(t, &["CA", "GB", "US"], &["0".into()])
        .await
        .unwrap();
    let mut writer = store.begin_writes(run_id, t);
    // Every chart is sent as soon as it is added, in arrival order (not the plan's).
    writer.stream_every(1);
    for chart in [&charts[2], &charts[0], &charts[2]] {
        writer.add_chart(chart).await;
    }
    if kind == Kind::Postgres {
        // The entries are in the run's (uncommitted) transaction before the run ends.
        let writing = streamed
            .int(
                "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
                 JOIN pg_database d ON d.oid = l.database AND d.datname = current_database()
                 WHERE c.relname = 'chart_entries' AND l.mode = 'RowExclusiveLock'",
            )
            .await;
        assert_eq!(writing, Some(1), "chart_entries written while fetching");
        assert_eq!(
            streamed.count("chart_entries").await,
            0,
            "and not visible yet"
        );
    }
    writer.finish(&charts, &merged, &summary).await.unwrap();

    let at_once = TestStore::new(kind).await;
    save(&open_locked(&at_once).await, t, &charts).await;

    for (table, order) in [
        ("chart_entries", "region, rank"),
        ("videos", "video_id"),
        ("video_regions", "video_id, region"),
    ] {
        let (a, b) = (
            streamed.dump(table, &[], order).await,
            at_once.dump(table, &[], order).await,
        );
        assert!(!a.is_empty());
        assert_eq!(a, b, "{table}");
    }
    let counts = "SELECT entries_count * 100000 + videos_count FROM runs";
    assert_eq!(streamed.int(counts).await, at_once.int(counts).await);
    assert_eq!(
        streamed.int("SELECT entries_count FROM runs").await,
        Some(600)
    );
}

/// Makes every insert into `table` fail, as a full disk would.
async fn fail_inserts_into(db: &TestStore, kind: Kind, table: &str) {
    db.execute(&match kind {
        Kind::Postgres => format!(
            "CREATE FUNCTION fail_insert() RETURNS trigger LANGUAGE plpgsql AS
               $$ BEGIN RAISE EXCEPTION 'disk full (simulated)'; END $$;
             CREATE TRIGGER fail_insert BEFORE INSERT ON {table}
               FOR EACH STATEMENT EXECUTE FUNCTION fail_insert();"
        ),
        Kind::Sqlite => format!(
            "CREATE TRIGGER fail_insert BEFORE INSERT ON {table}
               BEGIN SELECT RAISE(ABORT, 'disk full (simulated)'); END;"
        ),
    })
    .await;
}

/// A write that fails while the run is still fetching is kept: nothing more is written, the
/// run's end reports it, and nothing of the run is stored.
async fn a_chart_that_cannot_be_written_fails_the_whole_run_at_its_end(kind: Kind) {
    let db = TestStore::new(kind).await;
    let store = open_locked(&db).await;
    fail_inserts_into(&db, kind, "chart_entries").await;
    let t = Utc::now();
    let charts = [
        chart("CA", &trending_items("CA"), t),
        chart("GB", &trending_items("GB"), t),
    ];
    let run_id = store
        .begin_run(t, &["CA", "GB"], &["0".into()])
        .await
        .unwrap();
    let mut writer = store.begin_writes(run_id, t);
    writer.stream_every(1);
    for chart in &charts {
        writer.add_chart(chart).await;
    }
    let outcomes = outcomes(&charts);
    let summary = ok_summary(&outcomes);
    let err = writer
        .finish(&charts, &dedup::merge(&charts), &summary)
        .await
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("chart_entries") && err.contains("disk full"),
        "{err}"
    );
    for table in ["chart_entries", "videos", "video_regions"] {
        assert_eq!(db.count(table).await, 0, "{table}");
    }
}

async fn a_failing_statement_rolls_the_whole_run_back(kind: Kind) {
    let db = TestStore::new(kind).await;
    let store = open_locked(&db).await;
    let now: DateTime<Utc> = "2026-11-22T06:00:00Z".parse().unwrap();
    let ca = trending_items("CA");
    save(&store, now, &[chart("CA", &ca, now)]).await;
    let videos_before = db.count("videos").await;

    // video_regions is written after the run's chart_entries and videos, so the failure has
    // writes to undo.
    fail_inserts_into(&db, kind, "video_regions").await;
    let later = now + chrono::Duration::hours(1);
    let charts = [
        chart("CA", &bump_views(&ca), later),
        chart("GB", &trending_items("GB"), later),
    ];
    let run_id = store
        .begin_run(later, &["CA", "GB"], &["0".into()])
        .await
        .unwrap();
    let outcomes = outcomes(&charts);
    let summary = ok_summary(&outcomes);
    let err = save_run(
        &store,
        run_id,
        later,
        &charts,
        &dedup::merge(&charts),
        &summary,
    )
    .await
    .unwrap_err()
    .to_string();
    assert!(
        err.contains("video_regions") && err.contains("disk full"),
        "{err}"
    );

    // The videos upsert (and, with PostgreSQL, the chart_entries copy) ran before the failure
    // and was rolled back with it.
    assert_eq!(db.count("videos").await, videos_before);
    let newer = format!(
        "SELECT count(*) FROM videos WHERE {} > '2026-11-22T06:00:00.000000Z'",
        db.ts("last_seen_at")
    );
    assert_eq!(db.int(&newer).await, Some(0));
    assert_eq!(db.count("chart_entries").await, ca.len() as i64);

    store
        .record_unsaved_run(run_id, &summary, Some(&err))
        .await
        .unwrap();
    let run = |column: &str| format!("SELECT {column} FROM runs WHERE run_id = {run_id}");
    assert_eq!(db.text(&run("status")).await.as_deref(), Some("failed"));
    assert!(db.text(&run("error")).await.unwrap().contains("disk full"));
}
