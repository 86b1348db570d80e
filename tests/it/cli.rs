//! The built binary end to end: dry-run stdout, a full run into the store, exit codes, and the
//! API key and database password kept out of every output. Every case that touches the store
//! runs on both backends (`name::postgres`, `name::sqlite`).

use serde_json::Value;
use wiremock::ResponseTemplate;

use crate::both;
use crate::support::both::{no_default_store_in, unopenable_sqlite_url};
use crate::support::fake::{error_body, recorded_error, synthetic_items, trending_items};
use crate::support::{
    command_in, finish, temp_dir, trendtap, CliStore, FakeYouTube, Kind, Via, KEY,
};

both!(
    dry_run_prints_only_the_merged_json,
    a_full_run_fills_the_tables_and_a_second_run_adds_history,
    some_charts_failing_exits_3_and_stores_the_others,
    every_chart_failing_exits_1,
    a_database_outage_exits_1_and_spends_no_quota,
    a_second_run_on_a_locked_database_exits_4_and_spends_no_quota,
    exhausted_quota_exits_5_and_stores_complete_charts,
    migrate_and_regions_commands,
    every_stored_language_says_where_it_came_from,
);

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

async fn dry_run_prints_only_the_merged_json(kind: Kind) {
    let api = fake_with_ae_and_us().await;
    let url = api.url();
    // A database URL that would fail if touched: the dry run must not need it.
    let untouchable = match kind {
        Kind::Postgres => "postgres://nobody:pw@127.0.0.1:1/none".to_owned(),
        Kind::Sqlite => unopenable_sqlite_url().1,
    };
    let mut e = env(&url, Some(&untouchable));
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

    if kind == Kind::Sqlite {
        // Nor does it create the default store where there is none.
        let dir = temp_dir("dry-run");
        let args = ["fetch", "--region", "AE", "--dry-run"];
        let child = command_in(&dir, &args, &env(&url, None)).spawn().unwrap();
        let out = finish(child).await;
        assert_eq!(out.code, 0, "{}", out.stderr);
        assert!(no_default_store_in(&dir), "the dry run created trendtap.db");
        let _ = std::fs::remove_dir_all(dir);
    }
}

/// On SQLite with no URL at all: the default `./trendtap.db`.
async fn a_full_run_fills_the_tables_and_a_second_run_adds_history(kind: Kind) {
    let api = fake_with_ae_and_us().await;
    let db = CliStore::via(kind, Via::Default).await;
    let url = api.url();
    let e = env(&url, None);
    let out = db
        .run(&["fetch", "--region", "AE", "--region", "US"], &e)
        .await;
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.stdout, "", "nothing on stdout without --dry-run");
    out.assert_no_secret();
    if kind == Kind::Sqlite {
        assert!(db.path().is_file(), "the run created ./trendtap.db");
    }

    assert_eq!(db.count("videos").await, 210);
    assert_eq!(db.count("chart_entries").await, 215);
    assert_eq!(db.count("video_regions").await, 215);
    let run = |column: &str| format!("SELECT {column} FROM runs");
    assert_eq!(db.text(&run("status")).await.as_deref(), Some("ok"));
    assert_eq!(db.int(&run("api_requests")).await, Some(5));
    assert_eq!(db.int(&run("charts_ok")).await, Some(2));

    let out = db.run(&["fetch", "--region", "AE,US"], &e).await;
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(db.count("videos").await, 210);
    assert_eq!(db.count("video_regions").await, 215);
    assert_eq!(db.count("chart_entries").await, 430);
    assert_eq!(db.count("runs").await, 2);
    // The key is nowhere in the database.
    assert_eq!(db.runs_with_the_key().await, 0);
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

async fn some_charts_failing_exits_3_and_stores_the_others(kind: Kind) {
    let api = FakeYouTube::start().await;
    api.chart("AE", "0", &synthetic_items("ae", 30)).await;
    api.first_page(
        "US",
        "0",
        ResponseTemplate::new(200).set_body_string("<html>oops</html>"),
        None,
    )
    .await;
    let db = CliStore::new(kind).await;
    let url = api.url();
    let out = db
        .run(&["fetch", "--region", "AE,US"], &env(&url, None))
        .await;
    assert_eq!(out.code, 3, "{}", out.stderr);
    assert!(
        out.stderr.contains("US/0") && out.stderr.contains("HTTP 200"),
        "{}",
        out.stderr
    );
    out.assert_no_secret();
    assert_eq!(db.count("chart_entries").await, 30);
    let status = db.text("SELECT status FROM runs").await;
    let charts = db.run_json("charts").await;
    assert_eq!(status.as_deref(), Some("partial"));
    let us = charts
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["region"] == "US")
        .unwrap();
    assert_eq!(us["status"], "failed");
    assert!(us["error"].as_str().unwrap().contains("<html>oops"));
}

async fn every_chart_failing_exits_1(kind: Kind) {
    let api = FakeYouTube::start().await;
    api.first_page("AE", "0", error_body(400, "invalidFilters", "bad"), None)
        .await;
    let db = CliStore::new(kind).await;
    let url = api.url();
    let out = db.run(&["fetch", "--region", "AE"], &env(&url, None)).await;
    assert_eq!(out.code, 1, "{}", out.stderr);
    let status = db.text("SELECT status FROM runs").await;
    assert_eq!(status.as_deref(), Some("failed"));
}

/// SQLite's outage: a file that cannot be opened (its directory cannot be created).
async fn a_database_outage_exits_1_and_spends_no_quota(kind: Kind) {
    let api = fake_with_ae_and_us().await;
    let url = api.url();
    let (db_url, target) = match kind {
        Kind::Postgres => {
            let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            let port = listener.local_addr().unwrap().port();
            drop(listener);
            (
                format!("postgres://ingest:hunter2secret@127.0.0.1:{port}/trends"),
                format!("127.0.0.1:{port}"),
            )
        }
        Kind::Sqlite => {
            let (path, url) = unopenable_sqlite_url();
            (url, path.display().to_string())
        }
    };
    let out = trendtap(&["fetch", "--region", "AE"], &env(&url, Some(&db_url))).await;
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(out.stderr.contains(&target), "{}", out.stderr);
    // (A SQLite URL has no password to leak.)
    assert!(!out.stderr.contains("hunter2secret"), "{}", out.stderr);
    out.assert_no_secret();
    assert_eq!(api.requests().await.len(), 0);
}

async fn a_second_run_on_a_locked_database_exits_4_and_spends_no_quota(kind: Kind) {
    let api = fake_with_ae_and_us().await;
    let db = CliStore::new(kind).await;
    let url = api.url();
    // PostgreSQL's advisory lock, SQLite's file lock on `trendtap.db.lock`.
    let holder = crate::support::hold_lock(&db.url).await;
    let run_id = holder
        .begin_run(chrono::Utc::now(), &["JP"], &["0".into()])
        .await
        .unwrap();

    let out = db.run(&["fetch", "--region", "AE"], &env(&url, None)).await;
    assert_eq!(out.code, 4, "{}", out.stderr);
    assert!(
        out.stderr.contains(&format!("run {run_id}")),
        "{}",
        out.stderr
    );
    assert_eq!(api.requests().await.len(), 0);
}

async fn exhausted_quota_exits_5_and_stores_complete_charts(kind: Kind) {
    let api = FakeYouTube::start().await;
    api.chart("AE", "0", &synthetic_items("ae", 10)).await;
    // US answers late, after AE is complete.
    let quota = recorded_error(403, "quotaExceeded_403.json")
        .set_delay(std::time::Duration::from_millis(300));
    api.first_page("US", "0", quota, None).await;
    let db = CliStore::new(kind).await;
    let url = api.url();
    let out = db
        .run(&["fetch", "--region", "AE,US"], &env(&url, None))
        .await;
    assert_eq!(out.code, 5, "{}", out.stderr);
    assert!(
        out.stderr.contains("midnight Pacific") && out.stderr.contains("UTC"),
        "{}",
        out.stderr
    );
    assert_eq!(db.count("chart_entries").await, 10);
    let halt = db.text("SELECT halt_reason FROM runs").await;
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
        out.stderr.contains("check the key") && out.stderr.contains("YOUTUBE_API_KEY"),
        "{}",
        out.stderr
    );
    out.assert_no_secret();
}

async fn migrate_and_regions_commands(kind: Kind) {
    let db = CliStore::via(kind, Via::Flag).await;
    let out = db.run(&["migrate"], &[]).await;
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(db.count("runs").await, 0);
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

async fn every_stored_language_says_where_it_came_from(kind: Kind) {
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
    let db = CliStore::new(kind).await;
    let url = api.url();
    let out = db.run(&["fetch", "--region", "IN"], &env(&url, None)).await;
    assert_eq!(out.code, 0, "{}", out.stderr);

    let rows = db
        .texts(
            "SELECT video_id || '|' || language || '|' || language_source FROM videos
             ORDER BY video_id",
        )
        .await;
    let expect = [
        ("api1", "te", "api"),
        ("chan1", "te", "channel"),
        ("det1", "en", "detected"),
        ("none1", "und", "none"),
    ];
    let rows: Vec<(&str, &str, &str)> = rows
        .iter()
        .map(|r| {
            let mut fields = r.split('|');
            let mut next = || fields.next().unwrap();
            (next(), next(), next())
        })
        .collect();
    assert_eq!(rows, expect);
}
