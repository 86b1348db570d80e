//! The full-fidelity record of `--format ndjson` and `--format parquet`: one per chart entry,
//! its columns in one fixed order ([`COLUMNS`]) with their types, and a [`Row`]'s values in
//! that order ([`values`]). Unknown stays unknown: a count the API hid is `None` (JSON `null`,
//! a Parquet null), never 0.

use chrono::{DateTime, Utc};

use super::categories::Titles;
use crate::model::{HistoryEntry, Video};

/// A column's type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// 64-bit integer.
    Int64,
    /// 32-bit integer.
    Int32,
    /// Boolean.
    Bool,
    /// UTF-8 text.
    Text,
    /// A UTC instant (microseconds).
    Time,
    /// A list of texts.
    List,
}

/// A column of the record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Column {
    /// Its name.
    pub name: &'static str,
    /// Its type.
    pub kind: Kind,
    /// Whether it may be null (unknown).
    pub nullable: bool,
}

const fn col(name: &'static str, kind: Kind, nullable: bool) -> Column {
    Column {
        name,
        kind,
        nullable,
    }
}

/// The number of columns.
pub const WIDTH: usize = 30;

/// The columns, in their order (README.md, "Export", documents each).
pub const COLUMNS: [Column; WIDTH] = [
    col("run_id", Kind::Int64, false),
    col("run_started_at", Kind::Time, false),
    col("fetched_at", Kind::Time, false),
    col("region", Kind::Text, false),
    col("chart_category_id", Kind::Text, false),
    col("chart_category_title", Kind::Text, true),
    col("rank", Kind::Int32, false),
    col("video_id", Kind::Text, false),
    col("title", Kind::Text, false),
    col("channel_id", Kind::Text, true),
    col("channel_title", Kind::Text, true),
    col("category_id", Kind::Text, true),
    col("category_title", Kind::Text, true),
    col("published_at", Kind::Time, true),
    col("duration_seconds", Kind::Int64, true),
    col("language", Kind::Text, false),
    col("language_source", Kind::Text, false),
    col("view_count", Kind::Int64, true),
    col("like_count", Kind::Int64, true),
    col("comment_count", Kind::Int64, true),
    col("tags", Kind::List, false),
    col("thumbnail_url", Kind::Text, true),
    col("age_restricted", Kind::Bool, true),
    col("blocked_regions", Kind::List, true),
    col("allowed_regions", Kind::List, true),
    col("caption", Kind::Bool, true),
    col("definition", Kind::Text, true),
    col("licensed_content", Kind::Bool, true),
    col("live_broadcast_content", Kind::Text, true),
    col("description", Kind::Text, true),
];

/// A value of the record (`None`: unknown).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Value<'a> {
    /// [`Kind::Int64`].
    Int64(Option<i64>),
    /// [`Kind::Int32`].
    Int32(i32),
    /// [`Kind::Bool`].
    Bool(Option<bool>),
    /// [`Kind::Text`].
    Text(Option<&'a str>),
    /// [`Kind::Time`].
    Time(Option<DateTime<Utc>>),
    /// [`Kind::List`].
    List(Option<&'a [String]>),
}

/// One record's sources: a chart entry (with its counts), its video's stored metadata and its
/// run's start.
#[derive(Debug, Clone, Copy)]
pub struct Row<'a> {
    /// The entry.
    pub entry: &'a HistoryEntry,
    /// When the entry's run started.
    pub run_started_at: DateTime<Utc>,
    /// The entry's video (its counts are not read: the entry's are).
    pub video: &'a Video,
}

/// The record of `row`, in [`COLUMNS`] order.
pub fn values<'a>(row: Row<'a>, titles: &'a Titles) -> [Value<'a>; WIDTH] {
    let (o, v) = (row.entry, row.video);
    let text = |s: &'a Option<String>| Value::Text(s.as_deref());
    [
        Value::Int64(Some(o.run_id)),
        Value::Time(Some(row.run_started_at)),
        Value::Time(Some(o.fetched_at)),
        Value::Text(Some(&o.region)),
        Value::Text(Some(&o.chart_category_id)),
        Value::Text(titles.title(&o.region, &o.chart_category_id)),
        Value::Int32(o.rank),
        Value::Text(Some(&o.video_id)),
        Value::Text(Some(&v.title)),
        text(&v.channel_id),
        text(&v.channel_title),
        text(&v.category_id),
        Value::Text(
            v.category_id
                .as_deref()
                .and_then(|id| titles.title(&o.region, id)),
        ),
        Value::Time(v.published_at),
        Value::Int64(v.duration_seconds),
        Value::Text(Some(&v.language)),
        Value::Text(Some(v.language_source.as_str())),
        Value::Int64(o.view_count),
        Value::Int64(o.like_count),
        Value::Int64(o.comment_count),
        Value::List(Some(&v.tags)),
        text(&v.thumbnail_url),
        Value::Bool(v.age_restricted),
        Value::List(v.blocked_regions.as_deref()),
        Value::List(v.allowed_regions.as_deref()),
        Value::Bool(v.caption),
        text(&v.definition),
        Value::Bool(v.licensed_content),
        text(&v.live_broadcast_content),
        text(&v.description),
    ]
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::model::{LanguageSource, Observation};

    /// A record's sources, owned: `o`'s entry (with its counts), run start and video.
    pub(crate) struct Parts(HistoryEntry, DateTime<Utc>, Video);

    impl Parts {
        pub(crate) fn of(o: &Observation) -> Self {
            let v = &o.video;
            let entry = HistoryEntry {
                run_id: o.run_id,
                fetched_at: o.fetched_at,
                region: o.region.clone(),
                chart_category_id: o.chart_category_id.clone(),
                rank: o.rank,
                video_id: v.video_id.clone(),
                view_count: v.view_count,
                like_count: v.like_count,
                comment_count: v.comment_count,
            };
            let video = Video {
                view_count: None,
                like_count: None,
                comment_count: None,
                ..v.clone()
            };
            Parts(entry, o.run_started_at, video)
        }

        pub(crate) fn row(&self) -> Row<'_> {
            Row {
                entry: &self.0,
                run_started_at: self.1,
                video: &self.2,
            }
        }
    }

    /// An observation with every field known, for the formats' tests.
    pub(crate) fn observation() -> Observation {
        Observation {
            run_id: 7,
            run_started_at: "2026-11-22T06:00:00Z".parse().unwrap(),
            fetched_at: "2026-11-22T06:00:02.5Z".parse().unwrap(),
            region: "US".into(),
            chart_category_id: "0".into(),
            rank: 3,
            video: Video {
                video_id: "n1WpP7iowLc".into(),
                title: "Eminem - Walk On Water (Audio) ft. Beyoncé".into(),
                channel_id: Some("UC20vb-R_px4CguHzzBPhoyQ".into()),
                channel_title: Some("EminemVEVO".into()),
                category_id: Some("10".into()),
                published_at: Some("2017-11-10T17:00:03Z".parse().unwrap()),
                duration_seconds: Some(305),
                language: "en".into(),
                language_source: LanguageSource::Api,
                view_count: Some(17_158_579),
                like_count: None,
                comment_count: Some(125_882),
                tags: vec!["Eminem".into(), "Walk".into()],
                thumbnail_url: Some("https://i.ytimg.com/vi/n1WpP7iowLc/maxresdefault.jpg".into()),
                age_restricted: Some(false),
                blocked_regions: None,
                allowed_regions: Some(vec![]),
                caption: Some(true),
                definition: Some("hd".into()),
                licensed_content: Some(true),
                live_broadcast_content: Some("none".into()),
                description: Some("line one\nline \"two\"".into()),
            },
        }
    }

    #[test]
    fn values_follow_the_columns_kinds() {
        let parts = Parts::of(&observation());
        let titles = Titles::default();
        for (column, value) in COLUMNS.iter().zip(values(parts.row(), &titles)) {
            let kind = match value {
                Value::Int64(_) => Kind::Int64,
                Value::Int32(_) => Kind::Int32,
                Value::Bool(_) => Kind::Bool,
                Value::Text(_) => Kind::Text,
                Value::Time(_) => Kind::Time,
                Value::List(_) => Kind::List,
            };
            assert_eq!(kind, column.kind, "{}", column.name);
        }
    }

    /// The order of the columns is part of the interface: readers may address them by
    /// position. Changing it is a breaking change of the export.
    #[test]
    fn the_column_order_is_fixed() {
        let names: Vec<&str> = COLUMNS.iter().map(|c| c.name).collect();
        assert_eq!(
            names.join(","),
            "run_id,run_started_at,fetched_at,region,chart_category_id,chart_category_title,\
             rank,video_id,title,channel_id,channel_title,category_id,category_title,\
             published_at,duration_seconds,language,language_source,view_count,like_count,\
             comment_count,tags,thumbnail_url,age_restricted,blocked_regions,allowed_regions,\
             caption,definition,licensed_content,live_broadcast_content,description"
        );
    }
}
