//! The built binary end to end: dry-run stdout, a full run into PostgreSQL, exit codes, and the
//! API key and database password kept out of every output.

use serde_json::Value;
use sqlx::Row;
use wiremock::ResponseTemplate;

use crate::support::fake::{error_body, recorded_error, synthetic_items, trending_items};
use crate::support::{count, trendtap, FakeYouTube, TestDb, KEY};

async fn fake_with_ae_and_us() -> FakeYouTube {
    let api = FakeYouTube::start().await;
    // AE: a real Arabic chart; US: real 2017 US rows, sharing some videos with AE.
    let mut ae = crate::support::fake::recorded_items(
        "videos_mostPopular_SA_snippet_statistics_2024-07.json",
    );
    let us = trending_items("US");
    ae.extend(us[..5].iter().cloned());
    api.chart("AE", "0", &ae).await;
    api.chart("US", "0", &us).await;
    api
}

fn env<'a>(api: &'a str, db: Option<&'a str>) -> Vec<(&'a str, &'a str)> {
    let mut env = vec![("YOUTUBE_API_KEY", KEY), ("YOUTUBE_API_BASE_URL", api)];
    if let Some(db) = db {
        env.push(("DATABASE_URL", db));
    }
    env
}

#[tokio::test(flavor = "multi_thread")]
async fn dry_run_prints_only_the_merged_json() {
    let api = fake_with_ae_and_us().await;
    let url = api.url();
    // A database URL that would fail if touched: the dry run must not need it.
    let mut e = env(&url, Some("postgres://nobody:pw@127.0.0.1:1/none"));
    e.push(("RUST_LOG", "trendtap=debug"));
    let out = trendtap(
        &["fetch", "--region", "AE", "--region", "us", "--dry-run"],
        &e,
    )
    .await;
    assert_eq!(out.code, 0, "{}", out.stderr);
    out.assert_no_secret();
    // stdout is exactly one JSON document; logs went to stderr.
    let videos: Vec<Value> = serde_json::from_str(&out.stdout).expect("stdout is pure JSON");
    assert!(out.stderr.contains("run finished"), "{}", out.stderr);
    assert_eq!(videos.len(), 10 + 200, "the 5 shared videos appear once");
    let shared = trending_items("US")[0]["id"].as_str().unwrap().to_owned();
    let v = videos
        .iter()
        .find(|v| v["video_id"] == shared.as_str())
        .unwrap();
    let charts = v["charts"].as_array().unwrap();
    assert_eq!(charts.len(), 2);
    assert_eq!(charts[0]["region"], "AE");
    assert_eq!(charts[0]["rank"], 11);
    assert_eq!(charts[1]["region"], "US");
    assert_eq!(charts[1]["rank"], 1);
    for field in [
        "title",
        "channel_title",
        "language",
        "language_source",
        "view_count",
        "like_count",
        "comment_count",
        "published_at",
        "thumbnail_url",
        "tags",
        "duration_seconds",
    ] {
        assert!(v.get(field).is_some(), "missing {field}");
    }
    let hidden = videos
        .iter()
        .find(|v| v["video_id"] == "KCDg03P0oN4")
        .unwrap();
    assert!(hidden["like_count"].is_null());

    // NDJSON: one object per line.
    let out = trendtap(
        &[
            "fetch",
            "--region",
            "AE,US",
            "--dry-run",
            "--format",
            "ndjson",
        ],
        &e,
    )
    .await;
    assert_eq!(out.code, 0, "{}", out.stderr);
    let lines: Vec<Value> = out
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 210);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_full_run_fills_the_tables_and_a_second_run_adds_history() {
    let api = fake_with_ae_and_us().await;
    let db = TestDb::new().await;
    let url = api.url();
    let e = env(&url, Some(&db.url));
    let out = trendtap(&["fetch", "--region", "AE", "--region", "US"], &e).await;
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.stdout, "", "nothing on stdout without --dry-run");
    out.assert_no_secret();

    let pool = db.pool().await;
    assert_eq!(count(&pool, "videos").await, 210);
    assert_eq!(count(&pool, "chart_entries").await, 215);
    assert_eq!(count(&pool, "video_regions").await, 215);
    let run = sqlx::query("SELECT status, api_requests, charts_ok FROM runs")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(run.get::<String, _>("status"), "ok");
    assert_eq!(run.get::<i32, _>("api_requests"), 5);
    assert_eq!(run.get::<i32, _>("charts_ok"), 2);

    let out = trendtap(&["fetch", "--region", "AE,US"], &e).await;
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(count(&pool, "videos").await, 210);
    assert_eq!(count(&pool, "video_regions").await, 215);
    assert_eq!(count(&pool, "chart_entries").await, 430);
    assert_eq!(count(&pool, "runs").await, 2);
    // The key is nowhere in the database.
    let leaked: i64 =
        sqlx::query_scalar("SELECT count(*) FROM runs WHERE runs::text LIKE '%' || $1 || '%'")
            .bind(KEY)
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(leaked, 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn usage_and_configuration_errors_exit_2_before_any_request() {
    let api = fake_with_ae_and_us().await;
    let url = api.url();
    type Case<'a> = (Vec<&'a str>, Vec<(&'a str, &'a str)>, &'a str);
    let cases: Vec<Case> = vec![
        (
            vec!["fetch", "--region", "AE,XX", "--dry-run"],
            env(&url, None),
            "`XX`",
        ),
        (vec!["fetch", "--dry-run"], env(&url, None), "no region"),
        (
            vec!["fetch", "--region", "AE", "--dry-run"],
            vec![("YOUTUBE_API_BASE_URL", &url)],
            "YOUTUBE_API_KEY",
        ),
        (
            vec!["fetch", "--region", "AE"],
            vec![
                ("YOUTUBE_API_KEY", KEY),
                ("DATABASE_URL", "mysql://root@localhost/db"),
            ],
            "sqlite://",
        ),
        (
            vec!["fetch", "--region", "AE", "--max-pages", "9", "--dry-run"],
            env(&url, None),
            "--max-pages",
        ),
        (
            vec!["fetch", "--region", "AE", "--config", "missing.toml"],
            env(&url, None),
            "missing.toml",
        ),
        (
            vec![
                "fetch",
                "--region",
                "AE",
                "--category",
                "music",
                "--dry-run",
            ],
            env(&url, None),
            "`music`",
        ),
        (
            vec!["fetch", "--api-key", "x"],
            env(&url, None),
            "--api-key",
        ),
    ];
    for (args, e, expected) in cases {
        let out = trendtap(&args, &e).await;
        assert_eq!(out.code, 2, "{args:?}: {}", out.stderr);
        assert!(
            out.stderr.contains(expected),
            "{args:?}: expected {expected:?} in {}",
            out.stderr
        );
        assert_eq!(out.stdout, "");
    }
    assert_eq!(api.requests().await.len(), 0, "no request was made");
}

#[tokio::test(flavor = "multi_thread")]
async fn config_file_errors_name_the_file_and_line() {
    let dir = std::env::temp_dir().join(format!("trendtap-cfgline-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("bad.toml");
    std::fs::write(&path, "regions = [\"AE\"]\nmax_pages = \"four\"\n").unwrap();
    let out = trendtap(
        &["fetch", "--dry-run", "--config", path.to_str().unwrap()],
        &[("YOUTUBE_API_KEY", KEY)],
    )
    .await;
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("bad.toml") && out.stderr.contains("line 2"),
        "{}",
        out.stderr
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn some_charts_failing_exits_3_and_stores_the_others() {
    let api = FakeYouTube::start().await;
    api.chart("AE", "0", &synthetic_items("ae", 30)).await;
    api.first_page(
        "US",
        "0",
        ResponseTemplate::new(200).set_body_string("<html>oops</html>"),
        None,
    )
    .await;
    let db = TestDb::new().await;
    let url = api.url();
    let out = trendtap(&["fetch", "--region", "AE,US"], &env(&url, Some(&db.url))).await;
    assert_eq!(out.code, 3, "{}", out.stderr);
    assert!(
        out.stderr.contains("US/0") && out.stderr.contains("HTTP 200"),
        "{}",
        out.stderr
    );
    out.assert_no_secret();
    let pool = db.pool().await;
    assert_eq!(count(&pool, "chart_entries").await, 30);
    let (status, charts): (String, Value) = sqlx::query_as("SELECT status, charts FROM runs")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(status, "partial");
    let us = charts
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["region"] == "US")
        .unwrap();
    assert_eq!(us["status"], "failed");
    assert!(us["error"].as_str().unwrap().contains("<html>oops"));
}

#[tokio::test(flavor = "multi_thread")]
async fn every_chart_failing_exits_1() {
    let api = FakeYouTube::start().await;
    api.first_page("AE", "0", error_body(400, "invalidFilters", "bad"), None)
        .await;
    let db = TestDb::new().await;
    let url = api.url();
    let out = trendtap(&["fetch", "--region", "AE"], &env(&url, Some(&db.url))).await;
    assert_eq!(out.code, 1, "{}", out.stderr);
    let status: String = sqlx::query_scalar("SELECT status FROM runs")
        .fetch_one(&db.pool().await)
        .await
        .unwrap();
    assert_eq!(status, "failed");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_database_outage_exits_1_and_spends_no_quota() {
    let api = fake_with_ae_and_us().await;
    let url = api.url();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let db_url = format!("postgres://ingest:hunter2secret@127.0.0.1:{port}/trends");
    let out = trendtap(&["fetch", "--region", "AE"], &env(&url, Some(&db_url))).await;
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(
        out.stderr.contains(&format!("127.0.0.1:{port}")),
        "{}",
        out.stderr
    );
    assert!(!out.stderr.contains("hunter2secret"), "{}", out.stderr);
    assert_eq!(api.requests().await.len(), 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_second_run_on_a_locked_database_exits_4_and_spends_no_quota() {
    let api = fake_with_ae_and_us().await;
    let db = TestDb::new().await;
    let url = api.url();
    let holder = crate::support::hold_lock(&db.url).await;
    let run_id = holder
        .begin_run(chrono::Utc::now(), &["JP"], &["0".into()])
        .await
        .unwrap();

    let out = trendtap(&["fetch", "--region", "AE"], &env(&url, Some(&db.url))).await;
    assert_eq!(out.code, 4, "{}", out.stderr);
    assert!(
        out.stderr.contains(&format!("run {run_id}")),
        "{}",
        out.stderr
    );
    assert_eq!(api.requests().await.len(), 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn exhausted_quota_exits_5_and_stores_complete_charts() {
    let api = FakeYouTube::start().await;
    api.chart("AE", "0", &synthetic_items("ae", 10)).await;
    // US answers late, after AE is complete.
    let quota = recorded_error(403, "quotaExceeded_403.json")
        .set_delay(std::time::Duration::from_millis(300));
    api.first_page("US", "0", quota, None).await;
    let db = TestDb::new().await;
    let url = api.url();
    let out = trendtap(&["fetch", "--region", "AE,US"], &env(&url, Some(&db.url))).await;
    assert_eq!(out.code, 5, "{}", out.stderr);
    assert!(
        out.stderr.contains("midnight Pacific") && out.stderr.contains("UTC"),
        "{}",
        out.stderr
    );
    let pool = db.pool().await;
    assert_eq!(count(&pool, "chart_entries").await, 10);
    let halt: Option<String> = sqlx::query_scalar("SELECT halt_reason FROM runs")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(halt.as_deref(), Some("quota_exhausted"));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_rejected_key_exits_1_with_a_hint_and_never_prints_the_key() {
    let api = FakeYouTube::start().await;
    api.first_page(
        "AE",
        "0",
        recorded_error(400, "apiKeyInvalid_400_current_shape.json"),
        None,
    )
    .await;
    let url = api.url();
    let out = trendtap(
        &["fetch", "--region", "AE", "--dry-run", "-vv"],
        &env(&url, None),
    )
    .await;
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(
        out.stderr.contains("check YOUTUBE_API_KEY"),
        "{}",
        out.stderr
    );
    out.assert_no_secret();
}

#[tokio::test(flavor = "multi_thread")]
async fn migrate_and_regions_commands() {
    let db = TestDb::new().await;
    let out = trendtap(&["migrate", "--database-url", &db.url], &[]).await;
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(count(&db.pool().await, "runs").await, 0);
    let out = trendtap(&["regions"], &[]).await;
    assert_eq!(out.code, 0);
    assert_eq!(out.stdout.lines().count(), 111);
    assert!(out.stdout.contains("AE\tUnited Arab Emirates"));
}

#[tokio::test(flavor = "multi_thread")]
async fn help_documents_the_exit_codes() {
    let out = trendtap(&["fetch", "--help"], &[]).await;
    assert_eq!(out.code, 0);
    for code in ["0 ", "1 ", "2 ", "3 ", "4 ", "5 ", "130", "143"] {
        assert!(
            out.stdout.contains(&format!("  {code}")),
            "exit code {code} missing from --help"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn every_stored_language_says_where_it_came_from() {
    let api = FakeYouTube::start().await;
    let item = |id: &str, channel: &str, title: &str, audio: Option<&str>| {
        let mut snippet =
            serde_json::json!({"title": title, "channelId": channel, "channelTitle": "c"});
        if let Some(audio) = audio {
            snippet["defaultAudioLanguage"] = audio.into();
        }
        serde_json::json!({"id": id, "snippet": snippet})
    };
    let items = [
        item("api1", "UCte", "Oye Bhagi | Episode - 3", Some("te")),
        item(
            "chan1",
            "UCte",
            "Singappenne - Promo | 20 Nov 2024 | Sun TV",
            None,
        ),
        item(
            "det1",
            "UCte",
            "How To Train Your Dragon | Official Teaser Trailer",
            None,
        ),
        item(
            "none1",
            "UCx",
            "Singappenne - Promo | 20 Nov 2024 | Sun TV #2",
            None,
        ),
    ];
    api.chart("IN", "0", &items).await;
    let db = TestDb::new().await;
    let url = api.url();
    let out = trendtap(&["fetch", "--region", "IN"], &env(&url, Some(&db.url))).await;
    assert_eq!(out.code, 0, "{}", out.stderr);

    let pool = db.pool().await;
    let rows: Vec<(String, String, String)> =
        sqlx::query_as("SELECT video_id, language, language_source FROM videos ORDER BY video_id")
            .fetch_all(&pool)
            .await
            .unwrap();
    let expect = [
        ("api1", "te", "api"),
        ("chan1", "te", "channel"),
        ("det1", "en", "detected"),
        ("none1", "und", "none"),
    ];
    let rows: Vec<(&str, &str, &str)> = rows
        .iter()
        .map(|(a, b, c)| (a.as_str(), b.as_str(), c.as_str()))
        .collect();
    assert_eq!(rows, expect);
}
