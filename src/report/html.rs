//! `trendtap report html`: every report on one self-contained page (inline CSS and SVG, no
//! script, no font or image from the network), laid out by a template (`page.html`, rendered
//! with minijinja, which escapes every value but the charts' SVG).

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::charts::{self, RankSeries, Stack, OTHER};
use super::table::{Cell, Table};
use super::{
    CategoryRow, ChannelRow, Coverage, DaysBucket, DaysRow, Filters, LanguageRow, OverlapRow,
    RankRow, TimeToTrendRow, ALL,
};

/// The page's template.
const TEMPLATE: &str = include_str!("page.html");

/// Regions drawn in the heatmap and the stacked bars, the ones with the most videos first.
const MAX_REGIONS: usize = 40;

/// Keys of a stacked chart before the rest is "other".
const MAX_KEYS: usize = 9;

/// Everything the page shows, as the store returned it.
#[derive(Debug, Clone)]
pub struct PageData {
    /// The filters the reports ran with.
    pub filters: Filters,
    /// What the selected history covers.
    pub coverage: Coverage,
    /// Its regions.
    pub regions: Vec<String>,
    /// Longest-trending videos (every scope).
    pub days: Vec<DaysRow>,
    /// Days-on-trending distribution (every scope).
    pub buckets: Vec<DaysBucket>,
    /// Rank lines of the longest-trending videos.
    pub ranks: Vec<RankSeries>,
    /// Time to trend per region.
    pub time_to_trend: Vec<TimeToTrendRow>,
    /// Every pair of regions that shared a video.
    pub overlap: Vec<OverlapRow>,
    /// Every language of every region.
    pub languages: Vec<LanguageRow>,
    /// Every category of every region.
    pub categories: Vec<CategoryRow>,
    /// Top channels.
    pub channels: Vec<ChannelRow>,
    /// Rows of each table.
    pub limit: usize,
    /// When the page was made.
    pub generated_at: DateTime<Utc>,
}

#[derive(Serialize)]
struct Section {
    id: &'static str,
    title: &'static str,
    caption: String,
    svg: String,
    table: Option<HtmlTable>,
}

#[derive(Serialize)]
struct HtmlTable {
    columns: Vec<&'static str>,
    rows: Vec<Vec<HtmlCell>>,
}

#[derive(Serialize)]
struct HtmlCell {
    text: String,
    num: bool,
}

/// `table`'s `columns` (in that order), its first `limit` rows.
fn html_table(table: &Table, columns: &[&'static str], limit: usize) -> Option<HtmlTable> {
    let at: Vec<usize> = columns
        .iter()
        .map(|c| table.columns.iter().position(|t| t == c).expect("a column"))
        .collect();
    let rows: Vec<Vec<HtmlCell>> = table
        .rows
        .iter()
        .take(limit)
        .map(|row| {
            at.iter()
                .map(|&i| HtmlCell {
                    text: row[i].text(),
                    num: row[i].is_number(),
                })
                .collect()
        })
        .collect();
    (!rows.is_empty()).then(|| HtmlTable {
        columns: columns.to_vec(),
        rows,
    })
}

/// The rank line of a video over its main chart (the region and category with the most
/// entries), labelled `label (REGION)`.
pub fn rank_series(label: &str, ranks: &[RankRow]) -> Option<RankSeries> {
    let mut count: HashMap<(&str, &str), usize> = HashMap::new();
    for r in ranks {
        *count.entry((&r.region, &r.category_id)).or_default() += 1;
    }
    let (&(region, category), _) = count
        .iter()
        .max_by_key(|(k, n)| (**n, std::cmp::Reverse(**k)))?;
    let points = ranks
        .iter()
        .filter(|r| r.region == region && r.category_id == category)
        .map(|r| (r.fetched_at, r.rank))
        .collect();
    let label = Cell::Text(label.to_owned()).text();
    Some(RankSeries {
        label: format!("{label} ({region})"),
        points,
    })
}

/// The page.
pub fn render(d: &PageData) -> String {
    let sections = vec![
        days_section(d),
        rank_section(d),
        time_to_trend_section(d),
        overlap_section(d),
        languages_section(d),
        categories_section(d),
        channels_section(d),
    ];
    let time = |t: Option<DateTime<Utc>>| {
        t.map_or_else(
            || "-".to_owned(),
            |t| t.format("%Y-%m-%d %H:%M").to_string(),
        )
    };
    let period = match (d.filters.since, d.filters.until) {
        (None, None) => "Every stored day".to_owned(),
        (since, until) => format!(
            "UTC days {} to {}",
            since.map_or_else(|| "the first".to_owned(), |s| s.to_string()),
            until.map_or_else(|| "the last".to_owned(), |s| s.to_string())
        ),
    };
    let c = &d.coverage;
    let context = minijinja::context! {
        title => "YouTube trending report",
        period => format!(
            "{period}: charts fetched from {} to {} UTC",
            time(c.first_at),
            time(c.last_at)
        ),
        regions => format!("{} ({})", d.regions.join(", "), d.regions.len()),
        categories => if d.filters.categories.is_empty() {
            "every chart category".to_owned()
        } else {
            d.filters.categories.join(", ")
        },
        history => format!(
            "{} chart entries of {} videos on {} UTC days",
            c.entries, c.videos, c.days
        ),
        sections => minijinja::value::Serde(&sections),
        version => env!("CARGO_PKG_VERSION"),
        generated_at => d.generated_at.format("%Y-%m-%d %H:%M").to_string(),
    };
    let mut env = minijinja::Environment::new();
    env.add_template("page.html", TEMPLATE)
        .expect("the template parses");
    env.get_template("page.html")
        .and_then(|t| t.render(context))
        .expect("the template renders plain data")
}

fn in_scope<'a, T>(rows: &'a [T], region: impl Fn(&T) -> &str + 'a) -> impl Iterator<Item = &'a T> {
    rows.iter().filter(move |r| region(r) == ALL)
}

fn days_section(d: &PageData) -> Section {
    let buckets: Vec<(i64, i64)> = in_scope(&d.buckets, |b| &b.region)
        .map(|b| (b.days, b.videos))
        .collect();
    let top: Vec<DaysRow> = in_scope(&d.days, |r| &r.region).cloned().collect();
    let table = Table::new("videos", "", &top);
    Section {
        id: "days-on-trending",
        title: "Days on trending",
        caption: "How many videos stayed 1, 2, ... distinct UTC days on any selected chart, and the longest-trending videos.".into(),
        svg: charts::days_histogram(&buckets),
        table: html_table(
            &table,
            &["title", "channel_title", "days", "best_rank", "first_seen_at", "last_seen_at"],
            d.limit,
        ),
    }
}

fn rank_section(d: &PageData) -> Section {
    Section {
        id: "rank-over-time",
        title: "Rank over time",
        caption: "The longest-trending videos' rank at each run, in the chart where each spent the most runs (rank 1 at the top).".into(),
        svg: charts::rank_lines(&d.ranks),
        table: None,
    }
}

fn time_to_trend_section(d: &PageData) -> Section {
    let rows: Vec<(String, f64, f64)> = d
        .time_to_trend
        .iter()
        .filter_map(|r| Some((r.region.clone(), r.median_hours.0?, r.p90_hours.0?)))
        .collect();
    Section {
        id: "time-to-trend",
        title: "Time to trend",
        caption: "Hours from publication to the first chart entry, for the videos that entered the charts in the period (videos without a publication time are counted, not timed).".into(),
        svg: charts::time_to_trend(&rows),
        table: html_table(
            &Table::new("regions", "", &d.time_to_trend),
            &["region", "videos", "timed", "median_hours", "p90_hours"],
            usize::MAX,
        ),
    }
}

/// The regions drawn, at most [`MAX_REGIONS`], the ones with the most videos.
fn drawn_regions(d: &PageData) -> Vec<String> {
    let mut videos: HashMap<&str, i64> = HashMap::new();
    for r in &d.languages {
        if r.region != ALL {
            *videos.entry(&r.region).or_default() += r.videos;
        }
    }
    let mut regions: Vec<&String> = d.regions.iter().collect();
    regions.sort_by_key(|r| std::cmp::Reverse(videos.get(r.as_str()).copied().unwrap_or(0)));
    regions.truncate(MAX_REGIONS);
    let keep: HashSet<&String> = regions.into_iter().collect();
    d.regions
        .iter()
        .filter(|r| keep.contains(r))
        .cloned()
        .collect()
}

fn overlap_section(d: &PageData) -> Section {
    let regions = drawn_regions(d);
    let jaccard: HashMap<(&str, &str), f64> = d
        .overlap
        .iter()
        .map(|r| ((r.region.as_str(), r.other_region.as_str()), r.jaccard.0))
        .collect();
    let svg = charts::overlap_heatmap(&regions, |a, b| {
        jaccard
            .get(&(regions[a].as_str(), regions[b].as_str()))
            .copied()
            .unwrap_or(0.0)
    });
    let mut pairs: Vec<OverlapRow> = d
        .overlap
        .iter()
        .filter(|r| r.region < r.other_region)
        .cloned()
        .collect();
    pairs.sort_by(|a, b| b.jaccard.0.total_cmp(&a.jaccard.0));
    let caption = format!(
        "Jaccard index of the videos each pair of regions had on their charts (shared / either){}; the closest pairs below.",
        if regions.len() < d.regions.len() {
            format!(", the {} regions with the most videos", regions.len())
        } else {
            String::new()
        }
    );
    Section {
        id: "overlap",
        title: "Overlap of regions",
        caption,
        svg,
        table: html_table(
            &Table::new("pairs", "", &pairs),
            &[
                "region",
                "other_region",
                "shared",
                "videos",
                "other_videos",
                "jaccard",
            ],
            d.limit,
        ),
    }
}

/// Stacked shares per region (`all` first): the `MAX_KEYS` keys with the most videos overall,
/// then the rest as "other".
fn stacks(rows: &[(String, String, i64, f64)], regions: &[String]) -> (Vec<Stack>, Vec<String>) {
    let mut keys: Vec<(&String, i64)> = rows
        .iter()
        .filter(|r| r.0 == ALL)
        .map(|r| (&r.1, r.2))
        .collect();
    keys.sort_by_key(|k| (std::cmp::Reverse(k.1), k.0.clone()));
    let mut keys: Vec<String> = keys
        .into_iter()
        .take(MAX_KEYS)
        .map(|k| k.0.clone())
        .collect();
    let drawn: Vec<String> = std::iter::once(ALL.to_owned())
        .chain(regions.iter().cloned())
        .collect();
    let stacks: Vec<Stack> = drawn
        .iter()
        .map(|region| {
            let share = |key: &str| {
                rows.iter()
                    .find(|r| &r.0 == region && r.1 == key)
                    .map_or(0.0, |r| r.3)
            };
            let mut parts: Vec<(String, f64)> =
                keys.iter().map(|k| (k.clone(), share(k))).collect();
            let rest = 1.0 - parts.iter().map(|p| p.1).sum::<f64>();
            parts.push((OTHER.to_owned(), rest.max(0.0)));
            (region.clone(), parts)
        })
        .collect();
    keys.push(OTHER.to_owned());
    (stacks, keys)
}

fn languages_section(d: &PageData) -> Section {
    let rows: Vec<(String, String, i64, f64)> = d
        .languages
        .iter()
        .map(|r| (r.region.clone(), r.language.clone(), r.videos, r.share.0))
        .collect();
    let (stacks, keys) = stacks(&rows, &drawn_regions(d));
    let all: Vec<LanguageRow> = in_scope(&d.languages, |r| &r.region).cloned().collect();
    Section {
        id: "languages",
        title: "Language mix",
        caption: "Share of each language among each region's videos (`und`: unknown); the table says how the languages of all regions were known.".into(),
        svg: charts::stacked_bars(&stacks, &keys),
        table: html_table(
            &Table::new("languages", "", &all),
            &["language", "videos", "share", "source_api", "source_channel", "source_detected", "source_none"],
            d.limit,
        ),
    }
}

fn categories_section(d: &PageData) -> Section {
    let name = |r: &CategoryRow| match (&r.category_id, &r.title) {
        (Some(id), Some(t)) => format!("{t} ({id})"),
        (Some(id), None) => id.clone(),
        (None, _) => "none".to_owned(),
    };
    let rows: Vec<(String, String, i64, f64)> = d
        .categories
        .iter()
        .map(|r| (r.region.clone(), name(r), r.videos, r.share.0))
        .collect();
    let (stacks, keys) = stacks(&rows, &drawn_regions(d));
    let all: Vec<CategoryRow> = in_scope(&d.categories, |r| &r.region).cloned().collect();
    Section {
        id: "categories",
        title: "Category mix",
        caption: "Share of each video category among each region's videos.".into(),
        svg: charts::stacked_bars(&stacks, &keys),
        table: html_table(
            &Table::new("categories", "", &all),
            &["category_id", "title", "videos", "share"],
            d.limit,
        ),
    }
}

fn channels_section(d: &PageData) -> Section {
    let mut top: Vec<ChannelRow> = in_scope(&d.channels, |r| &r.region)
        .filter(|r| r.entries_rank as usize <= d.limit)
        .cloned()
        .collect();
    top.sort_by_key(|r| r.entries_rank);
    let bars: Vec<(String, f64)> = top
        .iter()
        .map(|r| {
            let name = r
                .channel_title
                .clone()
                .unwrap_or_else(|| r.channel_id.clone());
            (Cell::Text(name).text(), r.entries as f64)
        })
        .collect();
    Section {
        id: "channels",
        title: "Channels",
        caption: "The channels with the most chart entries (one per chart per run) over all selected charts.".into(),
        svg: charts::hbars(&bars, "chart entries"),
        table: html_table(
            &Table::new("by_entries", "", &top),
            &["channel_title", "entries", "videos"],
            d.limit,
        ),
    }
}
