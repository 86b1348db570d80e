//! The refresh's requests: videos by id, at most 50 ids a request, one task per batch under the
//! run's one semaphore, with the fetch's retry, stop and panic rules. Like the charts, it knows
//! no store: it returns what each batch found.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::Ordering;
use std::sync::Arc;

use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use crate::error::Halt;
use crate::model::Video;
use crate::normalize;
use crate::progress::Progress;
use crate::shutdown::RunControl;
use crate::youtube::{ApiError, Client, PAGE_SIZE};

/// What one batch came to.
#[derive(Debug, Clone, PartialEq)]
pub enum Batch {
    /// Answered: the videos the API returned, and the ids it did not (deleted, private,
    /// blocked everywhere).
    Done {
        /// The returned videos, normalized.
        videos: Vec<Video>,
        /// The ids asked for and not returned.
        missing: Vec<String>,
    },
    /// Failed (its error), or not requested because the run stopped first.
    Failed {
        /// Why.
        error: String,
    },
}

/// A batch's ids, its outcome and the requests it took.
#[derive(Debug, Clone, PartialEq)]
pub struct BatchResult {
    /// The ids asked for.
    pub ids: Vec<String>,
    /// What came of it.
    pub batch: Batch,
    /// Requests sent, retries included.
    pub requests: u32,
}

/// Splits `ids` into batches of at most 50, in order.
pub fn batches(ids: &[String]) -> Vec<Vec<String>> {
    ids.chunks(PAGE_SIZE as usize)
        .map(<[String]>::to_vec)
        .collect()
}

/// Asks every batch, at most `concurrency` requests in flight; results in batch order.
pub async fn fetch_batches(
    client: &Arc<Client>,
    batches: Vec<Vec<String>>,
    concurrency: usize,
    ctl: &Arc<RunControl>,
    progress: &Arc<Progress>,
) -> Vec<BatchResult> {
    let slots = Arc::new(Semaphore::new(concurrency));
    progress
        .charts_total
        .store(batches.len(), Ordering::Relaxed);
    let mut tasks = JoinSet::new();
    let mut ids_of = HashMap::new();
    for (index, ids) in batches.into_iter().enumerate() {
        let (client, slots, ctl, progress) =
            (client.clone(), slots.clone(), ctl.clone(), progress.clone());
        let task_ids = ids.clone();
        let handle = tasks.spawn(async move {
            let result = one_batch(&client, task_ids, &slots, &ctl, &progress).await;
            progress.charts_done.fetch_add(1, Ordering::Relaxed);
            result
        });
        ids_of.insert(handle.id(), (index, ids));
    }
    let mut results = Vec::with_capacity(tasks.len());
    while let Some(joined) = tasks.join_next_with_id().await {
        let (id, result) = match joined {
            Ok(done) => done,
            Err(err) => {
                let error = format!("internal error (the batch's task failed: {err})");
                let (_, ids) = &ids_of[&err.id()];
                let failed = BatchResult {
                    ids: ids.clone(),
                    batch: Batch::Failed { error },
                    requests: 0,
                };
                (err.id(), failed)
            }
        };
        results.push((ids_of[&id].0, result));
    }
    results.sort_by_key(|(index, _)| *index);
    results.into_iter().map(|(_, r)| r).collect()
}

/// One batch under a slot; the slot is held until the answer is classified (as for a chart).
async fn one_batch(
    client: &Client,
    ids: Vec<String>,
    slots: &Semaphore,
    ctl: &RunControl,
    progress: &Progress,
) -> BatchResult {
    let failed = |ids: Vec<String>, error: String, requests: u32| BatchResult {
        ids,
        batch: Batch::Failed { error },
        requests,
    };
    let permit = tokio::select! {
        biased;
        () = ctl.halt_token().cancelled() => None,
        permit = slots.acquire() => Some(permit.expect("the semaphore is never closed")),
    };
    let Some(_permit) = permit else {
        return failed(ids, "not requested: the run stopped".to_owned(), 0);
    };
    let fetched = tokio::select! {
        () = ctl.abort_token().cancelled() => None,
        fetched = client.videos_by_id(&ids, ctl.halt_token()) => Some(fetched),
    };
    let Some(fetched) = fetched else {
        return failed(ids, "not completed: the run stopped".to_owned(), 0);
    };
    progress
        .requests
        .fetch_add(u64::from(fetched.attempts), Ordering::Relaxed);
    progress.answered.fetch_add(1, Ordering::Relaxed);
    let page = match fetched.result {
        Ok(page) => page,
        Err(err) => {
            match err {
                ApiError::Quota { .. } => ctl.stop_with(Halt::Quota, err.to_string()),
                ApiError::BadKey { .. } => ctl.stop_with(Halt::BadKey, err.to_string()),
                ApiError::Rejected { .. } => ctl.stop_with(Halt::Rejected, err.to_string()),
                _ => {}
            }
            let error = format!("batch of {} ids from {}: {err}", ids.len(), ids[0]);
            return failed(ids, error, fetched.attempts);
        }
    };
    progress.pages.fetch_add(1, Ordering::Relaxed);
    let mut returned = HashSet::new();
    let mut videos = Vec::new();
    for item in page.response.videos() {
        let Ok(item) = item else { continue };
        if let Some(id) = &item.id {
            returned.insert(id.clone());
        }
        // The refresh keeps the language the fetch decided with a chart's region; the region
        // given here only feeds detection, whose answer the refresh does not store.
        match normalize::video(item, "US") {
            Ok(video) => videos.push(video),
            Err(why) => tracing::warn!("skipping a refreshed item: {why}"),
        }
    }
    let missing = ids
        .iter()
        .filter(|id| !returned.contains(*id))
        .cloned()
        .collect();
    BatchResult {
        ids,
        batch: Batch::Done { videos, missing },
        requests: fetched.attempts,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_go_in_batches_of_fifty() {
        let ids: Vec<String> = (0..120).map(|i| format!("v{i}")).collect();
        let sizes: Vec<usize> = batches(&ids).iter().map(Vec::len).collect();
        assert_eq!(sizes, [50, 50, 20]);
        assert_eq!(batches(&ids[..1]).len(), 1);
        assert_eq!(batches(&ids[..50]).len(), 1);
        assert_eq!(batches(&ids[..51]).len(), 2);
        assert!(batches(&[]).is_empty());
    }
}
