//! `trendtap thumbnails` through the built binary, on both backends, against a fake image host on
//! loopback (`support::images`) whose URLs are the stored videos' thumbnail URLs: here the layout
//! and the table after `fetch`, idempotent runs and the bound on downloads in flight, with the
//! helpers; `failures` (each way a download goes wrong, revalidation, an unwritable folder),
//! `streaming` (a body streamed while it arrives, signals mid-download), `selection` (which
//! videos, which quality, usage errors).

mod failures;
mod selection;
mod streaming;

use std::path::Path;

use chrono::{DateTime, Utc};
use serde_json::{json, Value};

use crate::both;
use crate::store::{chart, save};
use crate::support::images::{jpeg, sha256, ImageHost, Reply};
use crate::support::{temp_dir, CliStore, FakeYouTube, Kind, KEY};

both!(
    fetch_then_thumbnails_keeps_every_image_of_the_latest_run_once,
    downloads_in_flight_never_exceed_the_bound,
);

/// The path of a video's best thumbnail on the host.
pub fn maxres(id: &str) -> String {
    format!("/vi/{id}/maxresdefault.jpg")
}

/// A chart item (API JSON) whose thumbnails are on `host`, maxres the best.
pub fn item(host: &ImageHost, id: &str) -> Value {
    let thumb = |name: &str| json!({"url": host.url(&format!("/vi/{id}/{name}.jpg"))});
    json!({
        "id": id,
        "snippet": {"title": format!("Video {id}"), "channelTitle": "Chan",
                    "publishedAt": "2024-07-01T18:45:07Z", "categoryId": "10",
                    "thumbnails": {"default": thumb("default"), "medium": thumb("mqdefault"),
                                   "high": thumb("hqdefault"), "maxres": thumb("maxresdefault")}},
        "statistics": {"viewCount": "1000"}
    })
}

/// The image `id` serves: a body of its own and an ETag.
pub fn image(id: &str, version: u32) -> Reply {
    Reply::Image {
        body: jpeg(&format!("{id}-v{version}"), 3000 + id.len()),
        etag: format!("\"{id}-{version}\""),
    }
}

/// Serves every id's maxres image.
pub fn serve_images(host: &ImageHost, ids: &[&str]) {
    for id in ids {
        host.serve(&maxres(id), vec![image(id, 1)]);
    }
}

/// Stores one complete run seen at `at`: one chart per region, its videos ranked in order.
pub async fn seed(
    db: &CliStore,
    host: &ImageHost,
    at: DateTime<Utc>,
    charts: &[(&'static str, &[&str])],
) {
    let store = db.open().await;
    let charts: Vec<_> = charts
        .iter()
        .map(|(region, ids)| {
            let items: Vec<Value> = ids.iter().map(|id| item(host, id)).collect();
            chart(region, &items, at)
        })
        .collect();
    save(&store, at, &charts).await;
}

/// Every file under `dir`, relative, sorted (temporary files included).
pub fn files_in(dir: &Path) -> Vec<String> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if entry.path().is_dir() {
            for inner in std::fs::read_dir(entry.path()).unwrap().flatten() {
                files.push(format!("{name}/{}", inner.file_name().to_string_lossy()));
            }
        } else {
            files.push(name);
        }
    }
    files.sort();
    files
}

/// The temporary files in `dir`.
pub fn partial_files(dir: &Path) -> Vec<String> {
    files_in(dir)
        .into_iter()
        .filter(|f| f.contains(".part"))
        .collect()
}

/// The `ok` rows are exactly the files on disk, with their size and hash; no other file is there.
pub async fn assert_table_matches_disk(db: &CliStore, dir: &Path) {
    let ok = "FROM thumbnails WHERE status = 'ok' ORDER BY path";
    let paths = db.texts(&format!("SELECT path {ok}")).await;
    let hashes = db.texts(&format!("SELECT sha256 {ok}")).await;
    let sizes = db.ints(&format!("SELECT bytes {ok}")).await;
    assert_eq!(paths, files_in(dir), "the ok rows are the files on disk");
    for ((path, hash), size) in paths.iter().zip(&hashes).zip(&sizes) {
        let bytes = std::fs::read(dir.join(path)).unwrap();
        assert_eq!(bytes.len() as i64, *size, "{path}");
        assert_eq!(&sha256(&bytes), hash, "{path}");
    }
    let unset = db
        .int("SELECT count(*) FROM thumbnails WHERE status <> 'ok' AND path IS NOT NULL")
        .await;
    assert_eq!(unset, Some(0), "only ok rows have a path");
}

/// `thumbnails --dir DIR ARGS` against the store.
pub async fn thumbnails(db: &CliStore, dir: &Path, args: &[&str]) -> crate::support::Output {
    let dir = dir.display().to_string();
    let mut all = vec!["thumbnails", "--dir", &dir];
    all.extend_from_slice(args);
    db.run(&all, &[]).await
}

/// A config file that makes retries quick and few (the API client's settings apply).
pub fn quick_retries() -> (std::path::PathBuf, String) {
    let dir = temp_dir("thumbs-config");
    let path = dir.join("trendtap.toml");
    std::fs::write(&path, "max_attempts = 2\nmax_backoff_secs = 1\n").unwrap();
    let text = path.display().to_string();
    (dir, text)
}

async fn fetch_then_thumbnails_keeps_every_image_of_the_latest_run_once(kind: Kind) {
    let host = ImageHost::start().await;
    let ids = ["us0000", "us0001", "us0002", "us0003", "us0004", "us0005"];
    serve_images(&host, &ids);
    let api = FakeYouTube::start().await;
    let items: Vec<Value> = ids.iter().map(|id| item(&host, id)).collect();
    api.chart("US", "0", &items).await;
    let db = CliStore::new(kind).await;
    let url = api.url();
    let env = [
        ("YOUTUBE_API_KEY", KEY),
        ("YOUTUBE_API_BASE_URL", url.as_str()),
    ];
    let fetched = db.run(&["fetch", "--region", "US"], &env).await;
    assert_eq!(fetched.code, 0, "{}", fetched.stderr);

    let dir = temp_dir("thumbs");
    let metrics = dir.join("metrics.prom");
    let folder = dir.join("images");
    let metrics_arg = metrics.display().to_string();
    let out = thumbnails(&db, &folder, &["--metrics-file", &metrics_arg]).await;
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(
        out.stdout, "",
        "nothing on stdout: cron mails only problems"
    );
    let expected: Vec<String> = ids.iter().map(|id| format!("us/{id}.jpg")).collect();
    assert_eq!(
        files_in(&folder),
        expected,
        "DIR/<first two chars>/<id>.jpg"
    );
    assert_table_matches_disk(&db, &folder).await;
    assert_eq!(db.count("thumbnails").await, 6);
    let url_of_first = db
        .text("SELECT url FROM thumbnails WHERE video_id = 'us0000'")
        .await;
    assert_eq!(url_of_first, Some(host.url(&maxres("us0000"))));
    let types = db
        .texts("SELECT DISTINCT content_type FROM thumbnails")
        .await;
    assert_eq!(types, ["image/jpeg"]);
    let metrics = std::fs::read_to_string(&metrics).unwrap();
    for line in [
        "trendtap_last_run_exit_code{job=\"thumbnails\"} 0",
        "trendtap_thumbnails{job=\"thumbnails\",status=\"downloaded\"} 6",
        "trendtap_thumbnails{job=\"thumbnails\",status=\"failed\"} 0",
        "trendtap_api_requests{job=\"thumbnails\"} 0",
    ] {
        assert!(metrics.lines().any(|l| l == line), "{line} in\n{metrics}");
    }
    let bytes = db
        .int("SELECT CAST(sum(bytes) AS BIGINT) FROM thumbnails")
        .await
        .unwrap();
    let bytes_line = format!("trendtap_thumbnail_bytes{{job=\"thumbnails\"}} {bytes}");
    assert!(metrics.lines().any(|l| l == bytes_line), "{metrics}");

    // The same videos again: nothing is asked, nothing changes.
    let asked = host.requests().len();
    let rows = db.dump("thumbnails", &[], "video_id").await;
    let again = thumbnails(&db, &folder, &[]).await;
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert_eq!(
        host.requests().len(),
        asked,
        "the second run downloads nothing"
    );
    assert_eq!(db.dump("thumbnails", &[], "video_id").await, rows);
    assert_eq!(files_in(&folder), expected);
    std::fs::remove_dir_all(dir).unwrap();
}

async fn downloads_in_flight_never_exceed_the_bound(kind: Kind) {
    let host = ImageHost::start().await;
    let ids: Vec<String> = (0..12).map(|i| format!("cc{i:04}")).collect();
    let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
    serve_images(&host, &ids);
    // The first answers wait until three requests are in flight, then a little longer: a
    // fourth request would be seen then.
    host.hold_until_in_flight(3);
    let db = CliStore::new(kind).await;
    seed(&db, &host, Utc::now(), &[("US", &ids)]).await;
    let dir = temp_dir("thumbs");
    let out = thumbnails(&db, &dir, &["--concurrency", "3"]).await;
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(host.requests().len(), 12);
    assert_eq!(host.max_in_flight(), 3, "measured at the server");
    assert!(
        host.connections() < 12,
        "connections are reused: {} for 12 images",
        host.connections()
    );
    assert_table_matches_disk(&db, &dir).await;
    std::fs::remove_dir_all(dir).unwrap();
}
