//! The quota budget, pure: which Pacific day a unit is spent on, the key's fingerprint (the
//! ledger never holds the key), what the ledger says is left, and what a planned fetch will
//! cost, from what the store remembers of each chart (pages of its last complete fetch; when it
//! last answered "no chart"). The ledger itself (reserve, settle, exhaustion) is SQL, in
//! `store`; the fetch command wires the two.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::model::ChartKey;
use crate::secret::ApiKey;
use crate::youtube::quota;

/// The units a project gets a day unless told otherwise.
pub const DEFAULT_DAILY_QUOTA: u64 = 10_000;
/// Days a (region, category) pair that answered "no chart" is not asked again.
pub const DEFAULT_NO_CHART_SKIP_DAYS: u32 = 7;
/// Days a region's category list is kept before it is asked again.
pub const CATEGORY_LIST_DAYS: i64 = 7;

/// The budget settings of a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budget {
    /// Units the project gets a day (`daily_quota`).
    pub daily_quota: u64,
    /// Units left for other programs on the same project (`quota_reserve`).
    pub quota_reserve: u64,
    /// Fetch the charts that fit instead of refusing the run (`--fit-budget`).
    pub fit: bool,
    /// Try even though Google said today's quota is exhausted (`--ignore-exhausted`).
    pub ignore_exhausted: bool,
}

impl Default for Budget {
    fn default() -> Self {
        Budget {
            daily_quota: DEFAULT_DAILY_QUOTA,
            quota_reserve: 0,
            fit: false,
            ignore_exhausted: false,
        }
    }
}

impl Budget {
    /// What trendtap may spend in a day: the quota less what is left for others.
    pub fn limit(&self) -> u64 {
        self.daily_quota.saturating_sub(self.quota_reserve)
    }
}

/// The ledger's name for a key: the first 16 hex digits of its SHA-256. Enough to tell keys
/// apart, useless to call the API with.
pub fn fingerprint(key: &ApiKey) -> String {
    let digest = Sha256::digest(key.expose().as_bytes());
    digest[..8].iter().map(|b| format!("{b:02x}")).collect()
}

/// The quota day of an instant (Pacific date).
pub fn day_of(now: DateTime<Utc>) -> NaiveDate {
    quota::pacific_day(now)
}

/// One day's figures for one key, as the ledger has them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Usage {
    /// The Pacific date.
    pub day: NaiveDate,
    /// `daily_quota`.
    pub limit: u64,
    /// `quota_reserve`.
    pub quota_reserve: u64,
    /// Units spent by settled runs (and by runs that died, their whole reservation).
    pub used: u64,
    /// Units reserved by runs still going.
    pub reserved: u64,
    /// What trendtap may still spend today.
    pub remaining: u64,
    /// When Google said the quota was exhausted today.
    pub exhausted_at: Option<DateTime<Utc>>,
    /// Today's spenders.
    pub runs: Vec<Spender>,
}

/// One run's line in the ledger.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Spender {
    /// The run (`runs.run_id`).
    pub run_id: i64,
    /// `fetch` or `refresh`.
    pub job: String,
    /// Units reserved (what a run still going may spend).
    pub reserved: u64,
    /// Units spent (requests sent).
    pub spent: u64,
    /// Whether the run is over (its units are `spent`).
    pub settled: bool,
}

impl Usage {
    /// The figures of `day` from the ledger's rows.
    pub fn new(
        day: NaiveDate,
        budget: &Budget,
        runs: Vec<Spender>,
        exhausted_at: Option<DateTime<Utc>>,
    ) -> Self {
        let (used, reserved) = totals(&runs);
        Usage {
            day,
            limit: budget.daily_quota,
            quota_reserve: budget.quota_reserve,
            used,
            reserved,
            remaining: budget.limit().saturating_sub(used + reserved),
            exhausted_at,
            runs,
        }
    }
}

/// A run's request for units, checked and booked atomically by the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reservation<'a> {
    /// The Pacific day.
    pub day: NaiveDate,
    /// The key's fingerprint.
    pub fingerprint: &'a str,
    /// `fetch` or `refresh`.
    pub job: &'static str,
    /// The run.
    pub run_id: i64,
    /// Units wanted.
    pub wanted: u64,
    /// Fewer than this is a refusal (`wanted`, unless the run fits itself to the budget).
    pub minimum: u64,
    /// What trendtap may spend a day ([`Budget::limit`]).
    pub limit: u64,
}

/// The store's answer to a [`Reservation`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Grant {
    /// Units granted and booked; `None`: refused, nothing booked.
    pub granted: Option<u64>,
    /// What was left before this reservation.
    pub remaining: u64,
}

/// A region's category, as the store keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Category {
    /// The id (`"10"`).
    pub id: String,
    /// Its English title.
    pub title: String,
    /// Whether videos can be assigned to it (only those can have charts).
    pub assignable: bool,
}

/// The day's units: used (settled runs, what they spent) and reserved (runs still going, what
/// they reserved, or spent if more).
pub fn totals(runs: &[Spender]) -> (u64, u64) {
    let used = runs.iter().filter(|r| r.settled).map(|r| r.spent).sum();
    let reserved = runs
        .iter()
        .filter(|r| !r.settled)
        .map(|r| r.reserved.max(r.spent))
        .sum();
    (used, reserved)
}

/// What trendtap may still spend of `limit` after the day's rows.
pub fn remaining(runs: &[Spender], limit: u64) -> u64 {
    let (used, reserved) = totals(runs);
    limit.saturating_sub(used + reserved)
}

/// What the store remembers of one chart.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ChartMemory {
    /// Pages of its newest complete fetch.
    pub last_pages: Option<u32>,
    /// When it answered "no chart", if that was its newest answer.
    pub no_chart_at: Option<DateTime<Utc>>,
}

/// The cost of a plan, chart by chart.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Estimate {
    /// The charts to request, in plan order, with the pages each is expected to take.
    pub charts: Vec<(ChartKey, u32)>,
    /// Charts skipped because they answered "no chart" recently, with the units that saves.
    pub skipped_no_chart: Vec<(ChartKey, u32)>,
}

impl Estimate {
    /// Units the charts to request are expected to cost.
    pub fn units(&self) -> u64 {
        self.charts.iter().map(|(_, pages)| u64::from(*pages)).sum()
    }

    /// Units the no-chart skipping saves.
    pub fn saved(&self) -> u64 {
        self.skipped_no_chart
            .iter()
            .map(|(_, u)| u64::from(*u))
            .sum()
    }
}

/// Estimates `plan`: a chart costs the pages of its newest complete fetch (at least 1, at most
/// `max_pages`), else `max_pages`; a chart that answered "no chart" within `skip_days` is
/// skipped (a no-chart answer costs 1 unit, which is what skipping it saves).
pub fn estimate(
    plan: &[ChartKey],
    memory: &HashMap<ChartKey, ChartMemory>,
    max_pages: u32,
    skip_days: u32,
    now: DateTime<Utc>,
) -> Estimate {
    let skip_since = now - chrono::Duration::days(i64::from(skip_days));
    let mut estimate = Estimate::default();
    for key in plan {
        let seen = memory.get(key).copied().unwrap_or_default();
        if seen.no_chart_at.is_some_and(|t| t > skip_since) {
            estimate.skipped_no_chart.push((key.clone(), 1));
            continue;
        }
        let pages = seen.last_pages.map_or(max_pages, |p| p.clamp(1, max_pages));
        estimate.charts.push((key.clone(), pages));
    }
    estimate
}

/// Splits an estimate at `units`: the charts that fit, in plan order (a chart that does not fit
/// is skipped, a smaller one after it may still fit), and the ones skipped for budget.
pub fn fit(charts: &[(ChartKey, u32)], units: u64) -> (Vec<(ChartKey, u32)>, Vec<ChartKey>) {
    let mut left = units;
    let mut fits = Vec::new();
    let mut skipped = Vec::new();
    for (key, pages) in charts {
        let cost = u64::from(*pages);
        if cost <= left {
            left -= cost;
            fits.push((key.clone(), *pages));
        } else {
            skipped.push(key.clone());
        }
    }
    (fits, skipped)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(region: &'static str, category: &str) -> ChartKey {
        ChartKey {
            region,
            category_id: category.to_owned(),
        }
    }

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().to_utc()
    }

    #[test]
    fn the_fingerprint_is_stable_short_and_not_the_key() {
        let key = ApiKey::new("AIzaSyExampleKey0123456789").unwrap();
        let fp = fingerprint(&key);
        assert_eq!(fp.len(), 16);
        assert!(fp.bytes().all(|b| b.is_ascii_hexdigit()));
        assert_eq!(fp, fingerprint(&key.clone()));
        assert!(!fp.contains("AIza"));
        assert_ne!(fp, fingerprint(&ApiKey::new("another-key").unwrap()));
    }

    #[test]
    fn remaining_is_the_limit_less_reserve_used_and_reserved() {
        let budget = Budget {
            daily_quota: 100,
            quota_reserve: 10,
            ..Budget::default()
        };
        let runs = vec![
            Spender {
                run_id: 1,
                job: "fetch".into(),
                reserved: 0,
                spent: 30,
                settled: true,
            },
            Spender {
                run_id: 2,
                job: "fetch".into(),
                reserved: 20,
                spent: 5,
                settled: false,
            },
        ];
        let day = NaiveDate::from_ymd_opt(2026, 12, 6).unwrap();
        let usage = Usage::new(day, &budget, runs, None);
        assert_eq!((usage.used, usage.reserved, usage.remaining), (30, 20, 40));
        // Overspending never wraps.
        let over = Usage::new(
            day,
            &budget,
            vec![Spender {
                run_id: 3,
                job: "fetch".into(),
                reserved: 0,
                spent: 500,
                settled: true,
            }],
            None,
        );
        assert_eq!(over.remaining, 0);
    }

    #[test]
    fn the_estimate_uses_last_pages_and_skips_recent_no_charts() {
        let now = at("2026-12-07T12:00:00Z");
        let plan = [
            key("US", "0"),
            key("US", "10"),
            key("US", "27"),
            key("JP", "10"),
            key("JP", "20"),
        ];
        let memory = HashMap::from([
            (
                key("US", "0"),
                ChartMemory {
                    last_pages: Some(4),
                    no_chart_at: None,
                },
            ),
            (
                key("US", "10"),
                ChartMemory {
                    last_pages: Some(2),
                    no_chart_at: None,
                },
            ),
            // No chart three days ago: skipped.
            (
                key("US", "27"),
                ChartMemory {
                    last_pages: None,
                    no_chart_at: Some(at("2026-12-04T12:00:00Z")),
                },
            ),
            // No chart eight days ago: asked again.
            (
                key("JP", "20"),
                ChartMemory {
                    last_pages: None,
                    no_chart_at: Some(at("2026-11-29T12:00:00Z")),
                },
            ),
        ]);
        let e = estimate(&plan, &memory, 4, 7, now);
        let pages: Vec<(String, u32)> = e.charts.iter().map(|(k, p)| (k.to_string(), *p)).collect();
        assert_eq!(
            pages,
            [
                ("US/0".into(), 4),
                ("US/10".into(), 2),
                ("JP/10".into(), 4),
                ("JP/20".into(), 4)
            ]
        );
        assert_eq!(e.units(), 14);
        assert_eq!(e.skipped_no_chart, [(key("US", "27"), 1)]);
        assert_eq!(e.saved(), 1);
        // --max-pages caps what history says.
        assert_eq!(estimate(&plan, &memory, 1, 7, now).units(), 4);
    }

    #[test]
    fn fitting_keeps_plan_order_and_lets_smaller_charts_in() {
        let charts = [
            (key("US", "0"), 4),
            (key("GB", "0"), 4),
            (key("JP", "0"), 1),
        ];
        let (fits, skipped) = fit(&charts, 5);
        assert_eq!(fits, [(key("US", "0"), 4), (key("JP", "0"), 1)]);
        assert_eq!(skipped, [key("GB", "0")]);
        let (fits, skipped) = fit(&charts, 0);
        assert!(fits.is_empty());
        assert_eq!(skipped.len(), 3);
    }
}
