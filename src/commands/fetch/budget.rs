//! The fetch's quota budget, settled before its first request: the day's exhaustion remembered,
//! `--category all`'s category lists (1 unit a region, kept 7 days), the estimate of the plan
//! from what the store remembers of each chart, and its reservation in the ledger shared by
//! every trendtap process on the database. The pure parts (estimate, fit, fingerprint) are
//! `crate::budget`; the ledger's SQL is `store`.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};

use crate::budget::{self, Category, CATEGORY_LIST_DAYS};
use crate::commands::booking::Booking;
use crate::config::FetchConfig;
use crate::error::{Error, Halt};
use crate::fetch::{self, new_outcome};
use crate::model::{ChartKey, ChartOutcome, ChartStatus};
use crate::shutdown::RunControl;
use crate::store::Store;
use crate::youtube::{ApiError, Client};

/// How far back the estimate reads the runs' charts.
const MEMORY_DAYS: i64 = 30;

/// What the run will request, and what it will not.
#[derive(Debug, Default)]
pub(super) struct Planned {
    /// The charts to request, in plan order.
    pub charts: Vec<ChartKey>,
    /// The charts not requested (no chart recently, or over budget), with their outcomes.
    pub skipped: Vec<ChartOutcome>,
    /// Units the no-chart skipping saved.
    pub saved_units: u64,
    /// Set when the run may make no request at all (exhausted today, or over budget).
    pub refused: Option<Halt>,
}

impl Planned {
    /// Every chart of the configuration, nothing skipped (a dry run: no ledger to ask).
    pub fn everything(cfg: &FetchConfig) -> Self {
        if cfg.all_categories {
            tracing::warn!("--category all reads each region's categories from the store; a dry run has none: fetching category 0 only");
        }
        Planned {
            charts: fetch::plan(&cfg.regions, &cfg.categories),
            ..Planned::default()
        }
    }
}

/// Plans a run against the ledger: refuses it (no request) when today's quota is known to be
/// exhausted or its estimate does not fit, trims it with `--fit-budget`, and books it.
pub(super) async fn plan(
    store: &Store,
    booking: &Booking,
    cfg: &FetchConfig,
    client: &Client,
    ctl: &RunControl,
    now: DateTime<Utc>,
) -> Result<Planned, Error> {
    let exhausted_at = booking.exhausted_at(store).await?;
    if let Some(at) = exhausted_at.filter(|_| !cfg.budget.ignore_exhausted) {
        return Ok(refused(
            fetch::plan(&cfg.regions, &cfg.categories),
            Halt::QuotaKnown { at },
        ));
    }
    let keys = if cfg.all_categories {
        match categories(store, booking, cfg, client, ctl, now).await? {
            Ok(keys) => keys,
            Err(halt) => return Ok(refused(fetch::plan(&cfg.regions, &cfg.categories), halt)),
        }
    } else {
        fetch::plan(&cfg.regions, &cfg.categories)
    };
    let memory = store
        .chart_memory(now - Duration::days(MEMORY_DAYS))
        .await?;
    let estimate = budget::estimate(&keys, &memory, cfg.max_pages, cfg.no_chart_skip_days, now);
    let mut planned = Planned {
        saved_units: estimate.saved(),
        skipped: estimate
            .skipped_no_chart
            .iter()
            .map(|(key, _)| {
                skipped(
                    key,
                    ChartStatus::SkippedNoChart,
                    no_chart_note(&memory, key),
                )
            })
            .collect(),
        ..Planned::default()
    };
    let wanted = estimate.units();
    let minimum = if cfg.budget.fit {
        wanted.min(1)
    } else {
        wanted
    };
    let grant = booking.reserve(store, &cfg.budget, wanted, minimum).await?;
    let Some(granted) = grant.granted else {
        let halt = Halt::OverBudget {
            needed: wanted,
            left: grant.remaining,
        };
        let charts = estimate.charts.iter().map(|(key, _)| key.clone()).collect();
        let mut refused = refused(charts, halt);
        refused.skipped.extend(planned.skipped);
        refused.saved_units = planned.saved_units;
        return Ok(refused);
    };
    let (fits, over) = budget::fit(&estimate.charts, granted);
    if !over.is_empty() {
        tracing::warn!(
            wanted,
            granted,
            skipped = over.len(),
            "--fit-budget: {} of {} charts fit in the {granted} units left today",
            fits.len(),
            estimate.charts.len()
        );
    }
    let note = format!("not requested: over the day's quota budget ({granted} units were left)");
    planned.skipped.extend(
        over.iter()
            .map(|key| skipped(key, ChartStatus::SkippedBudget, note.clone())),
    );
    planned.charts = fits.into_iter().map(|(key, _)| key).collect();
    Ok(planned)
}

/// The charts of `--category all`: each region's category 0 and assignable categories, from
/// the store's list when it is younger than a week, else asked (1 unit each, booked first).
async fn categories(
    store: &Store,
    booking: &Booking,
    cfg: &FetchConfig,
    client: &Client,
    ctl: &RunControl,
    now: DateTime<Utc>,
) -> Result<Result<Vec<ChartKey>, Halt>, Error> {
    let fresh_since = now - Duration::days(CATEGORY_LIST_DAYS);
    let mut lists: HashMap<&'static str, Vec<Category>> = HashMap::new();
    let mut stale = Vec::new();
    for region in &cfg.regions {
        let (list, fetched_at) = store.video_categories(region).await?;
        if list.is_empty() || fetched_at.is_none_or(|t| t < fresh_since) {
            stale.push(*region);
        }
        lists.insert(region, list);
    }
    if !stale.is_empty() {
        let wanted = stale.len() as u64;
        let grant = booking.reserve(store, &cfg.budget, wanted, wanted).await?;
        if grant.granted.is_none() {
            return Ok(Err(Halt::OverBudget {
                needed: wanted,
                left: grant.remaining,
            }));
        }
        // One request per region, one after the other: a list a week per region is too few
        // requests to be worth a second place where requests run concurrently.
        for region in stale {
            if let Some(list) = ask_categories(store, client, ctl, region, now).await? {
                lists.insert(region, list);
            }
        }
    }
    let mut keys = Vec::new();
    for region in &cfg.regions {
        keys.push(ChartKey {
            region,
            category_id: "0".to_owned(),
        });
        let assignable = lists[region].iter().filter(|c| c.assignable && c.id != "0");
        keys.extend(assignable.map(|c| ChartKey {
            region,
            category_id: c.id.clone(),
        }));
    }
    Ok(Ok(keys))
}

/// Asks one region's categories and stores them; `None` (the stored list stays) when the
/// request failed, which stops the run if the failure is the quota's or the key's.
async fn ask_categories(
    store: &Store,
    client: &Client,
    ctl: &RunControl,
    region: &'static str,
    now: DateTime<Utc>,
) -> Result<Option<Vec<Category>>, Error> {
    let (result, _) = client.video_categories(region, ctl.halt_token()).await;
    match result {
        Ok(items) => {
            let list: Vec<Category> = items
                .into_iter()
                .map(|c| Category {
                    id: c.id,
                    title: c.snippet.title,
                    assignable: c.snippet.assignable,
                })
                .collect();
            store.save_video_categories(region, &list, now).await?;
            Ok(Some(list))
        }
        Err(err) => {
            // Issue 18: the stop keeps the API's words; a refused request stops the run too.
            match err {
                ApiError::Quota { .. } => ctl.stop_with(Halt::Quota, err.to_string()),
                ApiError::BadKey { .. } => ctl.stop_with(Halt::BadKey, err.to_string()),
                ApiError::Rejected { .. } => ctl.stop_with(Halt::Rejected, err.to_string()),
                _ => {}
            }
            tracing::error!(
                region,
                "cannot list the region's video categories: {err}; using the stored list, if any"
            );
            Ok(None)
        }
    }
}

/// Every chart of `keys` skipped for `halt`: the run makes no request.
fn refused(keys: Vec<ChartKey>, halt: Halt) -> Planned {
    let note = match halt {
        Halt::QuotaKnown { at } => format!(
            "not requested: Google said at {} that today's quota is exhausted",
            at.format("%H:%M UTC")
        ),
        Halt::OverBudget { needed, left } => {
            format!("not requested: the run needed {needed} units, {left} were left today")
        }
        _ => "not requested".to_owned(),
    };
    Planned {
        skipped: keys
            .iter()
            .map(|key| skipped(key, ChartStatus::SkippedBudget, note.clone()))
            .collect(),
        refused: Some(halt),
        ..Planned::default()
    }
}

fn skipped(key: &ChartKey, status: ChartStatus, note: String) -> ChartOutcome {
    let mut outcome = new_outcome(key);
    outcome.status = status;
    outcome.error = Some(note);
    outcome
}

fn no_chart_note(memory: &HashMap<ChartKey, budget::ChartMemory>, key: &ChartKey) -> String {
    match memory.get(key).and_then(|m| m.no_chart_at) {
        Some(at) => format!("not requested: no chart on {}", at.format("%Y-%m-%d")),
        None => "not requested: no chart recently".to_owned(),
    }
}
