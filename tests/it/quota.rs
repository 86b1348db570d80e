//! The quota ledger and budget, end to end on both backends: the estimate refused before any
//! request, `--fit-budget`, two processes racing for the last units, the ledger equal to the
//! requests the fake API received (retries included), exhaustion remembered, `--category all`
//! with its category lists and no-chart skipping, `trendtap quota`, and the metrics file.

use std::collections::BTreeMap;

use chrono::Utc;
use serde_json::{json, Value};
use trendtap::budget::{self, Reservation};
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, ResponseTemplate};

use crate::both;
use crate::support::fake::{error_body, recorded_error, synthetic_items};
use crate::support::{CliStore, FakeYouTube, Kind, TestStore, KEY};

both!(
    an_estimate_that_does_not_fit_makes_no_request_and_exits_5,
    fit_budget_fetches_the_charts_that_fit_in_plan_order,
    two_processes_cannot_both_get_the_last_units,
    the_ledger_books_every_request_the_api_received,
    an_exhausted_quota_is_remembered_for_the_day,
    category_all_lists_categories_once_and_skips_no_chart_pairs,
    the_quota_command_reports_the_day_and_the_metrics_file_parses,
);

fn env(api: &str) -> Vec<(&str, &str)> {
    vec![("YOUTUBE_API_KEY", KEY), ("YOUTUBE_API_BASE_URL", api)]
}

/// The newest run's `charts`, parsed.
async fn last_charts(db: &TestStore) -> Value {
    let sql = format!(
        "SELECT {} FROM runs ORDER BY run_id DESC LIMIT 1",
        db.json("charts")
    );
    serde_json::from_str(&db.text(&sql).await.unwrap()).unwrap()
}

/// Units booked in the ledger, settled or not.
async fn booked(db: &TestStore) -> i64 {
    db.int("SELECT CAST(coalesce(sum(spent), 0) AS bigint) FROM quota_ledger")
        .await
        .unwrap_or(0)
}

async fn an_estimate_that_does_not_fit_makes_no_request_and_exits_5(kind: Kind) {
    let api = FakeYouTube::start().await;
    for region in ["US", "GB"] {
        api.chart(region, "0", &synthetic_items(region, 200)).await;
    }
    let db = CliStore::new(kind).await;
    let url = api.url();
    // Two charts of 4 pages: 8 units; 3 are left after the reserve.
    let args = [
        "fetch",
        "--region",
        "US,GB",
        "--daily-quota",
        "10",
        "--quota-reserve",
        "7",
    ];
    let out = db.run(&args, &env(&url)).await;
    assert_eq!(out.code, 5, "{}", out.stderr);
    assert!(
        out.stderr.contains("needs 8 quota units and 3 are left"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("UTC"), "the reset time: {}", out.stderr);
    assert!(api.requests().await.is_empty(), "no request may be made");
    assert_eq!(db.count("chart_entries").await, 0);
    let charts = db.run_json("charts").await;
    let statuses: Vec<&str> = charts
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["skipped_budget", "skipped_budget"]);
    assert_eq!(
        db.text("SELECT halt_reason FROM runs").await.as_deref(),
        Some("over_budget")
    );
    assert_eq!(booked(&db).await, 0, "a refused run books nothing");
    out.assert_no_secret();
}

async fn fit_budget_fetches_the_charts_that_fit_in_plan_order(kind: Kind) {
    let api = FakeYouTube::start().await;
    api.chart("US", "0", &synthetic_items("us", 200)).await;
    api.chart("GB", "0", &synthetic_items("gb", 200)).await;
    api.chart("JP", "0", &synthetic_items("jp", 30)).await;
    let db = CliStore::new(kind).await;
    let url = api.url();
    // A first run learns that JP's chart is one page.
    let first = db.run(&["fetch", "--region", "JP"], &env(&url)).await;
    assert_eq!(first.code, 0, "{}", first.stderr);
    // 4 (US) + 4 (GB) + 1 (JP) = 9 wanted, 5 left: US fits, GB does not, JP still does.
    let args = [
        "fetch",
        "--region",
        "US,GB,JP",
        "--daily-quota",
        "6",
        "--fit-budget",
    ];
    let out = db.run(&args, &env(&url)).await;
    assert_eq!(out.code, 3, "{}", out.stderr);
    assert_eq!(api.requests_for("US").await, 4);
    assert_eq!(api.requests_for("GB").await, 0);
    assert_eq!(api.requests_for("JP").await, 2, "one page in each run");
    let charts = last_charts(&db).await;
    let status = |region: &str| {
        charts
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["region"] == region)
            .unwrap()["status"]
            .clone()
    };
    assert_eq!(status("US"), "ok");
    assert_eq!(status("GB"), "skipped_budget");
    assert_eq!(status("JP"), "ok");
    assert_eq!(
        booked(&db).await,
        6,
        "1 + 5 units, what the fake API received"
    );
}

async fn two_processes_cannot_both_get_the_last_units(kind: Kind) {
    let db = TestStore::new(kind).await;
    let day = budget::day_of(Utc::now());
    // Two stores (two connections, as two processes would have), 20 rounds of racing for the
    // last 10 units of a 10-unit budget.
    let (a, b) = (db.open().await, db.open().await);
    for round in 0..20i64 {
        let reservation = |run_id: i64| Reservation {
            day,
            fingerprint: "race",
            job: "fetch",
            run_id,
            wanted: 10,
            minimum: 10,
            limit: 10 * (round as u64 + 1),
        };
        let (ra, rb) = (reservation(2 * round + 1), reservation(2 * round + 2));
        let (ga, gb) = tokio::join!(a.reserve_quota(&ra), b.reserve_quota(&rb));
        let granted = [ga.unwrap().granted, gb.unwrap().granted];
        assert_eq!(
            granted.iter().filter(|g| g.is_some()).count(),
            1,
            "round {round}: exactly one wins the last units: {granted:?}"
        );
    }
    let reserved = db
        .int("SELECT CAST(sum(reserved) AS bigint) FROM quota_ledger")
        .await;
    assert_eq!(reserved, Some(200), "never more than the budget");
}

async fn the_ledger_books_every_request_the_api_received(kind: Kind) {
    let api = FakeYouTube::start().await;
    // US fails twice with a 503 before answering: 2 retries, each a unit.
    api.first_page("US", "0", ResponseTemplate::new(503), Some(2))
        .await;
    api.chart("US", "0", &synthetic_items("us", 120)).await;
    api.chart("GB", "0", &synthetic_items("gb", 50)).await;
    let db = CliStore::new(kind).await;
    let url = api.url();
    for _ in 0..2 {
        let out = db.run(&["fetch", "--region", "US,GB"], &env(&url)).await;
        assert_eq!(out.code, 0, "{}", out.stderr);
    }
    let received = api.requests().await.len() as i64;
    assert_eq!(
        received,
        2 + 3 + 1 + 3 + 1,
        "the fake saw the retries and both runs"
    );
    assert_eq!(booked(&db).await, received);
    assert_eq!(
        db.int("SELECT count(*) FROM quota_ledger WHERE settled_at IS NOT NULL")
            .await,
        Some(2)
    );
    let fingerprint = db
        .text("SELECT DISTINCT key_fingerprint FROM quota_ledger")
        .await
        .unwrap();
    assert_eq!(fingerprint.len(), 16);
    assert!(
        !fingerprint.contains("AIza"),
        "a fingerprint, never the key"
    );
    assert_eq!(db.runs_with_the_key().await, 0);
}

async fn an_exhausted_quota_is_remembered_for_the_day(kind: Kind) {
    let api = FakeYouTube::start().await;
    api.first_page(
        "US",
        "0",
        recorded_error(403, "quotaExceeded_403.json"),
        None,
    )
    .await;
    let db = CliStore::new(kind).await;
    let url = api.url();
    let first = db.run(&["fetch", "--region", "US"], &env(&url)).await;
    assert_eq!(first.code, 5, "{}", first.stderr);
    assert_eq!(api.requests().await.len(), 1);
    // The same day, the same key: exit 5 at once, no request.
    let second = db.run(&["fetch", "--region", "US"], &env(&url)).await;
    assert_eq!(second.code, 5, "{}", second.stderr);
    assert!(
        second
            .stderr
            .contains("today's quota for this key is exhausted"),
        "{}",
        second.stderr
    );
    assert!(
        second.stderr.contains("--ignore-exhausted"),
        "{}",
        second.stderr
    );
    assert_eq!(
        api.requests().await.len(),
        1,
        "no request after the quota was spent"
    );
    // An operator who raised the quota tries anyway.
    let third = db
        .run(
            &["fetch", "--region", "US", "--ignore-exhausted"],
            &env(&url),
        )
        .await;
    assert_eq!(third.code, 5, "{}", third.stderr);
    assert_eq!(api.requests().await.len(), 2);
    assert_eq!(booked(&db).await, 2);
}

/// Serves videoCategories.list for `region`: 1 (Film), 10 (Music), 20 (Gaming), 29 (not
/// assignable).
async fn categories(api: &FakeYouTube, region: &str) {
    let item = |id: &str, title: &str, assignable: bool| {
        json!({"kind": "youtube#videoCategory", "etag": "e", "id": id,
               "snippet": {"channelId": "UCBR8-60-B28hp2BmDPdntcQ", "title": title, "assignable": assignable}})
    };
    let body = json!({"kind": "youtube#videoCategoryListResponse", "etag": "e", "items": [
        item("1", "Film & Animation", true), item("10", "Music", true),
        item("20", "Gaming", true), item("29", "Nonprofits & Activism", false)]});
    Mock::given(method("GET"))
        .and(path("/videoCategories"))
        .and(query_param("regionCode", region))
        .and(query_param("part", "snippet"))
        .and(query_param("key", KEY))
        .respond_with(ResponseTemplate::new(200).set_body_json(body))
        .mount(&api.server)
        .await;
}

async fn category_all_lists_categories_once_and_skips_no_chart_pairs(kind: Kind) {
    let api = FakeYouTube::start().await;
    for region in ["US", "JP"] {
        categories(&api, region).await;
        api.chart(region, "0", &synthetic_items(&format!("{region}0"), 50))
            .await;
        api.chart(region, "10", &synthetic_items(&format!("{region}10"), 20))
            .await;
        api.chart(region, "20", &synthetic_items(&format!("{region}20"), 20))
            .await;
        let no_chart = error_body(
            400,
            "videoChartNotFound",
            "The requested video chart is not supported or is not available.",
        );
        api.first_page(region, "1", no_chart, None).await;
    }
    let db = CliStore::new(kind).await;
    let url = api.url();
    let per_path = |requests: &[wiremock::Request]| {
        let mut n: BTreeMap<String, usize> = BTreeMap::new();
        for r in requests {
            let category = r
                .url
                .query_pairs()
                .find(|(k, _)| k == "videoCategoryId")
                .map(|(_, v)| v.to_string());
            *n.entry(format!(
                "{}{}",
                r.url.path(),
                category.map(|c| format!("/{c}")).unwrap_or_default()
            ))
            .or_default() += 1;
        }
        n
    };
    let first = db
        .run(
            &["fetch", "--region", "US,JP", "--category", "all"],
            &env(&url),
        )
        .await;
    assert_eq!(first.code, 0, "{}", first.stderr);
    let after_first = per_path(&api.requests().await);
    assert_eq!(after_first["/videoCategories"], 2, "one list per region");
    assert_eq!(
        after_first["/videos/1"], 2,
        "each region's no-chart pair asked once"
    );
    assert!(
        !after_first.contains_key("/videos/29"),
        "a category that is not assignable is not asked"
    );
    assert_eq!(db.count("video_categories").await, 8);
    assert_eq!(
        db.text("SELECT title FROM video_categories WHERE region = 'JP' AND category_id = '10'")
            .await
            .as_deref(),
        Some("Music")
    );
    let second = db
        .run(
            &["fetch", "--region", "US,JP", "--category", "all"],
            &env(&url),
        )
        .await;
    assert_eq!(second.code, 0, "{}", second.stderr);
    let after_second = per_path(&api.requests().await);
    assert_eq!(
        after_second["/videoCategories"], 2,
        "the lists are kept for a week"
    );
    assert_eq!(
        after_second["/videos/1"], 2,
        "no-chart pairs are skipped, not asked"
    );
    assert_eq!(after_second["/videos/10"], 4);
    let charts = last_charts(&db).await;
    let skipped: Vec<String> = charts
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["status"] == "skipped_no_chart")
        .map(|c| {
            format!(
                "{}/{}",
                c["region"].as_str().unwrap(),
                c["category_id"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(skipped, ["US/1", "JP/1"]);
    assert_eq!(booked(&db).await, api.requests().await.len() as i64);
}

async fn the_quota_command_reports_the_day_and_the_metrics_file_parses(kind: Kind) {
    let api = FakeYouTube::start().await;
    api.chart("US", "0", &synthetic_items("us", 60)).await;
    api.chart("GB", "0", &synthetic_items("gb", 10)).await;
    let db = CliStore::new(kind).await;
    let url = api.url();
    let metrics = crate::support::temp_dir("metrics").join("trendtap.prom");
    let metrics_arg = metrics.display().to_string();
    let out = db
        .run(
            &[
                "fetch",
                "--region",
                "US,GB",
                "--daily-quota",
                "1000",
                "--quota-reserve",
                "100",
                "--metrics-file",
                &metrics_arg,
            ],
            &env(&url),
        )
        .await;
    assert_eq!(out.code, 0, "{}", out.stderr);

    let out = db
        .run(
            &[
                "quota",
                "--format",
                "json",
                "--daily-quota",
                "1000",
                "--quota-reserve",
                "100",
            ],
            &env(&url),
        )
        .await;
    assert_eq!(out.code, 0, "{}", out.stderr);
    let q: Value = serde_json::from_str(&out.stdout).expect("one JSON object on stdout");
    assert_eq!(q["day"], budget::day_of(Utc::now()).to_string());
    assert_eq!(q["limit"], 1000);
    assert_eq!(q["used"], 3);
    assert_eq!(q["reserved"], 0);
    assert_eq!(q["remaining"], 1000 - 100 - 3);
    assert_eq!(q["exhausted"], false);
    let resets = q["resets_at"].as_str().unwrap();
    assert!(
        chrono::DateTime::parse_from_rfc3339(resets).is_ok(),
        "{resets}"
    );
    let text = db.run(&["quota"], &env(&url)).await;
    assert!(text.stdout.contains("remaining  9997"), "{}", text.stdout);
    text.assert_no_secret();

    let samples = parse_prometheus(&std::fs::read_to_string(&metrics).unwrap());
    assert_eq!(samples["trendtap_last_run_exit_code{job=\"fetch\"}"], 0.0);
    assert_eq!(samples["trendtap_charts{job=\"fetch\",status=\"ok\"}"], 2.0);
    assert_eq!(
        samples["trendtap_charts{job=\"fetch\",status=\"skipped\"}"],
        0.0
    );
    assert_eq!(samples["trendtap_api_requests{job=\"fetch\"}"], 3.0);
    assert_eq!(samples["trendtap_quota_used_units{job=\"fetch\"}"], 3.0);
    assert_eq!(
        samples["trendtap_quota_remaining_units{job=\"fetch\"}"],
        897.0
    );
    assert!(samples["trendtap_last_run_timestamp_seconds{job=\"fetch\"}"] > 1.7e9);
    assert!(samples.contains_key("trendtap_last_run_duration_seconds{job=\"fetch\"}"));
}

/// Parses the Prometheus text exposition format strictly enough to catch a malformed file:
/// `# HELP`/`# TYPE` lines, and samples `name{label="value",...} number`; every sample's
/// metric has a TYPE line before it.
fn parse_prometheus(text: &str) -> BTreeMap<String, f64> {
    let mut typed = Vec::new();
    let mut samples = BTreeMap::new();
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("# TYPE ") {
            let (name, kind) = rest.split_once(' ').expect("TYPE name kind");
            assert!(["gauge", "counter", "untyped"].contains(&kind), "{line}");
            typed.push(name.to_owned());
            continue;
        }
        if line.starts_with("# HELP ") || line.is_empty() {
            continue;
        }
        let (series, value) = line.rsplit_once(' ').expect("a sample: series value");
        let name = series.split('{').next().unwrap();
        assert!(
            name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') && !name.is_empty(),
            "metric name: {line}"
        );
        assert!(typed.iter().any(|t| t == name), "no TYPE before {line}");
        if let Some(labels) = series.strip_prefix(name) {
            if !labels.is_empty() {
                let inner = labels
                    .strip_prefix('{')
                    .and_then(|l| l.strip_suffix('}'))
                    .expect("{labels}");
                for pair in inner.split(',') {
                    let (k, v) = pair.split_once('=').expect("label=value");
                    assert!(
                        k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'),
                        "{line}"
                    );
                    assert!(v.starts_with('"') && v.ends_with('"'), "{line}");
                }
            }
        }
        let value: f64 = value.parse().unwrap_or_else(|_| panic!("a number: {line}"));
        samples.insert(series.to_owned(), value);
    }
    samples
}
