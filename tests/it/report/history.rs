//! A small history with known answers, stored on either backend: five videos, three regions,
//! five runs over four UTC days (one ending a second before midnight, one at midnight), a
//! second chart category, a video without `published_at`, videos entering and leaving the
//! charts, and a replayed run whose charts were fetched weeks before the run started.
//!
//! ```text
//! video  title       channel  published         language  category
//! A      Alpha song  UCa      2026-10-31 06:00  en (api)  10
//! B      ベータ 🎵    UCb      -                 ja (api)  24
//! C      Gamma       UCa      2026-11-01 00:00  en (api)  10
//! D      12345       UCd      2026-11-01 03:00  und       24
//! E      Epsilon     UCb      2026-10-30 00:00  ja (api)  24
//!
//! run  fetched_at (UTC)         US (category 0)  US (category 10)  GB      JP
//! 1    2026-11-01 06:00:00      A B C            A C               A D     B
//! 2    2026-11-01 18:00:00      B A C                              D A     B E
//! 3    2026-11-02 23:59:59      A C                                D       E
//! 4    2026-11-03 00:00:00      A                                  D E     E
//! 5    2026-11-05 06:00:00      C                                          E   (replayed: run started 2026-12-10)
//! ```
//!
//! A video's views in run `n` are `n * 100` (A), `n * 100 + 1` (B), ... .

use chrono::{DateTime, Utc};
use serde_json::{json, Value};
use trendtap::budget::Category;
use trendtap::dedup;
use trendtap::model::{Chart, ChartKey};
use trendtap::normalize;
use trendtap::store::Store;

use crate::store::{ok_summary, outcomes};
use crate::support::save_run;

/// The ids of the five videos.
pub const A: &str = "aaaaaaaaaa1";
pub const B: &str = "bbbbbbbbbb1";
pub const C: &str = "cccccccccc1";
pub const D: &str = "dddddddddd1";
pub const E: &str = "eeeeeeeeee1";

/// B's title: Japanese and an emoji (two columns each).
pub const B_TITLE: &str = "ベータ 🎵";

struct Video {
    id: &'static str,
    title: &'static str,
    channel: &'static str,
    published: Option<&'static str>,
    language: Option<&'static str>,
    category: &'static str,
    views: i64,
}

const VIDEOS: [Video; 5] = [
    Video {
        id: A,
        title: "Alpha song",
        channel: "a",
        published: Some("2026-10-31T06:00:00Z"),
        language: Some("en"),
        category: "10",
        views: 0,
    },
    Video {
        id: B,
        title: B_TITLE,
        channel: "b",
        published: None,
        language: Some("ja"),
        category: "24",
        views: 1,
    },
    Video {
        id: C,
        title: "Gamma",
        channel: "a",
        published: Some("2026-11-01T00:00:00Z"),
        language: Some("en"),
        category: "10",
        views: 2,
    },
    Video {
        id: D,
        title: "12345",
        channel: "d",
        published: Some("2026-11-01T03:00:00Z"),
        language: None,
        category: "24",
        views: 3,
    },
    Video {
        id: E,
        title: "Epsilon",
        channel: "b",
        published: Some("2026-10-30T00:00:00Z"),
        language: Some("ja"),
        category: "24",
        views: 4,
    },
];

fn item(id: &str, run: i64) -> Value {
    let v = VIDEOS.iter().find(|v| v.id == id).unwrap();
    let mut snippet = json!({
        "channelId": format!("UC{}", v.channel),
        "channelTitle": format!("Channel {}", v.channel.to_uppercase()),
        "title": v.title,
        "categoryId": v.category,
    });
    if let Some(p) = v.published {
        snippet["publishedAt"] = p.into();
    }
    if let Some(l) = v.language {
        snippet["defaultAudioLanguage"] = l.into();
    }
    json!({
        "kind": "youtube#video",
        "id": v.id,
        "snippet": snippet,
        "statistics": {"viewCount": (run * 100 + v.views).to_string()}
    })
}

fn chart(region: &'static str, category: &str, at: DateTime<Utc>, run: i64, ids: &[&str]) -> Chart {
    Chart {
        key: ChartKey {
            region,
            category_id: category.into(),
        },
        fetched_at: at,
        entries: ids
            .iter()
            .enumerate()
            .map(|(i, id)| {
                let wire = serde_json::from_value(item(id, run)).unwrap();
                (i as u32 + 1, normalize::video(wire, region).unwrap())
            })
            .collect(),
    }
}

fn at(t: &str) -> DateTime<Utc> {
    t.parse().unwrap()
}

/// Stores the history, and category titles: US has 10 "Music" and 24 "Entertainment", GB
/// only 24 "Divertissement", JP none (its titles come from another region's).
pub async fn store_history(store: &Store) {
    store_runs(store, 0..5).await;
    store_categories(store).await;
}

/// A run: when it started, when its charts were fetched, its charts (region, category, ids).
type Run = (
    &'static str,
    &'static str,
    Vec<(&'static str, &'static str, Vec<&'static str>)>,
);

/// Stores runs `which` (0-based) of the history, in order.
pub async fn store_runs(store: &Store, which: std::ops::Range<usize>) {
    let runs: [Run; 5] = [
        (
            "2026-11-01T06:00:00Z",
            "2026-11-01T06:00:00Z",
            vec![
                ("US", "0", vec![A, B, C]),
                ("US", "10", vec![A, C]),
                ("GB", "0", vec![A, D]),
                ("JP", "0", vec![B]),
            ],
        ),
        (
            "2026-11-01T18:00:00Z",
            "2026-11-01T18:00:00Z",
            vec![
                ("US", "0", vec![B, A, C]),
                ("GB", "0", vec![D, A]),
                ("JP", "0", vec![B, E]),
            ],
        ),
        (
            "2026-11-02T23:59:59Z",
            "2026-11-02T23:59:59Z",
            vec![
                ("US", "0", vec![A, C]),
                ("GB", "0", vec![D]),
                ("JP", "0", vec![E]),
            ],
        ),
        (
            "2026-11-03T00:00:00Z",
            "2026-11-03T00:00:00Z",
            vec![
                ("US", "0", vec![A]),
                ("GB", "0", vec![D, E]),
                ("JP", "0", vec![E]),
            ],
        ),
        // A replay (`fetch --from-raw`): the run is recorded now, its charts on their own day.
        (
            "2026-12-10T00:00:00Z",
            "2026-11-05T06:00:00Z",
            vec![("US", "0", vec![C]), ("JP", "0", vec![E])],
        ),
    ];
    for (n, (started, fetched, charts)) in runs.into_iter().enumerate() {
        if !which.contains(&n) {
            continue;
        }
        let run = n as i64 + 1;
        let charts: Vec<Chart> = charts
            .into_iter()
            .map(|(region, category, ids)| chart(region, category, at(fetched), run, &ids))
            .collect();
        let run_id = store
            .begin_run(at(started), &["US", "GB", "JP"], &["0".into(), "10".into()])
            .await
            .unwrap();
        assert_eq!(run_id, run);
        let outcomes = outcomes(&charts);
        let summary = ok_summary(&outcomes);
        save_run(
            store,
            run_id,
            at(started),
            &charts,
            &dedup::merge(&charts),
            &summary,
        )
        .await
        .unwrap();
    }
}

/// Stores the category titles.
pub async fn store_categories(store: &Store) {
    let category = |id: &str, title: &str| Category {
        id: id.into(),
        title: title.into(),
        assignable: true,
    };
    let t = at("2026-11-01T00:00:00Z");
    store
        .save_video_categories(
            "US",
            &[category("10", "Music"), category("24", "Entertainment")],
            t,
        )
        .await
        .unwrap();
    store
        .save_video_categories("GB", &[category("24", "Divertissement")], t)
        .await
        .unwrap();
}
