//! What a run is to do: the images already in place are kept (asked about with
//! `--revalidate`), a URL the host said it does not have is not asked again, the rest goes to
//! the downloader; and the `thumbnails` row each outcome leaves.

use std::collections::HashMap;
use std::path::PathBuf;

use chrono::Utc;

use super::Settings;
use crate::store::{ThumbnailRecord, ThumbnailStatus, ThumbnailTarget};
use crate::thumbnails::{files, quality, Counters, DownloadError, Got, Job, Outcome, Validators};

/// What the downloader is to do, and what is known without it.
pub(super) struct Plan {
    pub jobs: Vec<Job>,
    /// Rows known now: files found in place without a row, ids that make no file name.
    pub rows: Vec<ThumbnailRecord>,
    /// The videos whose file is in place (revalidated), with their rows.
    pub in_place: HashMap<String, Option<ThumbnailRecord>>,
}

/// Sorts the targets: a file in place is kept (asked about with `--revalidate`), a URL the host
/// said it does not have is not asked again (unless `--revalidate`), the rest is downloaded.
pub(super) async fn plan(s: &Settings, targets: Vec<ThumbnailTarget>, counters: &Counters) -> Plan {
    let mut plan = Plan {
        jobs: Vec::new(),
        rows: Vec::new(),
        in_place: HashMap::new(),
    };
    for target in targets {
        let url = quality::url_for(&target.thumbnail_url, s.quality);
        let Some(path) = files::relative_path(&target.video_id) else {
            counters.count(&counters.failed);
            let mut row = empty_row(&target.video_id, &url, ThumbnailStatus::Failed);
            row.error = Some("not a YouTube video id: it makes no file name".to_owned());
            plan.rows.push(row);
            continue;
        };
        let recorded = target.recorded;
        let file = s.dir.join(&path);
        let recorded_here = recorded
            .as_ref()
            .filter(|r| r.status == ThumbnailStatus::Ok && r.path.as_deref() == Some(&path));
        if file.is_file() && !s.revalidate {
            counters.count(&counters.present);
            if recorded_here.is_none() {
                plan.rows
                    .extend(adopt(&target.video_id, &url, &path, file).await);
            }
            continue;
        }
        let mut validators = None;
        if file.is_file() {
            validators = recorded_here
                .filter(|r| r.url == url && (r.etag.is_some() || r.last_modified.is_some()))
                .map(|r| Validators {
                    etag: r.etag.clone(),
                    last_modified: r.last_modified,
                });
            plan.in_place.insert(target.video_id.clone(), recorded);
        } else if !s.revalidate
            && recorded.is_some_and(|r| r.status == ThumbnailStatus::Missing && r.url == url)
        {
            counters.count(&counters.missing);
            continue;
        }
        plan.jobs.push(Job {
            video_id: target.video_id,
            url,
            path,
            validators,
        });
    }
    plan
}

/// The row of a file found in place without one (a run killed before it recorded, a folder
/// filled by hand): its size and hash; what the host would say of it is unknown.
async fn adopt(video_id: &str, url: &str, path: &str, file: PathBuf) -> Option<ThumbnailRecord> {
    match files::hash_file(file).await {
        Ok((bytes, sha256)) => Some(ThumbnailRecord {
            path: Some(path.to_owned()),
            bytes: Some(bytes),
            sha256: Some(sha256),
            ..empty_row(video_id, url, ThumbnailStatus::Ok)
        }),
        Err(e) => {
            tracing::warn!(video_id, path, "cannot read the image in place: {e}");
            None
        }
    }
}

fn empty_row(video_id: &str, url: &str, status: ThumbnailStatus) -> ThumbnailRecord {
    ThumbnailRecord {
        video_id: video_id.to_owned(),
        url: url.to_owned(),
        path: None,
        bytes: None,
        sha256: None,
        content_type: None,
        etag: None,
        last_modified: None,
        fetched_at: Utc::now(),
        status,
        error: None,
    }
}

/// The row an outcome leaves. A file in place that could not be revalidated stays, and so does
/// its row (the table describes the folder).
pub(super) fn record(
    outcome: &Outcome,
    in_place: Option<&Option<ThumbnailRecord>>,
) -> Option<ThumbnailRecord> {
    let job = &outcome.job;
    let row = |status| empty_row(&job.video_id, &job.url, status);
    match &outcome.result {
        Ok(Got::Image(image)) => Some(ThumbnailRecord {
            path: Some(job.path.clone()),
            bytes: Some(image.bytes),
            sha256: Some(image.sha256.clone()),
            content_type: Some(image.content_type.clone()),
            etag: image.validators.etag.clone(),
            last_modified: image.validators.last_modified,
            ..row(ThumbnailStatus::Ok)
        }),
        Ok(Got::NotModified(now)) => in_place.cloned().flatten().map(|before| ThumbnailRecord {
            etag: now.etag.clone().or(before.etag),
            last_modified: now.last_modified.or(before.last_modified),
            fetched_at: Utc::now(),
            ..before
        }),
        Err(_) if in_place.is_some() => None,
        Err(err) => Some(ThumbnailRecord {
            error: Some(err.to_string()),
            ..row(match err {
                DownloadError::Missing { .. } => ThumbnailStatus::Missing,
                _ => ThumbnailStatus::Failed,
            })
        }),
    }
}
