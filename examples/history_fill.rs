//! Synthetic trending history, written fast by `COPY`: a store that looks like months of
//! `trendtap fetch` runs, for the export and report benchmarks (BENCHMARKS.md).
//!
//! ```text
//! cargo run --release --example history_fill -- URL [DAYS] [--descriptions]
//!   URL   postgres://... or sqlite://PATH (a fresh or empty store; migrations are applied)
//!   DAYS  days of history [default: 30, about 5.3 million chart entries; 365 for a year]
//! ```
//!
//! From another example or a bench (the API below is stable; other benches reuse this file):
//!
//! ```ignore
//! #[path = "history_fill.rs"]
//! mod history_fill;
//! let filled = history_fill::fill("postgres://postgres@127.0.0.1:5432/bench", 30).await?;
//! let shape = history_fill::Shape { descriptions: true, ..history_fill::Shape::days(30) };
//! let filled = history_fill::fill_url("sqlite:///tmp/history.db", &shape).await?;
//! ```
//!
//! The shape, per day: `runs_per_day` runs (8: every 3 hours from 00:15 UTC), each fetching
//! category 0 of every region (the 111 YouTube supports), `per_chart` videos each (200). A
//! video stays on a chart for [`LIFE`] days, a fifth of each chart's slots taking a new video
//! each day; the top [`SHARED_SLOTS`] slots of a region hold videos shared with the other
//! regions of its group of [`GROUP`] (so videos trend in several regions); ranks move between
//! runs. Views grow with the hours since publication; about 5% of videos hide their likes and
//! 4% their comments (NULL, as the API's absence is stored). Titles, channels (3,000),
//! languages (the region's likely ones, 15% `und`), categories, tags (a fifth with none),
//! durations and content details vary deterministically: the same shape always gives the
//! same rows. Every region gets the 32 categories of `videoCategories.list` (US, 2019).
//! `descriptions: true` adds a description of 0 to 2,400 bytes (mean about 1,100, the mean of
//! the 2020 Kaggle dataset's), when the store has `videos.description`.
//!
//! The store must hold no chart entry yet (the run ids start at 1). PostgreSQL gets `COPY ...
//! FROM STDIN` (text format) per table, then `VACUUM ANALYZE`; SQLite gets one `INSERT ...
//! SELECT FROM json_each(?)` per 5,000 rows in one transaction, then `ANALYZE`.

#![allow(dead_code)]

use std::fmt::Write as _;
use std::time::{Duration, Instant};

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use sqlx::{Connection, Executor};

/// Days a video stays on a chart.
pub const LIFE: u32 = 5;
/// The top slots of each chart that hold videos shared by the regions of a group.
pub const SHARED_SLOTS: u32 = 40;
/// Regions per group sharing their top slots.
pub const GROUP: usize = 8;

/// Any failure of the fill.
pub type Error = Box<dyn std::error::Error + Send + Sync>;

/// What history to make.
#[derive(Debug, Clone)]
pub struct Shape {
    /// The first day (UTC).
    pub start: NaiveDate,
    /// Days of history.
    pub days: u32,
    /// Regions (the first N of the 111, in `trendtap regions` order).
    pub regions: usize,
    /// Videos per chart.
    pub per_chart: u32,
    /// Runs a day, evenly spaced.
    pub runs_per_day: u32,
    /// Write `videos.description` (when the column exists).
    pub descriptions: bool,
}

impl Shape {
    /// `days` of the full shape (111 regions x 200 videos x 8 runs a day), ending on
    /// 2026-11-30, without descriptions.
    pub fn days(days: u32) -> Shape {
        let end = NaiveDate::from_ymd_opt(2026, 12, 1).expect("a date");
        Shape {
            start: end - TimeDelta::days(i64::from(days)),
            days,
            regions: trendtap::regions::REGIONS.len(),
            per_chart: 200,
            runs_per_day: 8,
            descriptions: false,
        }
    }

    /// A month: November 2026, about 5.3 million chart entries.
    pub fn month() -> Shape {
        Shape::days(30)
    }

    /// A year: 2025-12-01 to 2026-11-30, about 65 million chart entries.
    pub fn year() -> Shape {
        Shape::days(365)
    }

    /// The chart entries this shape makes.
    pub fn entries(&self) -> u64 {
        u64::from(self.days)
            * u64::from(self.runs_per_day)
            * self.regions as u64
            * u64::from(self.per_chart)
    }

    /// The first instant of the history.
    pub fn from(&self) -> DateTime<Utc> {
        self.start.and_hms_opt(0, 0, 0).expect("midnight").and_utc()
    }

    /// The instant after the history.
    pub fn until(&self) -> DateTime<Utc> {
        self.from() + TimeDelta::days(i64::from(self.days))
    }

    /// The start of run `j` of day `d`.
    pub fn run_start(&self, d: u32, j: u32) -> DateTime<Utc> {
        let step = 86_400 / i64::from(self.runs_per_day.max(1));
        self.from()
            + TimeDelta::days(i64::from(d))
            + TimeDelta::seconds(step * i64::from(j) + 15 * 60)
    }

    /// When region `r`'s chart of run `j` of day `d` was fetched.
    pub fn fetched_at(&self, d: u32, j: u32, r: usize) -> DateTime<Utc> {
        self.run_start(d, j) + TimeDelta::milliseconds(2_000 + 40 * r as i64)
    }

    /// The run id of run `j` of day `d` (from 1).
    pub fn run_id(&self, d: u32, j: u32) -> i64 {
        i64::from(d * self.runs_per_day + j + 1)
    }

    /// The rank of slot `s` in run `j` of day `d`: a rotation, so each run's ranks are a
    /// permutation of 1..=per_chart.
    pub fn rank(&self, s: u32, d: u32, j: u32) -> u32 {
        (s + 37 * d + 3 * j) % self.per_chart + 1
    }

    fn groups(&self) -> usize {
        self.regions.div_ceil(GROUP)
    }
}

/// What a fill wrote.
#[derive(Debug, Clone, Copy)]
pub struct Filled {
    /// `runs` rows.
    pub runs: u64,
    /// `videos` rows.
    pub videos: u64,
    /// `video_regions` rows.
    pub video_regions: u64,
    /// `chart_entries` rows.
    pub entries: u64,
    /// Wall time, analysis included.
    pub elapsed: Duration,
}

/// Fills the PostgreSQL store at `pg_url` with `days` of the full shape ([`Shape::days`]).
pub async fn fill(pg_url: &str, days: u32) -> Result<Filled, Error> {
    fill_postgres(pg_url, &Shape::days(days)).await
}

/// Fills the store at `url` (`postgres://` or `sqlite://`) with `shape`.
pub async fn fill_url(url: &str, shape: &Shape) -> Result<Filled, Error> {
    if url.starts_with("sqlite:") {
        fill_sqlite(url, shape).await
    } else {
        fill_postgres(url, shape).await
    }
}

/// A video: where it trends and for how long.
#[derive(Debug, Clone, Copy)]
struct Identity {
    /// `Some(group)` for a shared slot, else the region.
    group: Option<usize>,
    region: usize,
    slot: u32,
    /// Its turn in the slot.
    k: u32,
}

impl Identity {
    /// The video in slot `s` of region `r` on day `d`.
    fn at(shape: &Shape, r: usize, s: u32, d: u32) -> Identity {
        let k = (d + s % LIFE) / LIFE;
        let group = (s < SHARED_SLOTS).then_some(r / GROUP);
        Identity {
            group,
            region: if group.is_some() { 0 } else { r },
            slot: s.min(shape.per_chart),
            k,
        }
    }

    fn number(&self) -> u64 {
        let scope = match self.group {
            Some(g) => 1 << 10 | g as u64,
            None => self.region as u64,
        };
        ((scope << 10 | u64::from(self.slot)) << 16) | u64::from(self.k)
    }

    /// A bijective mix of the number: unique, and random-looking bits for the attributes.
    fn hash(&self) -> u64 {
        mix(self.number())
    }

    /// An 11-character id in YouTube's alphabet.
    fn video_id(&self) -> String {
        encode(self.hash(), 11)
    }

    /// The days it is on the chart, within the history.
    fn days(&self, shape: &Shape) -> (u32, u32) {
        let p = self.slot % LIFE;
        let first = (self.k * LIFE).saturating_sub(p);
        let last = (self.k * LIFE + LIFE - 1 - p).min(shape.days - 1);
        (first, last)
    }

    /// The regions whose charts hold it.
    fn regions(&self, shape: &Shape) -> std::ops::Range<usize> {
        match self.group {
            Some(g) => g * GROUP..((g + 1) * GROUP).min(shape.regions),
            None => self.region..self.region + 1,
        }
    }
}

/// Every video of the history, once.
fn identities(shape: &Shape) -> impl Iterator<Item = Identity> + '_ {
    let shared = (0..shape.groups())
        .flat_map(move |g| (0..SHARED_SLOTS.min(shape.per_chart)).map(move |s| (Some(g), 0, s)));
    let own = (0..shape.regions).flat_map(move |r| {
        (SHARED_SLOTS.min(shape.per_chart)..shape.per_chart).map(move |s| (None, r, s))
    });
    shared.chain(own).flat_map(move |(group, region, slot)| {
        let last_k = (shape.days - 1 + slot % LIFE) / LIFE;
        (0..=last_k).map(move |k| Identity {
            group,
            region,
            slot,
            k,
        })
    })
}

fn mix(mut x: u64) -> u64 {
    // splitmix64's finalizer: a bijection on u64.
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

fn encode(mut x: u64, n: usize) -> String {
    let mut s = String::with_capacity(n);
    for _ in 0..n {
        s.push(ALPHABET[(x & 63) as usize] as char);
        x = x.rotate_right(6) ^ 0x9e37_79b9_7f4a_7c15;
    }
    s
}

const WORDS: &[&str] = &[
    "official",
    "video",
    "live",
    "trailer",
    "music",
    "highlights",
    "reaction",
    "challenge",
    "vlog",
    "episode",
    "full",
    "match",
    "news",
    "song",
    "new",
    "best",
    "funny",
    "game",
    "review",
    "teaser",
    "season",
    "final",
    "day",
    "world",
    "top",
    "how",
    "to",
    "make",
    "first",
    "time",
];

const CATEGORIES: &[&str] = &[
    "1", "2", "10", "15", "17", "19", "20", "22", "23", "24", "25", "26", "27", "28", "29",
];

/// The 32 categories of `videoCategories.list?regionCode=US` (2019): the export's built-in list.
pub const VIDEO_CATEGORIES: &[(&str, &str, bool)] = trendtap::export::categories::BUILT_IN;

/// A video's metadata, from its hash.
struct Meta {
    id: String,
    title: String,
    channel_id: String,
    channel_title: String,
    category_id: &'static str,
    published_at: DateTime<Utc>,
    duration: i64,
    language: &'static str,
    language_source: &'static str,
    tags: Vec<&'static str>,
    thumbnail: String,
    age_restricted: bool,
    blocked: Option<Vec<&'static str>>,
    caption: bool,
    definition: &'static str,
    licensed: bool,
    description: Option<String>,
    hides_likes: bool,
    hides_comments: bool,
    base_views: i64,
    views_per_hour: i64,
}

impl Meta {
    fn of(shape: &Shape, who: &Identity, region_code: &str) -> Meta {
        let h = who.hash();
        let id = who.video_id();
        let (first_day, _) = who.days(shape);
        let first_seen = shape.fetched_at(first_day, 0, who.regions(shape).start);
        let channel = (h >> 20) % 3_000;
        let langs = trendtap::regions::languages(region_code);
        let (language, language_source) = match (h >> 8) % 20 {
            0..=2 => ("und", "none"),
            3 => (langs.first().copied().unwrap_or("en"), "channel"),
            4..=11 => (langs.first().copied().unwrap_or("en"), "api"),
            n => (langs[n as usize % langs.len().max(1)], "detected"),
        };
        let n_tags = if (h >> 40).is_multiple_of(5) {
            0
        } else {
            (h >> 43) % 16 + 1
        };
        let tags = (0..n_tags)
            .map(|i| WORDS[((h >> (i % 8 * 4)) as usize + i as usize) % WORDS.len()])
            .collect();
        let title_words: Vec<&str> = (0..3 + (h >> 50) % 6)
            .map(|i| WORDS[((h >> (i * 5)) % WORDS.len() as u64) as usize])
            .collect();
        let description = shape.descriptions.then(|| description(h));
        Meta {
            title: format!("{} | {id}", title_words.join(" ")),
            channel_id: format!("UC{}", encode(mix(channel), 22)),
            channel_title: format!("Channel {channel}"),
            category_id: CATEGORIES[((h >> 16) % CATEGORIES.len() as u64) as usize],
            published_at: first_seen - TimeDelta::minutes(30 + ((h >> 24) % (72 * 60)) as i64),
            duration: 30 + ((h >> 32) % 3_600) as i64,
            language,
            language_source,
            tags,
            thumbnail: format!(
                "https://i.ytimg.com/vi/{id}/{}.jpg",
                if h.is_multiple_of(5) {
                    "hqdefault"
                } else {
                    "maxresdefault"
                }
            ),
            age_restricted: h % 100 == 7,
            blocked: (h % 33 == 5).then(|| vec!["CN", "KP"]),
            caption: h.is_multiple_of(3),
            definition: if h.is_multiple_of(10) { "sd" } else { "hd" },
            licensed: h.is_multiple_of(2),
            description,
            hides_likes: (h >> 4).is_multiple_of(20),
            hides_comments: (h >> 6).is_multiple_of(25),
            base_views: ((h >> 12) % 50_000) as i64 * 10,
            views_per_hour: 500 + ((h >> 28) % 40_000) as i64,
            id,
        }
    }

    /// (views, likes, comments) at `t`.
    fn counts(&self, t: DateTime<Utc>) -> (i64, Option<i64>, Option<i64>) {
        let hours = (t - self.published_at).num_minutes().max(0) / 60;
        let views = self.base_views + self.views_per_hour * hours;
        let likes = (!self.hides_likes).then_some(views / 27);
        let comments = (!self.hides_comments).then_some(views / 230);
        (views, likes, comments)
    }
}

/// A description of 0 to 2,400 bytes (one in ten empty), in lines.
fn description(h: u64) -> String {
    if h % 10 == 3 {
        return String::new();
    }
    let target = ((h >> 36) % 2_400) as usize;
    let mut text = String::with_capacity(target + 16);
    let mut i = 0u64;
    while text.len() < target {
        let word = WORDS[((h.rotate_left(i as u32 % 64) ^ i) % WORDS.len() as u64) as usize];
        text.push_str(word);
        text.push(if i % 11 == 10 { '\n' } else { ' ' });
        i += 1;
    }
    text.truncate(text.trim_end().len());
    text
}

fn region_code(r: usize) -> &'static str {
    trendtap::regions::REGIONS[r].0
}

/// One chart entry of the history.
struct Entry<'a> {
    run_id: i64,
    region: &'static str,
    rank: u32,
    video_id: &'a str,
    counts: (i64, Option<i64>, Option<i64>),
    fetched_at: DateTime<Utc>,
}

/// Calls `each` with every chart entry, in run order, region by region. The metadata of the
/// videos on the charts of day `d` are computed once per day.
fn for_each_entry(shape: &Shape, mut each: impl FnMut(&Entry<'_>)) {
    for d in 0..shape.days {
        let metas: Vec<Vec<Meta>> = (0..shape.regions)
            .map(|r| {
                (0..shape.per_chart)
                    .map(|s| Meta::of(shape, &Identity::at(shape, r, s, d), region_code(r)))
                    .collect()
            })
            .collect();
        for j in 0..shape.runs_per_day {
            for (r, chart) in metas.iter().enumerate() {
                let fetched_at = shape.fetched_at(d, j, r);
                for (s, meta) in chart.iter().enumerate() {
                    each(&Entry {
                        run_id: shape.run_id(d, j),
                        region: region_code(r),
                        rank: shape.rank(s as u32, d, j),
                        video_id: &meta.id,
                        counts: meta.counts(fetched_at),
                        fetched_at,
                    });
                }
            }
        }
    }
}

/// A `video_regions` row.
struct Seen {
    region: &'static str,
    first: DateTime<Utc>,
    last: DateTime<Utc>,
    last_rank: u32,
    best_rank: u32,
    runs: u32,
}

/// Where and when `who` trended.
fn seen(shape: &Shape, who: &Identity) -> Vec<Seen> {
    let (d0, d1) = who.days(shape);
    let last_run = shape.runs_per_day - 1;
    let best = (d0..=d1)
        .flat_map(|d| (0..shape.runs_per_day).map(move |j| shape.rank(who.slot, d, j)))
        .min()
        .unwrap_or(1);
    who.regions(shape)
        .map(|r| Seen {
            region: region_code(r),
            first: shape.fetched_at(d0, 0, r),
            last: shape.fetched_at(d1, last_run, r),
            last_rank: shape.rank(who.slot, d1, last_run),
            best_rank: best,
            runs: (d1 - d0 + 1) * shape.runs_per_day,
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// The tables' rows, for either backend.

/// A field of a generated row.
enum F<'a> {
    T(&'a str),
    I(i64),
    N,
    B(bool),
    Ts(DateTime<Utc>),
    A(&'a [&'a str]),
}

const RUN_COLUMNS: &str = "run_id, started_at, finished_at, status, regions, categories, charts_ok, videos_count, entries_count, api_requests, trendtap_version";
const VIDEO_COLUMNS: &str = "video_id, title, channel_id, channel_title, category_id, published_at, duration_seconds, language, language_source, view_count, like_count, comment_count, tags, thumbnail_url, age_restricted, blocked_regions, allowed_regions, caption, definition, licensed_content, live_broadcast_content, first_seen_at, last_seen_at, last_run_id";
const VIDEO_REGION_COLUMNS: &str =
    "video_id, region, first_seen_at, last_seen_at, last_rank, best_rank, runs_seen";
const ENTRY_COLUMNS: &str = "run_id, region, category_id, rank, video_id, view_count, like_count, comment_count, fetched_at";
const CATEGORY_COLUMNS: &str = "region, category_id, title, assignable, fetched_at";

fn opt_int(v: Option<i64>) -> F<'static> {
    v.map_or(F::N, F::I)
}

fn run_rows(shape: &Shape, out: &mut Rows) {
    let regions: Vec<&str> = (0..shape.regions).map(region_code).collect();
    let charts = shape.regions as i64;
    let entries = charts * i64::from(shape.per_chart);
    for d in 0..shape.days {
        for j in 0..shape.runs_per_day {
            let start = shape.run_start(d, j);
            out.row(&[
                F::I(shape.run_id(d, j)),
                F::Ts(start),
                F::Ts(start + TimeDelta::seconds(30)),
                F::T("ok"),
                F::A(&regions),
                F::A(&["0"]),
                F::I(charts),
                F::I(entries),
                F::I(entries),
                F::I(charts * i64::from(shape.per_chart.div_ceil(50))),
                F::T(env!("CARGO_PKG_VERSION")),
            ]);
        }
    }
}

fn video_rows(shape: &Shape, describe: bool, out: &mut Rows) {
    for who in identities(shape) {
        let regions = who.regions(shape);
        let meta = Meta::of(shape, &who, region_code(regions.start));
        let (first_day, last_day) = who.days(shape);
        let last_run = shape.runs_per_day - 1;
        let last = shape.fetched_at(last_day, last_run, regions.end - 1);
        let (views, likes, comments) = meta.counts(last);
        let mut fields = vec![
            F::T(&meta.id),
            F::T(&meta.title),
            F::T(&meta.channel_id),
            F::T(&meta.channel_title),
            F::T(meta.category_id),
            F::Ts(meta.published_at),
            F::I(meta.duration),
            F::T(meta.language),
            F::T(meta.language_source),
            F::I(views),
            opt_int(likes),
            opt_int(comments),
            F::A(&meta.tags),
            F::T(&meta.thumbnail),
            F::B(meta.age_restricted),
            meta.blocked.as_deref().map_or(F::N, F::A),
            F::N,
            F::B(meta.caption),
            F::T(meta.definition),
            F::B(meta.licensed),
            F::T("none"),
            F::Ts(shape.fetched_at(first_day, 0, regions.start)),
            F::Ts(last),
            F::I(shape.run_id(last_day, last_run)),
        ];
        if describe {
            fields.push(meta.description.as_deref().map_or(F::N, F::T));
        }
        out.row(&fields);
    }
}

fn video_region_rows(shape: &Shape, out: &mut Rows) {
    for who in identities(shape) {
        let id = who.video_id();
        for s in seen(shape, &who) {
            out.row(&[
                F::T(&id),
                F::T(s.region),
                F::Ts(s.first),
                F::Ts(s.last),
                F::I(i64::from(s.last_rank)),
                F::I(i64::from(s.best_rank)),
                F::I(i64::from(s.runs)),
            ]);
        }
    }
}

fn entry_rows(shape: &Shape, out: &mut Rows) {
    for_each_entry(shape, |e| {
        out.row(&[
            F::I(e.run_id),
            F::T(e.region),
            F::T("0"),
            F::I(i64::from(e.rank)),
            F::T(e.video_id),
            F::I(e.counts.0),
            opt_int(e.counts.1),
            opt_int(e.counts.2),
            F::Ts(e.fetched_at),
        ]);
    });
}

fn category_rows(shape: &Shape, out: &mut Rows) {
    for r in 0..shape.regions {
        for (id, title, assignable) in VIDEO_CATEGORIES {
            out.row(&[
                F::T(region_code(r)),
                F::T(id),
                F::T(title),
                F::B(*assignable),
                F::Ts(shape.from()),
            ]);
        }
    }
}

/// Which encoding rows get.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Dialect {
    /// COPY's text format: tab-separated lines.
    Postgres,
    /// JSON arrays, for `json_each`.
    Sqlite,
}

/// Rows encoded into chunks of about [`CHUNK`] bytes, handed to the sending side as they fill.
struct Rows {
    dialect: Dialect,
    buf: String,
    count: u64,
    tx: tokio::sync::mpsc::Sender<String>,
}

/// Bytes per chunk sent: one COPY message, or one SQLite statement's JSON.
const CHUNK: usize = 1 << 20;

impl Rows {
    fn row(&mut self, fields: &[F<'_>]) {
        let b = &mut self.buf;
        match self.dialect {
            Dialect::Postgres => {
                for (i, f) in fields.iter().enumerate() {
                    if i > 0 {
                        b.push('\t');
                    }
                    match f {
                        F::T(s) => copy_escape(b, s),
                        F::I(n) => {
                            let _ = write!(b, "{n}");
                        }
                        F::N => b.push_str("\\N"),
                        F::B(v) => b.push(if *v { 't' } else { 'f' }),
                        F::Ts(t) => {
                            let _ = write!(b, "{}", t.format("%Y-%m-%d %H:%M:%S%.6f+00"));
                        }
                        F::A(items) => {
                            b.push('{');
                            for (k, item) in items.iter().enumerate() {
                                if k > 0 {
                                    b.push(',');
                                }
                                let _ = write!(b, "\"{item}\"");
                            }
                            b.push('}');
                        }
                    }
                }
                b.push('\n');
            }
            Dialect::Sqlite => {
                b.push(if b.is_empty() { '[' } else { ',' });
                b.push('[');
                for (i, f) in fields.iter().enumerate() {
                    if i > 0 {
                        b.push(',');
                    }
                    match f {
                        F::T(s) => b.push_str(&serde_json::to_string(s).expect("a string")),
                        F::I(n) => {
                            let _ = write!(b, "{n}");
                        }
                        F::N => b.push_str("null"),
                        F::B(v) => b.push(if *v { '1' } else { '0' }),
                        F::Ts(t) => {
                            let _ = write!(b, "\"{}\"", t.format("%Y-%m-%dT%H:%M:%S%.6fZ"));
                        }
                        F::A(items) => {
                            let json = serde_json::to_string(items).expect("a list");
                            b.push_str(&serde_json::to_string(&json).expect("a string"));
                        }
                    }
                }
                b.push(']');
            }
        }
        self.count += 1;
        if self.buf.len() >= CHUNK {
            self.send();
        }
    }

    fn send(&mut self) {
        if self.buf.is_empty() {
            return;
        }
        let mut chunk = std::mem::take(&mut self.buf);
        if self.dialect == Dialect::Sqlite {
            chunk.push(']');
        }
        // The receiver only goes away on an error, which it reports.
        let _ = self.tx.blocking_send(chunk);
    }
}

fn copy_escape(out: &mut String, text: &str) {
    if !text.contains(['\\', '\n', '\r', '\t']) {
        out.push_str(text);
        return;
    }
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c => out.push(c),
        }
    }
}

/// Generates a table's rows on a blocking thread; returns the receiving end of their chunks
/// and the thread, which returns the row count.
fn generate(
    shape: &Shape,
    dialect: Dialect,
    rows: impl FnOnce(&Shape, &mut Rows) + Send + 'static,
) -> (
    tokio::sync::mpsc::Receiver<String>,
    tokio::task::JoinHandle<u64>,
) {
    let (tx, rx) = tokio::sync::mpsc::channel(4);
    let shape = shape.clone();
    let thread = tokio::task::spawn_blocking(move || {
        let mut out = Rows {
            dialect,
            buf: String::with_capacity(CHUNK + 64 * 1024),
            count: 0,
            tx,
        };
        rows(&shape, &mut out);
        out.send();
        out.count
    });
    (rx, thread)
}

/// The tables in the order they are filled, with their columns and their rows.
type Table = (&'static str, String, fn(&Shape, &mut Rows));

fn tables(describe: bool) -> Vec<Table> {
    let videos = if describe {
        (|s: &Shape, o: &mut Rows| video_rows(s, true, o)) as fn(&Shape, &mut Rows)
    } else {
        |s: &Shape, o: &mut Rows| video_rows(s, false, o)
    };
    vec![
        ("runs", RUN_COLUMNS.to_owned(), run_rows),
        (
            "videos",
            format!(
                "{VIDEO_COLUMNS}{}",
                if describe { ", description" } else { "" }
            ),
            videos,
        ),
        (
            "video_regions",
            VIDEO_REGION_COLUMNS.to_owned(),
            video_region_rows,
        ),
        ("chart_entries", ENTRY_COLUMNS.to_owned(), entry_rows),
        (
            "video_categories",
            CATEGORY_COLUMNS.to_owned(),
            category_rows,
        ),
    ]
}

fn filled(counts: &[u64], started: Instant) -> Filled {
    Filled {
        runs: counts[0],
        videos: counts[1],
        video_regions: counts[2],
        entries: counts[3],
        elapsed: started.elapsed(),
    }
}

async fn migrate(url: &str) -> Result<(), Error> {
    let mut store = trendtap::store::Store::open(&trendtap::secret::DatabaseUrl::new(url)).await?;
    store.migrate().await?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// PostgreSQL: COPY ... FROM STDIN, text format.

/// Fills the PostgreSQL store at `pg_url` with `shape`.
pub async fn fill_postgres(pg_url: &str, shape: &Shape) -> Result<Filled, Error> {
    let started = Instant::now();
    migrate(pg_url).await?;
    let mut conn = sqlx::PgConnection::connect(pg_url).await?;
    let used: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM chart_entries)")
        .fetch_one(&mut conn)
        .await?;
    if used {
        return Err(format!("{pg_url}: the store already holds chart entries").into());
    }
    let has_description: bool = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM information_schema.columns
         WHERE table_schema = current_schema() AND table_name = 'videos'
           AND column_name = 'description')",
    )
    .fetch_one(&mut conn)
    .await?;
    conn.execute("SET synchronous_commit = off").await?;
    let mut counts = Vec::new();
    for (table, columns, rows) in tables(shape.descriptions && has_description) {
        let (mut rx, thread) = generate(shape, Dialect::Postgres, rows);
        let mut copy = conn
            .copy_in_raw(&format!("COPY {table} ({columns}) FROM STDIN"))
            .await?;
        while let Some(chunk) = rx.recv().await {
            copy.send(chunk.into_bytes()).await?;
        }
        copy.finish().await?;
        counts.push(thread.await?);
    }
    conn.execute(
        "SELECT setval(pg_get_serial_sequence('runs', 'run_id'), (SELECT max(run_id) FROM runs))",
    )
    .await?;
    for (table, _, _) in tables(false) {
        conn.execute(format!("VACUUM ANALYZE {table}").as_str())
            .await?;
    }
    Ok(filled(&counts, started))
}

// ---------------------------------------------------------------------------------------------
// SQLite: INSERT ... SELECT FROM json_each(?), one transaction.

/// Fills the SQLite store at `sqlite_url` (`sqlite://PATH`) with `shape`.
pub async fn fill_sqlite(sqlite_url: &str, shape: &Shape) -> Result<Filled, Error> {
    let started = Instant::now();
    migrate(sqlite_url).await?;
    let mut conn = sqlx::SqliteConnection::connect(sqlite_url).await?;
    let used: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM chart_entries)")
        .fetch_one(&mut conn)
        .await?;
    if used {
        return Err(format!("{sqlite_url}: the store already holds chart entries").into());
    }
    let has_description: bool = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM pragma_table_info('videos') WHERE name = 'description')",
    )
    .fetch_one(&mut conn)
    .await?;
    conn.execute("PRAGMA synchronous = OFF").await?;
    let mut tx = conn.begin().await?;
    let mut counts = Vec::new();
    for (table, columns, rows) in tables(shape.descriptions && has_description) {
        let values: Vec<String> = (0..columns.split(',').count())
            .map(|i| format!("value ->> {i}"))
            .collect();
        let sql = format!(
            "INSERT INTO {table} ({columns}) SELECT {} FROM json_each(?1)",
            values.join(", ")
        );
        let (mut rx, thread) = generate(shape, Dialect::Sqlite, rows);
        while let Some(chunk) = rx.recv().await {
            sqlx::query(&sql).bind(chunk).execute(&mut *tx).await?;
        }
        counts.push(thread.await?);
    }
    tx.commit().await?;
    conn.execute("ANALYZE").await?;
    Ok(filled(&counts, started))
}

/// `cargo run --release --example history_fill -- URL [DAYS] [--descriptions]`.
#[tokio::main]
async fn main() -> Result<(), Error> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let url = args
        .iter()
        .find(|a| a.contains("://") || a.starts_with("sqlite:"))
        .ok_or("usage: history_fill URL [DAYS] [--descriptions]")?;
    let days = args
        .iter()
        .find_map(|a| a.parse::<u32>().ok())
        .unwrap_or(30);
    let shape = Shape {
        descriptions: args.iter().any(|a| a == "--descriptions"),
        ..Shape::days(days)
    };
    println!(
        "filling {days} days ({} chart entries) from {} ...",
        shape.entries(),
        shape.start
    );
    let f = fill_url(url, &shape).await?;
    println!(
        "{} runs, {} videos, {} video_regions, {} chart entries in {:.1} s ({:.0} entries/s)",
        f.runs,
        f.videos,
        f.video_regions,
        f.entries,
        f.elapsed.as_secs_f64(),
        f.entries as f64 / f.elapsed.as_secs_f64()
    );
    Ok(())
}
