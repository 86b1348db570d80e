//! `fetch --from-raw`: a raw archive read back into charts, exactly as a fetch of the same pages
//! would have produced them (the same normalization, the original times).

use std::path::Path;

use chrono::{DateTime, Utc};

use super::{collect_page, new_outcome, Collected, Fetch};
use crate::error::Error;
use crate::model::{Chart, ChartKey, ChartStatus};
use crate::progress::Progress;
use crate::raw;
use crate::regions;
use crate::youtube::wire::VideoListResponse;

/// Reads a raw archive back into charts, as a fetch would have produced them. `--region` and
/// `--category` (when given) select charts; a requested region missing from the archive is an
/// error. Returns the charts and the original run's start time.
pub fn replay(
    dir: &Path,
    regions: &[&'static str],
    categories: &[String],
    progress: &Progress,
) -> Result<(Fetch, DateTime<Utc>), Error> {
    let run = raw::resolve_run(dir)?;
    let manifest = raw::read_manifest(&run)?;
    tracing::info!(run = %run.display(), charts = manifest.charts.len(), "replaying a raw archive");
    for region in regions {
        if !manifest.charts.iter().any(|c| c.region == *region) {
            return Err(Error::Usage(format!(
                "region {region} is not in the archive {}",
                run.display()
            )));
        }
    }
    let mut fetch = Fetch::default();
    for saved in &manifest.charts {
        let region = regions::canonical(&saved.region).ok_or_else(|| {
            Error::Archive(raw::ArchiveError::Manifest {
                path: run.join(raw::MANIFEST).display().to_string(),
                message: format!("unknown region `{}`", saved.region),
            })
        })?;
        let wanted = (regions.is_empty() || regions.contains(&region))
            && (categories.is_empty() || categories.contains(&saved.category_id));
        if !wanted {
            continue;
        }
        let key = ChartKey {
            region,
            category_id: saved.category_id.clone(),
        };
        let mut outcome = new_outcome(&key);
        if saved.status != ChartStatus::Ok {
            outcome.status = saved.status;
            outcome.error = saved
                .error
                .as_ref()
                .map(|e| format!("in the archived run: {e}"));
            fetch.outcomes.push(outcome);
            continue;
        }
        let mut collected = Collected::default();
        for page in 1..=saved.pages {
            let path = raw::page_path(&run, region, &key.category_id, page);
            let response = raw::read_page(&path)
                .map_err(|e| e.to_string())
                .and_then(|body| {
                    serde_json::from_slice::<VideoListResponse>(&body)
                        .map_err(|e| format!("{} is not a video list: {e}", path.display()))
                });
            match response {
                Ok(response) => {
                    collect_page(&key, &response, &mut collected, &mut outcome, progress)
                }
                Err(e) => {
                    outcome.status = ChartStatus::Failed;
                    outcome.error = Some(format!("{key} page {page}: {e}"));
                    break;
                }
            }
        }
        if outcome.status == ChartStatus::Ok {
            outcome.videos = collected.entries.len() as u32;
            fetch.charts.push(Chart {
                key,
                fetched_at: saved.fetched_at.unwrap_or(manifest.started_at),
                entries: collected.entries,
            });
        }
        fetch.outcomes.push(outcome);
    }
    Ok((fetch, manifest.started_at))
}
