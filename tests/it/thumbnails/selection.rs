//! Which videos a run fetches (the latest complete run, `--since`, `--region`, `--limit`), which
//! image (`--quality`), and the usage errors.

use chrono::{Duration, Utc};

use super::{files_in, image, seed, serve_images, thumbnails};
use crate::both;
use crate::support::images::ImageHost;
use crate::support::{temp_dir, trendtap, CliStore, Kind};

both!(since_region_limit_and_quality_choose_what_is_fetched);

async fn since_region_limit_and_quality_choose_what_is_fetched(kind: Kind) {
    let host = ImageHost::start().await;
    let all = ["old001", "old002", "new001", "new002", "new003", "gb0001"];
    serve_images(&host, &all);
    let db = CliStore::new(kind).await;
    let now = Utc::now();
    seed(
        &db,
        &host,
        now - Duration::days(2),
        &[("US", &["old001", "old002"])],
    )
    .await;
    seed(
        &db,
        &host,
        now,
        &[("US", &["new001", "new002", "new003"]), ("GB", &["gb0001"])],
    )
    .await;
    // A newer run that stored nothing is not "the latest complete run".
    let store = db.open().await;
    store.begin_run(now, &["US"], &["0".into()]).await.unwrap();

    let fetched = |args: &'static [&'static str]| {
        let db = &db;
        async move {
            let dir = temp_dir("thumbs");
            let out = thumbnails(db, &dir, args).await;
            assert_eq!(out.code, 0, "{args:?}: {}", out.stderr);
            let files = files_in(&dir);
            std::fs::remove_dir_all(dir).unwrap();
            files
        }
    };
    assert_eq!(
        fetched(&[]).await,
        [
            "gb/gb0001.jpg",
            "ne/new001.jpg",
            "ne/new002.jpg",
            "ne/new003.jpg"
        ],
        "the latest complete run's videos"
    );
    assert_eq!(fetched(&["--since", "7d"]).await.len(), 6);
    assert_eq!(
        fetched(&["--since", "1h", "--region", "gb"]).await,
        ["gb/gb0001.jpg"]
    );
    assert_eq!(
        fetched(&["--since", "3d", "--region", "US", "--limit", "2"]).await,
        ["ne/new001.jpg", "ol/old001.jpg"]
    );

    for id in all {
        host.serve(&format!("/vi/{id}/mqdefault.jpg"), vec![image(id, 9)]);
    }
    let before = host.requests().len();
    assert_eq!(
        fetched(&["--quality", "medium", "--region", "GB"]).await,
        ["gb/gb0001.jpg"]
    );
    let asked: Vec<String> = host.requests()[before..]
        .iter()
        .map(|r| r.path.clone())
        .collect();
    assert_eq!(asked, ["/vi/gb0001/mqdefault.jpg"]);
    let url = db
        .text("SELECT url FROM thumbnails WHERE video_id = 'gb0001'")
        .await
        .unwrap();
    assert!(url.ends_with("/vi/gb0001/mqdefault.jpg"), "{url}");
}

#[tokio::test]
async fn usage_errors_exit_2_before_anything_else() {
    for args in [
        &["thumbnails"][..],
        &["thumbnails", "--dir", "x", "--since", "soon"],
        &["thumbnails", "--dir", "x", "--quality", "huge"],
        &["thumbnails", "--dir", "x", "--concurrency", "0"],
        &[
            "thumbnails",
            "--dir",
            "x",
            "--region",
            "XX",
            "--database-url",
            "sqlite://t.db",
        ],
    ] {
        let out = trendtap(args, &[]).await;
        assert_eq!(out.code, 2, "{args:?}: {}", out.stderr);
    }
}
