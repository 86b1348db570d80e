//! Operator comforts through the binary: quiet unattended runs, JSON logs, `doctor`,
//! completions and the man page. Every case that touches the store runs on both backends
//! (`name::postgres`, `name::sqlite`).

use serde_json::Value;
use wiremock::matchers::{path, query_param};
use wiremock::{Mock, ResponseTemplate};

use crate::both;
use crate::support::both::unopenable_sqlite_url;
use crate::support::fake::{recorded_error, synthetic_items};
use crate::support::{trendtap, CliStore, FakeYouTube, Kind, KEY};

both!(
    an_unattended_successful_run_prints_nothing_and_json_logs_parse,
    doctor_passes_on_a_healthy_setup_and_names_each_failure,
);

async fn an_unattended_successful_run_prints_nothing_and_json_logs_parse(kind: Kind) {
    let api = FakeYouTube::start().await;
    api.chart("AE", "0", &synthetic_items("ae", 5)).await;
    let db = CliStore::new(kind).await;
    let url = api.url();
    let env = [
        ("YOUTUBE_API_KEY", KEY),
        ("YOUTUBE_API_BASE_URL", url.as_str()),
    ];
    // stderr is a pipe here, as under cron: a clean run says nothing, so cron mails nothing.
    let out = db.run(&["fetch", "--region", "AE"], &env).await;
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!((out.stdout.as_str(), out.stderr.as_str()), ("", ""));

    let out = db
        .run(
            &["--log-format", "json", "-vv", "fetch", "--region", "AE"],
            &env,
        )
        .await;
    assert_eq!(out.code, 0, "{}", out.stderr);
    let lines: Vec<Value> = out
        .stderr
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON log line"))
        .collect();
    let finished = lines
        .iter()
        .find(|l| l["fields"]["message"] == "run finished")
        .unwrap();
    assert_eq!(finished["fields"]["status"], "ok");
    out.assert_no_secret();
}

async fn doctor_api(key_ok: bool) -> FakeYouTube {
    let api = FakeYouTube::start().await;
    let response = if key_ok {
        ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "kind": "youtube#i18nRegionListResponse",
            "items": [{"id": "AE", "snippet": {"gl": "AE", "name": "United Arab Emirates"}},
                      {"id": "US", "snippet": {"gl": "US", "name": "United States"}}]
        }))
    } else {
        recorded_error(400, "apiKeyInvalid_400_current_shape.json")
    };
    Mock::given(path("/i18nRegions"))
        .and(query_param("part", "snippet"))
        .and(query_param("key", KEY))
        .respond_with(response)
        .mount(&api.server)
        .await;
    api
}

async fn doctor_passes_on_a_healthy_setup_and_names_each_failure(kind: Kind) {
    let api = doctor_api(true).await;
    let db = CliStore::new(kind).await;
    let url = api.url();
    let env = [
        ("YOUTUBE_API_KEY", KEY),
        ("YOUTUBE_API_BASE_URL", url.as_str()),
    ];
    // A fresh database: migrations pending is a warning, not a failure.
    let out = db.run(&["doctor"], &env).await;
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert!(
        out.stdout.contains("ok    api key") && out.stdout.contains("2 regions listed"),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("warn  migrations"), "{}", out.stdout);
    assert_eq!(api.requests().await.len(), 1, "one cheap request");

    api.chart("AE", "0", &synthetic_items("ae", 3)).await;
    let fetch = db.run(&["fetch", "--region", "AE"], &env).await;
    assert_eq!(fetch.code, 0, "{}", fetch.stderr);
    let out = db.run(&["doctor", "--offline"], &env).await;
    assert_eq!(out.code, 0, "{}", out.stdout);
    for line in [
        "ok    migrations",
        "ok    lock",
        "ok    last run    run 1",
        "ok    quota       1 of 10000 units used or reserved today",
    ] {
        assert!(out.stdout.contains(line), "{line}: {}", out.stdout);
    }

    // A rejected key and a database that is down (SQLite: a file that cannot be opened) both
    // fail, with hints.
    let bad = doctor_api(false).await;
    let bad_url = bad.url();
    let (down, target) = match kind {
        Kind::Postgres => (
            "postgres://ingest:hunter2secret@127.0.0.1:1/none".to_owned(),
            "127.0.0.1:1".to_owned(),
        ),
        Kind::Sqlite => {
            let (path, url) = unopenable_sqlite_url();
            (url, path.display().to_string())
        }
    };
    let env = [
        ("YOUTUBE_API_KEY", KEY),
        ("YOUTUBE_API_BASE_URL", bad_url.as_str()),
        ("DATABASE_URL", down.as_str()),
    ];
    let out = trendtap(&["doctor"], &env).await;
    assert_eq!(out.code, 1, "{}", out.stdout);
    assert!(
        out.stdout.contains("FAIL  api key") && out.stdout.contains("check YOUTUBE_API_KEY"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("FAIL  database") && out.stdout.contains(&target),
        "{}",
        out.stdout
    );
    assert!(!out.stdout.contains("hunter2secret"));
    out.assert_no_secret();
}

#[tokio::test(flavor = "multi_thread")]
async fn completions_and_man_page() {
    let out = trendtap(&["completions", "bash"], &[]).await;
    assert_eq!(out.code, 0);
    assert!(out.stdout.contains("_trendtap()") && out.stdout.contains("--from-raw"));
    let out = trendtap(&["completions", "zsh"], &[]).await;
    assert!(out.stdout.starts_with("#compdef trendtap"));
    let out = trendtap(&["man"], &[]).await;
    assert_eq!(out.code, 0);
    assert!(out.stdout.contains(".TH trendtap 1") && out.stdout.contains("fetch"));
}
