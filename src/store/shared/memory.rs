//! What the store remembers of each chart, for the fetch's estimate: read from the `charts`
//! column of the newest runs (newest first), the same for both backends. A chart's pages come
//! from its newest complete fetch; its "no chart" time counts only when that was its newest
//! answer (skipped charts are no answer).

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde::Deserialize;

use crate::budget::ChartMemory;
use crate::model::ChartKey;
use crate::regions;

/// The runs to read: started since `$1`, newest first, with `charts` as JSON text.
pub(crate) const RECENT_RUNS_SQL_PG: &str = "SELECT started_at, charts::text AS charts FROM runs
     WHERE started_at >= $1 AND status <> 'running' ORDER BY started_at DESC, run_id DESC";
/// SQLite's twin of [`RECENT_RUNS_SQL_PG`] (timestamps as text compare as times).
pub(crate) const RECENT_RUNS_SQL_SQLITE: &str = "SELECT started_at, charts FROM runs
     WHERE started_at >= ?1 AND status <> 'running' ORDER BY started_at DESC, run_id DESC";

#[derive(Deserialize)]
struct SavedChart {
    region: String,
    category_id: String,
    status: String,
    #[serde(default)]
    pages: u32,
}

/// Folds runs, newest first, into each chart's memory.
pub(crate) fn fold<'a>(
    runs: impl Iterator<Item = (DateTime<Utc>, &'a str)>,
) -> HashMap<ChartKey, ChartMemory> {
    let mut memory: HashMap<ChartKey, (ChartMemory, bool)> = HashMap::new();
    for (started_at, charts) in runs {
        let Ok(charts) = serde_json::from_str::<Vec<SavedChart>>(charts) else {
            continue;
        };
        for c in charts {
            let Some(region) = regions::canonical(&c.region) else {
                continue;
            };
            let key = ChartKey {
                region,
                category_id: c.category_id,
            };
            // `.1`: the chart's newest answer (ok or no chart) has been seen.
            let (seen, answered) = memory.entry(key).or_default();
            match c.status.as_str() {
                "ok" if seen.last_pages.is_none() => {
                    seen.last_pages = Some(c.pages);
                    *answered = true;
                }
                "no_chart" if !*answered => {
                    seen.no_chart_at = Some(started_at);
                    *answered = true;
                }
                _ => {}
            }
        }
    }
    memory.into_iter().map(|(k, (m, _))| (k, m)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_newest_answer_decides_and_pages_come_from_the_newest_complete_fetch() {
        let t = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().to_utc();
        let newest = r#"[{"region":"US","category_id":"27","status":"skipped_no_chart","pages":0},
                         {"region":"US","category_id":"0","status":"failed","pages":1},
                         {"region":"JP","category_id":"10","status":"ok","pages":2}]"#;
        let older = r#"[{"region":"US","category_id":"27","status":"no_chart","pages":0},
                        {"region":"US","category_id":"0","status":"ok","pages":4},
                        {"region":"JP","category_id":"10","status":"no_chart","pages":0}]"#;
        let memory = fold(
            [
                (t("2026-12-07T00:00:00Z"), newest),
                (t("2026-12-06T00:00:00Z"), older),
            ]
            .into_iter(),
        );
        let get = |r: &'static str, c: &str| {
            memory[&ChartKey {
                region: r,
                category_id: c.into(),
            }]
        };
        assert_eq!(get("US", "27").no_chart_at, Some(t("2026-12-06T00:00:00Z")));
        assert_eq!(get("US", "0").last_pages, Some(4));
        // JP/10 had a chart in the newest run: its older "no chart" does not count.
        assert_eq!(get("JP", "10").last_pages, Some(2));
        assert_eq!(get("JP", "10").no_chart_at, None);
    }
}
