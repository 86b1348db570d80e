//! The raw archive and the embedded default through the binary: `--save-raw` then `--from-raw`
//! gives the same rows on both backends, and the shipped capture loads on a machine with
//! nothing configured.

use serde_json::Value;

use crate::both;
use std::time::Duration;

use wiremock::ResponseTemplate;

use crate::support::fake::{error_body, recorded_items, synthetic_items, trending_items};
use crate::support::{command_in, finish, temp_dir, trendtap, FakeYouTube, Kind, TestStore, KEY};

both!(
    save_raw_then_from_raw_gives_the_same_rows,
    a_raw_page_that_cannot_be_written_is_reported_and_the_run_is_still_stored,
);

async fn save_raw_then_from_raw_gives_the_same_rows(kind: Kind) {
    let api = FakeYouTube::start().await;
    let mut ae = recorded_items("videos_mostPopular_SA_snippet_statistics_2024-07.json");
    ae.extend(trending_items("US")[..60].iter().cloned());
    api.chart("AE", "0", &ae).await;
    api.chart("US", "0", &trending_items("US")).await;
    api.first_page(
        "JP",
        "0",
        error_body(404, "notFound", "Requested entity was not found."),
        None,
    )
    .await;
    let archive = temp_dir("archive");
    let (original, replayed) = (TestStore::new(kind).await, TestStore::new(kind).await);
    let url = api.url();

    let out = trendtap(
        &[
            "fetch",
            "--region",
            "AE,US,JP",
            "--save-raw",
            archive.to_str().unwrap(),
        ],
        &[
            ("YOUTUBE_API_KEY", KEY),
            ("YOUTUBE_API_BASE_URL", &url),
            ("DATABASE_URL", &original.url),
        ],
    )
    .await;
    assert_eq!(out.code, 0, "{}", out.stderr);
    let requests = api.requests().await.len();
    assert_eq!(requests, 2 + 4 + 1);

    // Pages are saved as received, gzip-compressed, beside a manifest.
    let runs: Vec<_> = std::fs::read_dir(&archive)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(runs.len(), 1);
    let run = &runs[0];
    let manifest: Value =
        serde_json::from_str(&std::fs::read_to_string(run.join("manifest.json")).unwrap()).unwrap();
    let charts = manifest["charts"].as_array().unwrap();
    assert_eq!(charts.len(), 3);
    assert_eq!(charts[2]["status"], "no_chart");
    let page = trendtap::raw::read_page(&run.join("US/0/page-4.json.gz")).unwrap();
    let page: Value = serde_json::from_slice(&page).unwrap();
    assert_eq!(page["items"].as_array().unwrap().len(), 50);
    assert!(!std::fs::read_dir(run.join("US/0"))
        .unwrap()
        .any(|e| e.unwrap().path().extension() == Some("tmp".as_ref())));

    // The replay needs no key and no API, and gives the same rows.
    let out = trendtap(
        &["fetch", "--from-raw", archive.to_str().unwrap()],
        &[("DATABASE_URL", &replayed.url)],
    )
    .await;
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(
        api.requests().await.len(),
        requests,
        "a replay makes no request"
    );
    for (table, exclude, order) in [
        ("videos", &["last_run_id"][..], "video_id"),
        ("video_regions", &[][..], "video_id, region"),
        (
            "chart_entries",
            &["run_id"][..],
            "region, category_id, rank",
        ),
    ] {
        let (a, b) = (
            original.dump(table, exclude, order).await,
            replayed.dump(table, exclude, order).await,
        );
        assert!(!a.is_empty(), "{table}");
        assert_eq!(a, b, "{table} differs between the run and its replay");
    }
    assert_eq!(
        replayed.text("SELECT status FROM runs").await.as_deref(),
        Some("ok")
    );

    // --region selects charts of the archive; a region it lacks is a usage error.
    let out = trendtap(
        &[
            "fetch",
            "--from-raw",
            run.to_str().unwrap(),
            "--region",
            "us",
            "--dry-run",
        ],
        &[],
    )
    .await;
    assert_eq!(out.code, 0, "{}", out.stderr);
    let videos: Vec<Value> = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(videos.len(), 200);
    let out = trendtap(
        &[
            "fetch",
            "--from-raw",
            run.to_str().unwrap(),
            "--region",
            "FR",
            "--dry-run",
        ],
        &[],
    )
    .await;
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("FR"), "{}", out.stderr);
    std::fs::remove_dir_all(&archive).unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn the_shipped_capture_loads_into_the_embedded_default_with_nothing_configured() {
    let capture = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/capture");
    let cwd = temp_dir("fresh");
    let out = finish(
        command_in(&cwd, &["fetch", "--from-raw", capture], &[])
            .spawn()
            .unwrap(),
    )
    .await;
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        cwd.join("trendtap.db").is_file(),
        "the default store is ./trendtap.db"
    );

    sqlx::any::install_default_drivers();
    let url = format!("sqlite://{}", cwd.join("trendtap.db").display());
    let stored = sqlx::query_scalar::<_, i64>("SELECT count(DISTINCT region) FROM chart_entries")
        .fetch_one(&sqlx::AnyPool::connect(&url).await.unwrap())
        .await
        .unwrap();
    assert!(stored >= 5, "{stored} regions");

    let out = finish(
        command_in(&cwd, &["top", "--region", "AE", "--limit", "3"], &[])
            .spawn()
            .unwrap(),
    )
    .await;
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.stdout.lines().count(), 4, "{}", out.stdout);
    assert!(
        out.stdout.starts_with("AE United Arab Emirates"),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("   1 "), "{}", out.stdout);

    // A second load of the same capture is idempotent for videos.
    let out = finish(
        command_in(&cwd, &["fetch", "--from-raw", capture], &[])
            .spawn()
            .unwrap(),
    )
    .await;
    assert_eq!(out.code, 0, "{}", out.stderr);
    std::fs::remove_dir_all(&cwd).unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_save_raw_folder_that_cannot_be_written_exits_2_before_any_request() {
    let api = FakeYouTube::start().await;
    api.chart("AE", "0", &synthetic_items("ae", 3)).await;
    // Root ignores permission bits: a folder below a file cannot be created by anyone.
    let dir = temp_dir("not-writable");
    std::fs::write(dir.join("a-file"), "x").unwrap();
    let target = dir.join("a-file").join("raw");
    let db = TestStore::new(Kind::Sqlite).await;
    let url = api.url();
    let out = trendtap(
        &[
            "fetch",
            "--region",
            "AE",
            "--save-raw",
            target.to_str().unwrap(),
        ],
        &[
            ("YOUTUBE_API_KEY", KEY),
            ("YOUTUBE_API_BASE_URL", &url),
            ("DATABASE_URL", &db.url),
        ],
    )
    .await;
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr.contains(target.to_str().unwrap()) && out.stderr.contains("not writable"),
        "{}",
        out.stderr
    );
    assert_eq!(api.requests().await.len(), 0, "no request was made");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A page write that fails as on a full disk (its temporary file is a link to /dev/full): the
/// failure is reported with the path, the manifest records the chart as failed, and every
/// chart, that one included, is stored.
async fn a_raw_page_that_cannot_be_written_is_reported_and_the_run_is_still_stored(kind: Kind) {
    let api = FakeYouTube::start().await;
    api.chart("AE", "0", &synthetic_items("ae", 3)).await;
    // US answers late, so that its folder can be prepared while it is awaited.
    api.first_page(
        "US",
        "0",
        ResponseTemplate::new(200)
            .set_body_json(serde_json::json!({"items": synthetic_items("us", 4)}))
            .set_delay(Duration::from_millis(1500)),
        None,
    )
    .await;
    let archive = temp_dir("full-disk");
    let db = TestStore::new(kind).await;
    let url = api.url();
    let child = crate::support::command(
        &[
            "fetch",
            "--region",
            "AE,US",
            "--save-raw",
            archive.to_str().unwrap(),
        ],
        &[
            ("YOUTUBE_API_KEY", KEY),
            ("YOUTUBE_API_BASE_URL", &url),
            ("DATABASE_URL", &db.url),
        ],
    )
    .spawn()
    .unwrap();
    let archive_dir = archive.clone();
    crate::support::wait_until("the run folder exists", || {
        let archive = archive_dir.clone();
        async move { std::fs::read_dir(&archive).unwrap().next().is_some() }
    })
    .await;
    let run = std::fs::read_dir(&archive)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let page_dir = run.join("US").join("0");
    std::fs::create_dir_all(&page_dir).unwrap();
    std::os::unix::fs::symlink("/dev/full", page_dir.join("page-1.json.gz.tmp")).unwrap();
    let out = finish(child).await;

    assert_eq!(out.code, 0, "every chart is stored:\n{}", out.stderr);
    assert_eq!(db.count("chart_entries").await, 3 + 4);
    let page = page_dir.join("page-1.json.gz");
    assert!(
        out.stderr.contains(page.to_str().unwrap()) && out.stderr.contains("No space left"),
        "{}",
        out.stderr
    );
    let manifest: Value =
        serde_json::from_str(&std::fs::read_to_string(run.join("manifest.json")).unwrap()).unwrap();
    let charts = manifest["charts"].as_array().unwrap();
    assert_eq!(charts[0]["status"], "ok");
    assert_eq!(charts[1]["status"], "failed");
    assert!(
        charts[1]["error"]
            .as_str()
            .unwrap()
            .contains("No space left"),
        "{}",
        charts[1]
    );
    std::fs::remove_dir_all(&archive).unwrap();
}
