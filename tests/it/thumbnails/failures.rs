//! Each way a download goes wrong is recorded and changes the exit code without touching the
//! other images; revalidation replaces only on a 200; an unwritable folder stops the run first.

use chrono::Utc;

use super::{
    assert_table_matches_disk, files_in, image, maxres, quick_retries, seed, serve_images,
    thumbnails,
};
use crate::both;
use crate::support::images::{jpeg, ImageHost, Reply, LAST_MODIFIED};
use crate::support::{temp_dir, CliStore, Kind};

both!(
    each_failure_is_recorded_and_the_other_images_kept,
    revalidate_replaces_an_image_only_when_the_host_sends_a_new_one,
    an_unwritable_folder_exits_1_before_any_download,
);

async fn each_failure_is_recorded_and_the_other_images_kept(kind: Kind) {
    let host = ImageHost::start().await;
    let cap = 5 * 1024 * 1024;
    let ids = [
        "ok0001", "gone01", "busy01", "cut001", "html01", "huge01", "flood1",
    ];
    serve_images(&host, &["ok0001"]);
    host.serve(&maxres("gone01"), vec![Reply::Status(404, None)]);
    host.serve(
        &maxres("busy01"),
        vec![Reply::Status(429, Some(0)), image("busy01", 1)],
    );
    host.serve(
        &maxres("cut001"),
        vec![Reply::CutShort {
            declared: 4000,
            sent: 1500,
        }],
    );
    host.serve(&maxres("html01"), vec![Reply::Html]);
    let huge = Reply::Image {
        body: jpeg("huge", cap + 1),
        etag: "\"h\"".into(),
    };
    host.serve(&maxres("huge01"), vec![huge]);
    host.serve(
        &maxres("flood1"),
        vec![Reply::Unsized(jpeg("flood", cap + 1))],
    );
    let db = CliStore::new(kind).await;
    seed(&db, &host, Utc::now(), &[("US", &ids)]).await;
    let (config_dir, config) = quick_retries();
    let dir = temp_dir("thumbs");
    let out = thumbnails(&db, &dir, &["--config", &config]).await;
    assert_eq!(out.code, 3, "{}", out.stderr);
    assert!(
        out.stderr.contains("4 of 7 thumbnails failed"),
        "{}",
        out.stderr
    );

    let status = |id: &str| format!("SELECT status FROM thumbnails WHERE video_id = '{id}'");
    let error = |id: &str| format!("SELECT error FROM thumbnails WHERE video_id = '{id}'");
    for (id, expected, cause, requests) in [
        ("ok0001", "ok", None, 1),
        ("busy01", "ok", None, 2),
        ("gone01", "missing", Some("HTTP 404"), 1),
        ("cut001", "failed", Some("of the 4000 bytes announced"), 2),
        ("html01", "failed", Some("not an image"), 1),
        ("huge01", "failed", Some("Content-Length: 5242881"), 1),
        ("flood1", "failed", Some("cap"), 1),
    ] {
        assert_eq!(
            db.text(&status(id)).await.as_deref(),
            Some(expected),
            "{id}"
        );
        let recorded = db.text(&error(id)).await;
        match cause {
            None => assert_eq!(recorded, None, "{id}"),
            Some(cause) => {
                let recorded = recorded.unwrap_or_default();
                assert!(recorded.contains(cause), "{id}: {recorded}");
            }
        }
        assert_eq!(host.requests_for(&maxres(id)), requests, "{id}");
    }
    let html = db.text(&error("html01")).await.unwrap();
    assert!(
        html.contains("text/html") && html.contains("<!DOCTYPE html>"),
        "{html}"
    );
    assert_eq!(files_in(&dir), ["bu/busy01.jpg", "ok/ok0001.jpg"]);
    assert_table_matches_disk(&db, &dir).await;

    // The missing image is not asked again; the failed ones are.
    let again = thumbnails(&db, &dir, &["--config", &config]).await;
    assert_eq!(again.code, 3, "{}", again.stderr);
    assert_eq!(host.requests_for(&maxres("gone01")), 1);
    assert_eq!(host.requests_for(&maxres("html01")), 2);
    assert_eq!(host.requests_for(&maxres("ok0001")), 1);
    std::fs::remove_dir_all(dir).unwrap();
    std::fs::remove_dir_all(config_dir).unwrap();
}

async fn revalidate_replaces_an_image_only_when_the_host_sends_a_new_one(kind: Kind) {
    let host = ImageHost::start().await;
    let ids = ["same01", "new001", "gone01"];
    serve_images(&host, &ids);
    let db = CliStore::new(kind).await;
    seed(&db, &host, Utc::now(), &[("GB", &ids)]).await;
    let dir = temp_dir("thumbs");
    assert_eq!(thumbnails(&db, &dir, &[]).await.code, 0);
    let before = |id: &str| std::fs::read(dir.join(format!("{}/{id}.jpg", &id[..2]))).unwrap();
    let (same, gone) = (before("same01"), before("gone01"));

    host.serve(&maxres("new001"), vec![image("new001", 2)]);
    host.serve(&maxres("gone01"), vec![Reply::Status(404, None)]);
    let out = thumbnails(&db, &dir, &["--revalidate"]).await;
    assert_eq!(out.code, 0, "{}", out.stderr);
    let asked = host.requests();
    let last = |id: &str| {
        asked
            .iter()
            .rev()
            .find(|r| r.path == maxres(id))
            .unwrap()
            .clone()
    };
    let same_request = last("same01");
    assert_eq!(
        same_request
            .headers
            .get("if-none-match")
            .map(String::as_str),
        Some("\"same01-1\"")
    );
    assert_eq!(
        same_request
            .headers
            .get("if-modified-since")
            .map(String::as_str),
        Some(LAST_MODIFIED)
    );
    assert_eq!(before("same01"), same, "304: the file stays");
    assert_eq!(before("gone01"), gone, "404: the file stays");
    let Reply::Image { body, .. } = image("new001", 2) else {
        unreachable!()
    };
    assert_eq!(before("new001"), body, "200: replaced");
    let etag = db
        .text("SELECT etag FROM thumbnails WHERE video_id = 'new001'")
        .await;
    assert_eq!(etag.as_deref(), Some("\"new001-2\""));
    let statuses = db
        .texts("SELECT status FROM thumbnails ORDER BY video_id")
        .await;
    assert_eq!(statuses, ["ok", "ok", "ok"], "the rows describe the files");
    assert_table_matches_disk(&db, &dir).await;
    std::fs::remove_dir_all(dir).unwrap();
}

async fn an_unwritable_folder_exits_1_before_any_download(kind: Kind) {
    let host = ImageHost::start().await;
    serve_images(&host, &["ok0001"]);
    let db = CliStore::new(kind).await;
    seed(&db, &host, Utc::now(), &[("US", &["ok0001"])]).await;
    // A "folder" whose parent is a regular file cannot be created (root can write anywhere
    // else).
    let parent = temp_dir("thumbs");
    std::fs::write(parent.join("file"), "").unwrap();
    let out = thumbnails(&db, &parent.join("file/images"), &[]).await;
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(out.stderr.contains("not writable"), "{}", out.stderr);
    assert_eq!(host.requests().len(), 0);
    assert_eq!(db.count("thumbnails").await, 0);
    std::fs::remove_dir_all(parent).unwrap();
}
