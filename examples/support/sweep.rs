//! The `sweep` scenario: what `fetch --category all` over every region costs in quota units,
//! the first time (category lists, every pair asked, the ones with no chart included) and the
//! next times (lists kept a week, no-chart pairs skipped for `no_chart_skip_days`), measured as
//! the requests the fake API receives from the real binary into a fresh SQLite store.
//!
//! The fake answers `videoCategories.list` with the recorded US list of 2019 for every region
//! (15 assignable categories of 32) and a chart for a fixed set of categories, the others with
//! 400 videoChartNotFound; which pairs have charts in reality is not documented (FACTS.md §3),
//! so the set is a parameter: `SWEEP_CHARTED=0,1,10,17,20,24` (the default) and the pages per
//! chart come from a hash of the pair (1 to 4; category 0: 4).

use std::collections::HashSet;
use std::sync::Arc;

use serde_json::{json, Value};
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

/// Answers videos.list and videoCategories.list for every region.
struct Sweep {
    categories: Value,
    charted: HashSet<String>,
}

fn pages_of(region: &str, category: &str) -> usize {
    if category == "0" {
        return 4;
    }
    let h = format!("{region}/{category}")
        .bytes()
        .fold(17u64, |h, b| h.wrapping_mul(31).wrapping_add(u64::from(b)));
    1 + (h % 4) as usize
}

impl Respond for Sweep {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        if request.url.path().ends_with("/videoCategories") {
            return ResponseTemplate::new(200).set_body_json(self.categories.clone());
        }
        let q = |k: &str| {
            request
                .url
                .query_pairs()
                .find(|(n, _)| n == k)
                .map(|(_, v)| v.into_owned())
                .unwrap_or_default()
        };
        let (region, category) = (q("regionCode"), q("videoCategoryId"));
        if !self.charted.contains(&category) {
            return ResponseTemplate::new(400).set_body_json(json!({"error": {"code": 400,
                "message": "The requested video chart is not supported or is not available.",
                "errors": [{"message": "The requested video chart is not supported or is not available.",
                            "domain": "youtube.video", "reason": "videoChartNotFound"}]}}));
        }
        let page: usize = q("pageToken").trim_start_matches('P').parse().unwrap_or(0);
        let pages = pages_of(&region, &category);
        let items: Vec<Value> = (0..50)
            .map(|i| {
                json!({"id": format!("{region}{category}p{page}i{i}"),
                       "snippet": {"title": format!("Video {i} of {region} {category}"), "channelTitle": "c"}})
            })
            .collect();
        let mut body = json!({"kind": "youtube#videoListResponse", "items": items});
        if page + 1 < pages {
            body["nextPageToken"] = json!(format!("P{}", page + 1));
        }
        ResponseTemplate::new(200).set_body_json(body)
    }
}

/// Runs the sweep twice and prints the units of each run.
pub async fn run(binary: &std::path::Path) {
    let charted: HashSet<String> = std::env::var("SWEEP_CHARTED")
        .unwrap_or_else(|_| "0,1,10,17,20,24".to_owned())
        .split(',')
        .map(str::to_owned)
        .collect();
    let categories: Value = serde_json::from_str(include_str!(
        "../../tests/data/videoCategories_US_2019.json"
    ))
    .unwrap();
    let assignable = categories["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["snippet"]["assignable"] == true)
        .count();
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(Sweep {
            categories,
            charted: charted.clone(),
        })
        .mount(&server)
        .await;
    let server = Arc::new(server);
    let dir = std::env::temp_dir().join(format!("trendtap-sweep-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let regions: Vec<&str> = trendtap::regions::REGIONS.iter().map(|(c, _)| *c).collect();
    let regions = regions.join(",");
    println!(
        "\n## sweep: `fetch --category all` over {} regions",
        trendtap::regions::REGIONS.len()
    );
    println!(
        "category 0 + {assignable} assignable categories a region; charts for categories {:?}\n",
        {
            let mut c: Vec<&String> = charted.iter().collect();
            c.sort_by_key(|c| c.parse::<u32>().unwrap_or(0));
            c
        }
    );
    println!("| run | units (requests received) | category lists | chart pages | no-chart answers | seconds |");
    println!("|---|---|---|---|---|---|");
    let mut seen = 0;
    for run in 1..=2 {
        let started = std::time::Instant::now();
        let status = std::process::Command::new(binary)
            .args([
                "fetch",
                "--region",
                &regions,
                "--category",
                "all",
                "--concurrency",
                "16",
            ])
            .args([
                "--database-url",
                &format!("sqlite://{}", dir.join("sweep.db").display()),
            ])
            .env("YOUTUBE_API_KEY", "sweep-key")
            .env("YOUTUBE_API_BASE_URL", server.uri())
            .env("RUST_LOG", "error")
            .status()
            .unwrap();
        assert!(status.success(), "the sweep run {run} failed: {status}");
        let requests = server.received_requests().await.unwrap_or_default();
        let new = &requests[seen..];
        seen = requests.len();
        let lists = new
            .iter()
            .filter(|r| r.url.path().ends_with("/videoCategories"))
            .count();
        let no_chart = new
            .iter()
            .filter(|r| {
                let c = r.url.query_pairs().find(|(k, _)| k == "videoCategoryId");
                c.is_some_and(|(_, v)| !charted.contains(v.as_ref()))
            })
            .count();
        println!(
            "| {run} | {} | {lists} | {} | {no_chart} | {:.1} |",
            new.len(),
            new.len() - lists - no_chart,
            started.elapsed().as_secs_f64()
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}
