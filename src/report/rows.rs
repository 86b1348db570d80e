//! The rows each report's query returns, one type per table. A row's field names are its
//! column names in every format (the text table's header, the CSV header, the JSON keys):
//! README.md ("Reports") documents them, and renaming one is a breaking change.

use chrono::{DateTime, NaiveDate, Utc};

use super::table::{Cell, Row};

/// Hours, shown with two decimals (csv, json) or one (text); `None` when unknown.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Hours(pub Option<f64>);

impl From<Option<f64>> for Hours {
    fn from(v: Option<f64>) -> Self {
        Hours(v)
    }
}

/// A share of a whole, 0 to 1, shown with four decimals (csv, json) or as a percentage (text).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Share(pub f64);

impl From<f64> for Share {
    fn from(v: f64) -> Self {
        Share(v)
    }
}

/// A ratio such as a Jaccard index, 0 to 1, shown with four decimals (three in text).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Ratio(pub f64);

impl From<f64> for Ratio {
    fn from(v: f64) -> Self {
        Ratio(v)
    }
}

/// Declares row structs whose columns are their fields, in order.
macro_rules! rows {
    ($(
        $(#[$meta:meta])*
        pub struct $name:ident {
            $( $(#[$fmeta:meta])* pub $field:ident : $ty:ty ),* $(,)?
        }
    )*) => {$(
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
        pub struct $name {
            $( $(#[$fmeta])* pub $field: $ty ),*
        }

        impl Row for $name {
            const COLUMNS: &'static [&'static str] = &[$(stringify!($field)),*];
            fn cells(&self) -> Vec<Cell> {
                vec![$(Cell::from(&self.$field)),*]
            }
        }
    )*};
}

rows! {
    /// `days-on-trending`, table `videos`: one video's days on the selected charts of a region,
    /// or of all of them (`region` = `all`).
    pub struct DaysRow {
        /// A region code, or `all`.
        pub region: String,
        /// The video.
        pub video_id: String,
        /// Its title (newest run).
        pub title: Option<String>,
        /// Its channel's title.
        pub channel_title: Option<String>,
        /// Distinct UTC days with at least one chart entry.
        pub days: i64,
        /// The first chart entry's `fetched_at`.
        pub first_seen_at: DateTime<Utc>,
        /// The last chart entry's `fetched_at`.
        pub last_seen_at: DateTime<Utc>,
        /// The best rank.
        pub best_rank: i64,
    }

    /// `days-on-trending`, table `distribution`: how many videos stayed `days` days.
    pub struct DaysBucket {
        /// A region code, or `all`.
        pub region: String,
        /// Days on the charts.
        pub days: i64,
        /// Videos that stayed that many days.
        pub videos: i64,
    }

    /// `time-to-trend`, table `regions`: hours from publication to the first chart entry of
    /// the videos that entered a region's charts (or any, `all`) in the period.
    pub struct TimeToTrendRow {
        /// A region code, or `all`.
        pub region: String,
        /// Videos that entered the charts in the period.
        pub videos: i64,
        /// Those with a known `published_at` (the percentiles are theirs).
        pub timed: i64,
        /// The median, in hours.
        #[sqlx(try_from = "Option<f64>")]
        pub median_hours: Hours,
        /// The 90th percentile, in hours.
        #[sqlx(try_from = "Option<f64>")]
        pub p90_hours: Hours,
    }

    /// `overlap`, table `pairs`: the videos two regions both had on their charts.
    pub struct OverlapRow {
        /// The region.
        pub region: String,
        /// The other region.
        pub other_region: String,
        /// Distinct videos on the region's charts.
        pub videos: i64,
        /// Distinct videos on the other region's charts.
        pub other_videos: i64,
        /// Videos on both.
        pub shared: i64,
        /// shared / (videos + other_videos - shared).
        #[sqlx(try_from = "f64")]
        pub jaccard: Ratio,
    }

    /// `overlap`, table `exported`: a video first seen in this region (to the hour) that then
    /// trended in others.
    pub struct ExportedRow {
        /// The region where it was first seen.
        pub region: String,
        /// The video.
        pub video_id: String,
        /// Its title.
        pub title: Option<String>,
        /// Its channel's title.
        pub channel_title: Option<String>,
        /// Its first chart entry in that region.
        pub first_seen_at: DateTime<Utc>,
        /// Regions where it trended later.
        pub other_regions: i64,
    }

    /// `languages`, table `languages`: one language's share of a region's videos.
    pub struct LanguageRow {
        /// A region code, or `all`.
        pub region: String,
        /// ISO 639-1 code, or `und`.
        pub language: String,
        /// Distinct videos in that language.
        pub videos: i64,
        /// Their share of the region's videos.
        #[sqlx(try_from = "f64")]
        pub share: Share,
        /// Of them, language from the API.
        pub source_api: i64,
        /// From the channel's other videos.
        pub source_channel: i64,
        /// Detected from the title.
        pub source_detected: i64,
        /// Unknown (`und`).
        pub source_none: i64,
    }

    /// `categories`, table `categories`: one category's share of a region's videos.
    pub struct CategoryRow {
        /// A region code, or `all`.
        pub region: String,
        /// The videos' own category id.
        pub category_id: Option<String>,
        /// Its title in `video_categories` (the region's, else any region's).
        pub title: Option<String>,
        /// Distinct videos in that category.
        pub videos: i64,
        /// Their share of the region's videos.
        #[sqlx(try_from = "f64")]
        pub share: Share,
    }

    /// `channels`, tables `by_entries` and `by_videos`: a channel's chart entries and videos.
    pub struct ChannelRow {
        /// A region code, or `all`.
        pub region: String,
        /// The channel.
        pub channel_id: String,
        /// Its title (one of its videos').
        pub channel_title: Option<String>,
        /// Chart entries of its videos (one per chart per run).
        pub entries: i64,
        /// Its distinct videos on the charts.
        pub videos: i64,
        /// Its place by entries in the region.
        pub entries_rank: i64,
        /// Its place by videos in the region.
        pub videos_rank: i64,
    }

    /// `video`, table `video`: what the store knows of the video.
    pub struct VideoInfo {
        /// The video.
        pub video_id: String,
        /// Title.
        pub title: String,
        /// Channel title.
        pub channel_title: Option<String>,
        /// Its own category.
        pub category_id: Option<String>,
        /// Upload time.
        pub published_at: Option<DateTime<Utc>>,
        /// Language.
        pub language: String,
        /// Views, newest run.
        pub view_count: Option<i64>,
    }

    /// `video`, table `ranks`: its place in one chart at one run.
    pub struct RankRow {
        /// When that chart was fetched.
        pub fetched_at: DateTime<Utc>,
        /// The run.
        pub run_id: i64,
        /// Region.
        pub region: String,
        /// Chart category.
        pub category_id: String,
        /// Rank.
        pub rank: i64,
        /// Views as that chart reported them.
        pub view_count: Option<i64>,
    }

    /// `video`, table `views`: its view count at each run (the largest its charts reported).
    pub struct ViewsRow {
        /// The run's first chart with the video.
        pub fetched_at: DateTime<Utc>,
        /// The run.
        pub run_id: i64,
        /// Views.
        pub view_count: Option<i64>,
    }

    /// The HTML page's heading: what the selected history covers.
    pub struct Coverage {
        /// The first chart entry.
        pub first_at: Option<DateTime<Utc>>,
        /// The last chart entry.
        pub last_at: Option<DateTime<Utc>>,
        /// UTC days with chart entries.
        pub days: i64,
        /// Distinct videos.
        pub videos: i64,
        /// Chart entries.
        pub entries: i64,
    }
}

impl From<&Hours> for Cell {
    fn from(v: &Hours) -> Self {
        v.0.map_or(Cell::Null, Cell::Hours)
    }
}

impl From<&Share> for Cell {
    fn from(v: &Share) -> Self {
        Cell::Share(v.0)
    }
}

impl From<&Ratio> for Cell {
    fn from(v: &Ratio) -> Self {
        Cell::Ratio(v.0)
    }
}

impl From<&NaiveDate> for Cell {
    fn from(v: &NaiveDate) -> Self {
        Cell::Date(*v)
    }
}
