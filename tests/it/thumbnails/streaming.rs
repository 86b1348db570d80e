//! Bodies are streamed to a temporary file as they arrive and renamed only when complete; a
//! signal mid-download leaves no temporary file and exits 130/143.

use chrono::Utc;

use super::{assert_table_matches_disk, files_in, maxres, partial_files, seed, serve_images};
use crate::both;
use crate::support::both::Stderr;
use crate::support::images::{jpeg, ImageHost, Reply};
use crate::support::{finish, signal, temp_dir, wait_until, CliStore, Kind};

both!(
    a_slow_body_is_streamed_to_a_temporary_file_and_renamed_when_complete,
    sigterm_mid_download_leaves_no_partial_file_and_exits_143,
    sigint_mid_download_leaves_no_partial_file_and_exits_130,
);

async fn a_slow_body_is_streamed_to_a_temporary_file_and_renamed_when_complete(kind: Kind) {
    let host = ImageHost::start().await;
    let body = jpeg("slow", 400 * 1024);
    host.serve(&maxres("slow01"), vec![Reply::Held(body.clone())]);
    serve_images(&host, &["fast01", "fast02"]);
    let db = CliStore::new(kind).await;
    seed(
        &db,
        &host,
        Utc::now(),
        &[("US", &["slow01", "fast01", "fast02"])],
    )
    .await;
    let dir = temp_dir("thumbs");
    let dir_arg = dir.display().to_string();
    let child = db
        .command(&["thumbnails", "--dir", &dir_arg], &[])
        .spawn()
        .unwrap();
    // Half the body is sent and the rest held: it is on disk under a temporary name, growing
    // as it arrives (not held in memory), and nothing is under the final name.
    wait_until("part of the slow body is on disk", || async {
        let part = partial_files(&dir);
        part.len() == 1 && std::fs::metadata(dir.join(&part[0])).unwrap().len() >= 100 * 1024
    })
    .await;
    wait_until("the other images are in place", || async {
        dir.join("fa/fast01.jpg").exists() && dir.join("fa/fast02.jpg").exists()
    })
    .await;
    assert!(
        !dir.join("sl/slow01.jpg").exists(),
        "nothing half-written under the final name"
    );
    host.release();
    let out = finish(child).await;
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(std::fs::read(dir.join("sl/slow01.jpg")).unwrap(), body);
    assert!(partial_files(&dir).is_empty());
    assert_table_matches_disk(&db, &dir).await;
    std::fs::remove_dir_all(dir).unwrap();
}

/// A signal while one body is held halfway: the held download is dropped with its temporary
/// file, the finished images are kept and recorded.
async fn interrupted_mid_download(kind: Kind, sig: &str, code: i32) {
    let host = ImageHost::start().await;
    host.serve(
        &maxres("held01"),
        vec![Reply::Held(jpeg("held", 400 * 1024))],
    );
    serve_images(&host, &["done01", "done02"]);
    let db = CliStore::new(kind).await;
    seed(
        &db,
        &host,
        Utc::now(),
        &[("US", &["held01", "done01", "done02"])],
    )
    .await;
    let dir = temp_dir("thumbs");
    let dir_arg = dir.display().to_string();
    let mut child = db
        .command(&["thumbnails", "--dir", &dir_arg], &[])
        .spawn()
        .unwrap();
    let stderr = Stderr::watch(&mut child);
    wait_until("the held body is being written", || async {
        partial_files(&dir).len() == 1
            && dir.join("do/done01.jpg").exists()
            && dir.join("do/done02.jpg").exists()
    })
    .await;
    signal(&child, sig);
    let out = stderr.finish(child).await;
    assert_eq!(out.code, code, "{}", out.stderr);
    assert!(
        out.stderr.contains("no partial file is left"),
        "{}",
        out.stderr
    );
    assert_eq!(
        partial_files(&dir),
        Vec::<String>::new(),
        "no temporary file left"
    );
    assert_eq!(files_in(&dir), ["do/done01.jpg", "do/done02.jpg"]);
    assert_table_matches_disk(&db, &dir).await;
    assert_eq!(
        db.count("thumbnails").await,
        2,
        "the dropped download has no row"
    );
    std::fs::remove_dir_all(dir).unwrap();
}

async fn sigterm_mid_download_leaves_no_partial_file_and_exits_143(kind: Kind) {
    interrupted_mid_download(kind, "TERM", 143).await;
}

async fn sigint_mid_download_leaves_no_partial_file_and_exits_130(kind: Kind) {
    interrupted_mid_download(kind, "INT", 130).await;
}
