//! The run lock and the migrations.

use std::time::Duration;

use chrono::{DateTime, Utc};
use trendtap::store::{LockState, Store};

use super::open_locked;
use crate::both;
use crate::support::{Kind, TestStore};

both!(
    the_lock_admits_one_run_and_names_the_holder,
    migrations_apply_once,
);

async fn the_lock_admits_one_run_and_names_the_holder(kind: Kind) {
    let db = TestStore::new(kind).await;
    let first = open_locked(&db).await;
    let started: DateTime<Utc> = "2026-11-22T06:00:00Z".parse().unwrap();
    let run_id = first
        .begin_run(started, &["US"], &["0".into()])
        .await
        .unwrap();

    let mut second = db.open().await;
    let state = second.lock(None).await.unwrap();
    assert_eq!(
        state,
        LockState::Busy {
            run_id: Some(run_id),
            started_at: Some(started)
        }
    );
    // Waiting works once the holder goes away.
    let waiter =
        tokio::spawn(async move { second.lock(Some(Duration::from_secs(20))).await.unwrap() });
    tokio::time::sleep(Duration::from_millis(300)).await;
    drop(first);
    assert_eq!(waiter.await.unwrap(), LockState::Acquired);
    // The dead holder's run is no longer shown as running.
    let status = db
        .text(&format!("SELECT status FROM runs WHERE run_id = {run_id}"))
        .await;
    assert_eq!(status.as_deref(), Some("abandoned"));
}

async fn migrations_apply_once(kind: Kind) {
    let db = TestStore::new(kind).await;
    let mut store = Store::open(&trendtap::secret::DatabaseUrl::new(db.url.clone()))
        .await
        .unwrap();
    assert!(store.pending_migrations().await >= 1);
    assert!(store.migrate().await.unwrap() >= 1);
    assert_eq!(store.migrate().await.unwrap(), 0);
    assert_eq!(store.pending_migrations().await, 0);
}
