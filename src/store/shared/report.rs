//! What both backends' report queries share: the filters (regions, chart categories, UTC days)
//! as SQL conditions with numbered parameters, in either dialect, and the summaries' rules.
//! Each report's statement itself lives in `store::{postgres,sqlite}::report`, the statements
//! keeping the summaries in `store::{postgres,sqlite}::summary`, one per dialect; README.md
//! ("Reports") points analysts there.
//!
//! The reports read summaries of `chart_entries` (migrations 20261207000006 and
//! 20261207000008), never the entries themselves (but for one video's history):
//!
//! - `chart_days`: one row per video per chart per UTC day of `fetched_at`;
//! - the all-time totals per region and video (`region_videos`) and per video
//!   (`video_totals`), with the video's channel (from `videos`) and the hours from its
//!   publication to its first chart entry (`hours_to_trend`), which answer the reports
//!   without a period or a category ([`totals`]); `video_totals` also counts
//!   the regions whose first chart entry of the video came in a later hour than its first
//!   anywhere (`later_regions`: the overlap's exported videos);
//! - `region_pairs`: for two regions, the videos both had on their charts (`shared`), and for
//!   a region with itself, its videos.
//!
//! They are brought up to date at the start of each report from the runs stored since
//! ([`SUMMARY`]'s `through_run_id`): a run's entries are committed at once, and runs are
//! serialized by the run lock, so every run with a larger id than the last one summarized is new
//! and complete. In one transaction, in this order:
//!
//! 1. the new runs' entries are added to `chart_days`;
//! 2. `region_pairs` gains what the new pairs share: a (region, video) pair is new when it is
//!    not in `region_videos` yet; every two regions holding the video (a region with itself
//!    too), one of the two pairs new, share it once more. Pairs are never removed (the history
//!    only grows), so this is exactly what counting from nothing gives;
//! 3. the totals of the pairs and videos the new runs touched are recomputed from `chart_days`
//!    (so they are always what `chart_days` says), `later_regions` from `region_videos`.
//!
//! The first time (nothing summarized yet) every total is computed and `region_pairs` is
//! counted from nothing after them, instead of step 2.

use chrono::{DateTime, Days, NaiveDate, Utc};

use crate::report::Filters;

/// The name of the daily summary in the `summaries` table.
pub(crate) const SUMMARY: &str = "chart_days";

/// PostgreSQL's transaction-scoped advisory lock around bringing the summary up to date:
/// "report" in ASCII.
pub(crate) const SUMMARY_LOCK_KEY: i64 = 0x7265_706f_7274;

/// The two dialects' spellings of a filter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Sql {
    /// `$n`, `= ANY($n)` over a `text[]`.
    Postgres,
    /// `?n`, `IN (SELECT value FROM json_each(?n))` over a JSON array.
    Sqlite,
}

/// What the filtered rows are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Grain {
    /// `chart_days`: days compared with `day`.
    Days,
    /// `chart_entries`: days compared with `fetched_at` (from the first day's midnight, UTC,
    /// to the midnight after the last).
    Entries,
}

/// A filter's value to bind, in parameter order.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Bind {
    /// A list of codes (`text[]`, or a JSON array for SQLite).
    Texts(Vec<String>),
    /// A UTC day.
    Day(NaiveDate),
    /// A UTC time.
    Time(DateTime<Utc>),
}

/// The filters of a report as SQL conditions: each set filter is one numbered parameter.
#[derive(Debug)]
pub(crate) struct Filter {
    sql: Sql,
    grain: Grain,
    regions: Option<usize>,
    categories: Option<usize>,
    since: Option<usize>,
    until: Option<usize>,
    binds: Vec<Bind>,
}

impl Filter {
    /// The conditions of `f`, their parameters numbered from `first`.
    pub fn new(sql: Sql, grain: Grain, f: &Filters, first: usize) -> Self {
        let mut binds = Vec::new();
        let mut next = |bind: Bind| {
            binds.push(bind);
            first + binds.len() - 1
        };
        let midnight = |d: NaiveDate| d.and_hms_opt(0, 0, 0).expect("midnight").and_utc();
        let day = |d: NaiveDate, after: bool| match grain {
            Grain::Days => Bind::Day(d),
            Grain::Entries if after => {
                Bind::Time(midnight(d.checked_add_days(Days::new(1)).unwrap_or(d)))
            }
            Grain::Entries => Bind::Time(midnight(d)),
        };
        let regions = (!f.regions.is_empty()).then(|| next(Bind::Texts(f.regions.clone())));
        let categories =
            (!f.categories.is_empty()).then(|| next(Bind::Texts(f.categories.clone())));
        let since = f.since.map(|d| next(day(d, false)));
        let until = f.until.map(|d| next(day(d, true)));
        Filter {
            sql,
            grain,
            regions,
            categories,
            since,
            until,
            binds,
        }
    }

    /// The values to bind, in parameter order.
    pub fn binds(&self) -> &[Bind] {
        &self.binds
    }

    /// No filter at all.
    pub fn is_empty(&self) -> bool {
        self.binds.is_empty()
    }

    fn param(&self, n: usize) -> String {
        match self.sql {
            Sql::Postgres => format!("${n}"),
            Sql::Sqlite => format!("?{n}"),
        }
    }

    fn within(&self, column: String, n: usize) -> String {
        match self.sql {
            Sql::Postgres => format!("{column} = ANY({})", self.param(n)),
            Sql::Sqlite => format!(
                "{column} IN (SELECT value FROM json_each({}))",
                self.param(n)
            ),
        }
    }

    fn codes(&self, alias: &str) -> Vec<String> {
        let mut c = Vec::new();
        if let Some(n) = self.regions {
            c.push(self.within(format!("{alias}.region"), n));
        }
        if let Some(n) = self.categories {
            c.push(self.within(format!("{alias}.category_id"), n));
        }
        c
    }

    /// The conditions on the rows of `alias` (`1 = 1` when there are none).
    pub fn on(&self, alias: &str) -> String {
        let mut c = self.codes(alias);
        match self.grain {
            Grain::Days => {
                if let Some(n) = self.since {
                    c.push(format!("{alias}.day >= {}", self.param(n)));
                }
                if let Some(n) = self.until {
                    c.push(format!("{alias}.day <= {}", self.param(n)));
                }
            }
            Grain::Entries => {
                if let Some(n) = self.since {
                    c.push(format!("{alias}.fetched_at >= {}", self.param(n)));
                }
                if let Some(n) = self.until {
                    c.push(format!("{alias}.fetched_at < {}", self.param(n)));
                }
            }
        }
        join(c)
    }

    /// The same charts before the period (`chart_days` rows of `alias`), or `None` when the
    /// period has no start.
    pub fn before(&self, alias: &str) -> Option<String> {
        assert_eq!(self.grain, Grain::Days, "before() reads chart_days");
        let n = self.since?;
        let mut c = self.codes(alias);
        c.push(format!("{alias}.day < {}", self.param(n)));
        Some(join(c))
    }

    /// The period as conditions on `column`, a time (a first chart entry): on or after the
    /// first day's midnight UTC, before the midnight after the last.
    pub fn first_within(&self, column: &str) -> String {
        assert_eq!(
            self.grain,
            Grain::Days,
            "the period's days are bound as days"
        );
        let mut c = Vec::new();
        if let Some(n) = self.since {
            c.push(match self.sql {
                Sql::Postgres => format!("{column} >= (${n}::timestamp AT TIME ZONE 'UTC')"),
                Sql::Sqlite => format!("{column} >= ?{n}"),
            });
        }
        if let Some(n) = self.until {
            c.push(match self.sql {
                Sql::Postgres => format!("{column} < ((${n} + 1)::timestamp AT TIME ZONE 'UTC')"),
                Sql::Sqlite => format!("{column} < date(?{n}, '+1 day')"),
            });
        }
        join(c)
    }
}

/// Whether the time to trend with a period reads the totals' first entries ([`first_entries`]):
/// a period, but neither a region nor a category. A video entered a region's charts in the
/// period exactly when its first entry there ever (`region_videos.first_at`) is in it, and
/// entered the charts when its first entry anywhere (`video_totals.first_at`) is; its hours
/// are then the totals' `hours_to_trend`.
pub(crate) fn firsts(f: &Filters) -> bool {
    f.regions.is_empty() && f.categories.is_empty() && (f.since.is_some() || f.until.is_some())
}

/// `rv` and `av` for [`firsts`]: the pairs and videos whose first chart entry is in the period,
/// with their hours to trend (`region_videos_first_idx`, `video_totals_first_idx`).
pub(crate) fn first_entries(f: &Filter) -> String {
    format!(
        "rv AS (
    SELECT d.region, d.video_id, d.first_at, d.hours_to_trend FROM region_videos d
    WHERE {}
), av AS (
    SELECT d.video_id, d.first_at, d.hours_to_trend FROM video_totals d WHERE {}
)",
        f.first_within("d.first_at"),
        f.first_within("d.first_at")
    )
}

fn join(conditions: Vec<String>) -> String {
    if conditions.is_empty() {
        "1 = 1".to_owned()
    } else {
        conditions.join(" AND ")
    }
}

/// Whether the all-time totals (`region_videos`, `video_totals`) answer a report with these
/// filters: neither a period nor a chart category (a region is fine).
pub(crate) fn totals(f: &Filters) -> bool {
    f.since.is_none() && f.until.is_none() && f.categories.is_empty()
}

/// The summaries' tables and their columns, for the schema test (`columns::tables`): the
/// statements of both `summary.rs` write them all.
#[cfg(test)]
pub(crate) const SUMMARY_TABLES: &[(&str, &[&str])] = &[
    (
        "chart_days",
        &[
            "region",
            "video_id",
            "day",
            "category_id",
            "entries",
            "best_rank",
            "first_at",
            "last_at",
        ],
    ),
    (
        "region_videos",
        &[
            "region",
            "video_id",
            "days",
            "entries",
            "best_rank",
            "first_at",
            "last_at",
            "channel_id",
            "channel_title",
            "hours_to_trend",
        ],
    ),
    (
        "video_totals",
        &[
            "video_id",
            "days",
            "entries",
            "best_rank",
            "first_at",
            "last_at",
            "channel_id",
            "channel_title",
            "hours_to_trend",
            "later_regions",
        ],
    ),
    ("region_pairs", &["region", "other_region", "shared"]),
    ("summaries", &["name", "through_run_id"]),
];

/// A `--limit` as a literal for `row_number() <= N` (no limit: every row).
pub(crate) fn limit(limit: Option<u32>) -> i64 {
    limit.map_or(i64::MAX, i64::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_set_filters_become_conditions_numbered_in_order() {
        let f = Filters {
            regions: vec!["US".into()],
            categories: vec![],
            since: Some("2026-11-01".parse().unwrap()),
            until: Some("2026-11-30".parse().unwrap()),
        };
        let pg = Filter::new(Sql::Postgres, Grain::Days, &f, 2);
        assert_eq!(
            pg.on("d"),
            "d.region = ANY($2) AND d.day >= $3 AND d.day <= $4"
        );
        assert_eq!(pg.before("b").unwrap(), "b.region = ANY($2) AND b.day < $3");
        let lite = Filter::new(Sql::Sqlite, Grain::Entries, &f, 1);
        assert_eq!(
            lite.on("e"),
            "e.region IN (SELECT value FROM json_each(?1)) AND e.fetched_at >= ?2 AND e.fetched_at < ?3"
        );
        assert_eq!(
            lite.binds()[2],
            Bind::Time("2026-12-01T00:00:00Z".parse().unwrap())
        );
        assert_eq!(
            pg.first_within("t.first_at"),
            "t.first_at >= ($3::timestamp AT TIME ZONE 'UTC') \
             AND t.first_at < (($4 + 1)::timestamp AT TIME ZONE 'UTC')"
        );
        let lite_days = Filter::new(Sql::Sqlite, Grain::Days, &f, 1);
        assert_eq!(
            lite_days.first_within("t.first_at"),
            "t.first_at >= ?2 AND t.first_at < date(?3, '+1 day')"
        );
        let none = Filter::new(Sql::Sqlite, Grain::Days, &Filters::default(), 1);
        assert_eq!(none.on("d"), "1 = 1");
        assert!(none.before("d").is_none() && none.binds().is_empty());
    }
}
