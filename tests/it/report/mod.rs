//! `trendtap report` end to end on both stores, over a small history whose answers are known
//! ([`history`]): every report's numbers (`kinds`), the three formats and the HTML page
//! (`formats`), and the filters.

mod formats;
mod history;
mod kinds;
mod summaries;

use serde_json::Value;

use crate::support::{CliStore, Kind, Output};

/// A fresh store of `kind` holding the history.
pub async fn with_history(kind: Kind) -> CliStore {
    let db = CliStore::new(kind).await;
    history::store_history(&db.open().await).await;
    db
}

/// `trendtap report ARGS` against `db`, which must succeed.
pub async fn report(db: &CliStore, args: &[&str]) -> Output {
    let mut all = vec!["report"];
    all.extend_from_slice(args);
    let out = db.run(&all, &[]).await;
    assert_eq!(out.code, 0, "{all:?}: {}", out.stderr);
    out
}

/// `trendtap report ARGS --format json`, parsed.
pub async fn json(db: &CliStore, args: &[&str]) -> Value {
    let mut all = args.to_vec();
    all.extend(["--format", "json"]);
    let out = report(db, &all).await;
    serde_json::from_str(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", out.stdout))
}

/// The values of `columns` in each row of `table`, as compact JSON text joined by spaces (one
/// string per row), for comparing whole tables at a glance.
pub fn rows(table: &Value, columns: &[&str]) -> Vec<String> {
    table
        .as_array()
        .unwrap_or_else(|| panic!("not a table: {table}"))
        .iter()
        .map(|row| {
            columns
                .iter()
                .map(|c| match &row[*c] {
                    Value::String(s) => s.clone(),
                    v => v.to_string(),
                })
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect()
}
