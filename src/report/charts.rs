//! The HTML page's charts, drawn with plotters' SVG backend as inline `<svg>` elements: the
//! browser draws the text with its own sans-serif font, so the page needs no font file.
//! Every chart is drawn even without data (an empty frame), so the page keeps its shape.

use chrono::{DateTime, Duration, Utc};
use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::prelude::*;

/// The width of every chart, in pixels (the page scales them down on narrow screens).
const WIDTH: u32 = 1080;

/// One line of the rank chart: a video's rank in one chart over time.
#[derive(Debug, Clone, PartialEq)]
pub struct RankSeries {
    /// The legend: title and chart.
    pub label: String,
    /// (time, rank).
    pub points: Vec<(DateTime<Utc>, i64)>,
}

/// The key of a stacked chart's last part, the rest of the keys together (grey).
pub const OTHER: &str = "other";

/// One bar of a stacked-bar chart: a region and its parts (key, share 0..1).
pub type Stack = (String, Vec<(String, f64)>);

/// The colour of the `i`-th series; the last key of a stacked chart ("other") is grey.
fn colour(i: usize) -> RGBColor {
    const COLOURS: [RGBColor; 10] = [
        RGBColor(31, 119, 180),
        RGBColor(255, 127, 14),
        RGBColor(44, 160, 44),
        RGBColor(214, 39, 40),
        RGBColor(148, 103, 189),
        RGBColor(140, 86, 75),
        RGBColor(227, 119, 194),
        RGBColor(188, 189, 34),
        RGBColor(23, 190, 207),
        RGBColor(127, 127, 127),
    ];
    COLOURS[i % COLOURS.len()]
}

fn svg(height: u32, draw: impl FnOnce(&DrawingArea<SVGBackend, Shift>)) -> String {
    svg_sized((WIDTH, height), draw)
}

fn svg_sized(size: (u32, u32), draw: impl FnOnce(&DrawingArea<SVGBackend, Shift>)) -> String {
    let mut out = String::new();
    {
        let area = SVGBackend::with_string(&mut out, size).into_drawing_area();
        area.fill(&WHITE).expect("drawing into a string");
        draw(&area);
        area.present().expect("drawing into a string");
    }
    out
}

/// The index of the row drawn at `y` when row 0 is at the top: rows are drawn from
/// `y = len - 1` (the first) down to `y = 0`; labels sit at the middle of a row.
fn row_at(len: usize, y: f64) -> Option<usize> {
    if (y.fract() - 0.5).abs() >= 0.01 || y < 0.0 || y as usize >= len {
        return None;
    }
    Some(len - 1 - y as usize)
}

/// The bottom of row `i` of `len` (row 0 at the top).
fn row_y(len: usize, i: usize) -> f64 {
    (len - 1 - i) as f64
}

fn font(size: u32) -> TextStyle<'static> {
    ("sans-serif", size).into_font().into()
}

/// Histogram: how many videos stayed 1, 2, ... days on the charts.
pub fn days_histogram(buckets: &[(i64, i64)]) -> String {
    let max_days = buckets.iter().map(|b| b.0).max().unwrap_or(1).max(1);
    let max_videos = buckets.iter().map(|b| b.1).max().unwrap_or(1).max(1);
    svg(360, |area| {
        let mut chart = ChartBuilder::on(area)
            .margin(12)
            .x_label_area_size(36)
            .y_label_area_size(56)
            .build_cartesian_2d(
                0.5f64..max_days as f64 + 0.5,
                0f64..max_videos as f64 * 1.08,
            )
            .expect("valid ranges");
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_desc("days on the charts (distinct UTC days)")
            .y_desc("videos")
            .x_labels(max_days.min(30) as usize)
            .x_label_formatter(&|x| format!("{x:.0}"))
            .y_label_formatter(&|y| format!("{y:.0}"))
            .label_style(font(12))
            .axis_desc_style(font(13))
            .draw()
            .expect("drawing into a string");
        chart
            .draw_series(buckets.iter().map(|&(days, videos)| {
                let d = days as f64;
                Rectangle::new(
                    [(d - 0.4, 0.0), (d + 0.4, videos as f64)],
                    colour(0).filled(),
                )
            }))
            .expect("drawing into a string");
    })
}

/// Rank over time: one line per video (rank 1 at the top).
pub fn rank_lines(series: &[RankSeries]) -> String {
    let times = series.iter().flat_map(|s| s.points.iter().map(|p| p.0));
    let first = times.clone().min().unwrap_or_else(Utc::now);
    let last = times.max().unwrap_or(first);
    // A margin on both sides, so that a run at either end (or the only run) shows.
    let pad = ((last - first) / 40).max(Duration::minutes(30));
    let (start, end) = (first - pad, last + pad);
    let worst = series
        .iter()
        .flat_map(|s| s.points.iter().map(|p| p.1))
        .max()
        .unwrap_or(10)
        .max(10);
    let hours = |t: DateTime<Utc>| (t - start).num_seconds() as f64 / 3600.0;
    let span = hours(end);
    svg(420, |area| {
        let mut chart = ChartBuilder::on(area)
            .margin(12)
            .x_label_area_size(36)
            .y_label_area_size(48)
            .build_cartesian_2d(0f64..span, -(worst as f64 + 1.0)..0f64)
            .expect("valid ranges");
        let label = |x: &f64| {
            (start + Duration::seconds((x * 3600.0) as i64))
                .format("%m-%d %H:%M")
                .to_string()
        };
        chart
            .configure_mesh()
            .x_desc("fetched at (UTC)")
            .y_desc("rank")
            .x_labels(8)
            .x_label_formatter(&label)
            .y_label_formatter(&|y| format!("{}", (-y).round() as i64))
            .label_style(font(12))
            .axis_desc_style(font(13))
            .draw()
            .expect("drawing into a string");
        for (i, s) in series.iter().enumerate() {
            let style = colour(i).stroke_width(2);
            let points = s.points.iter().map(|&(t, r)| (hours(t), -(r as f64)));
            // Each run a dot, so that a video seen in one run still shows.
            chart
                .draw_series(
                    points
                        .clone()
                        .map(|p| Circle::new(p, 3, colour(i).filled())),
                )
                .expect("drawing into a string");
            chart
                .draw_series(LineSeries::new(points, style))
                .expect("drawing into a string")
                .label(s.label.clone())
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 16, y)], colour(i).stroke_width(2))
                });
        }
        if !series.is_empty() {
            chart
                .configure_series_labels()
                .position(SeriesLabelPosition::LowerLeft)
                .background_style(WHITE.mix(0.85))
                .border_style(BLACK.mix(0.3))
                .label_font(font(12))
                .draw()
                .expect("drawing into a string");
        }
    })
}

/// Time to trend: per region, a bar to the median and a whisker to the 90th percentile.
pub fn time_to_trend(rows: &[(String, f64, f64)]) -> String {
    let labels: Vec<&str> = rows.iter().map(|r| r.0.as_str()).collect();
    let bars: Vec<f64> = rows.iter().map(|r| r.1).collect();
    let max = rows.iter().map(|r| r.2.max(r.1)).fold(1.0f64, f64::max);
    let frame = Bars {
        labels: &labels,
        values: &bars,
        max,
        unit:
            "hours from publication to the first chart entry (bar: median, line: 90th percentile)",
        label_width: 48,
        colour: 0,
    };
    frame.draw(|chart| {
        chart
            .draw_series(rows.iter().enumerate().map(|(i, r)| {
                let y = row_y(rows.len(), i) + 0.5;
                PathElement::new(vec![(r.1, y), (r.2, y)], colour(1).stroke_width(3))
            }))
            .expect("drawing into a string");
    })
}

/// A horizontal bar chart's frame: a row per label from the top, a bar per row to its value,
/// the x axis from 0 past `max`, named `unit`.
struct Bars<'a> {
    labels: &'a [&'a str],
    values: &'a [f64],
    max: f64,
    unit: &'a str,
    /// The width of the labels' column, in pixels.
    label_width: u32,
    colour: usize,
}

/// The coordinates of a [`Bars`] chart.
type BarsChart<'a, 'b> =
    ChartContext<'a, SVGBackend<'b>, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

impl Bars<'_> {
    /// Draws the frame and the bars, then `more` on top.
    fn draw(&self, more: impl FnOnce(&mut BarsChart<'_, '_>)) -> String {
        let n = self.labels.len().max(1);
        svg(70 + 24 * n as u32, |area| {
            let mut chart = ChartBuilder::on(area)
                .margin(12)
                .x_label_area_size(36)
                .y_label_area_size(self.label_width)
                .build_cartesian_2d(0f64..self.max * 1.05, 0f64..n as f64)
                .expect("valid ranges");
            let rows = self.labels.len();
            let name =
                |y: &f64| row_at(rows, *y).map_or_else(String::new, |i| self.labels[i].to_owned());
            chart
                .configure_mesh()
                .disable_y_mesh()
                .x_desc(self.unit)
                .y_labels(n * 2 + 1)
                .y_label_formatter(&name)
                .x_label_formatter(&|x| format!("{x:.0}"))
                .label_style(font(12))
                .axis_desc_style(font(13))
                .draw()
                .expect("drawing into a string");
            chart
                .draw_series(self.values.iter().enumerate().map(|(i, &v)| {
                    let y = row_y(rows, i);
                    Rectangle::new([(0.0, y + 0.2), (v, y + 0.8)], colour(self.colour).filled())
                }))
                .expect("drawing into a string");
            more(&mut chart);
        })
    }
}

/// Heatmap of the Jaccard index of each pair of regions (darker: more shared videos).
pub fn overlap_heatmap(regions: &[String], jaccard: impl Fn(usize, usize) -> f64) -> String {
    let n = regions.len().max(1);
    let cell = (760 / n as u32).clamp(10, 44);
    let side = cell * n as u32;
    let max = (0..regions.len())
        .flat_map(|a| {
            (0..regions.len())
                .filter(move |b| *b != a)
                .map(move |b| (a, b))
        })
        .map(|(a, b)| jaccard(a, b))
        .fold(0.0f64, f64::max)
        .max(1e-9);
    svg_sized((side + 72, side + 64), |area| {
        let mut chart = ChartBuilder::on(area)
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(48)
            .build_cartesian_2d(0f64..n as f64, 0f64..n as f64)
            .expect("valid ranges");
        let name = |v: &f64| {
            if (v.fract() - 0.5).abs() < 0.01 {
                regions.get(*v as usize).cloned().unwrap_or_default()
            } else {
                String::new()
            }
        };
        chart
            .configure_mesh()
            .disable_mesh()
            .x_labels(n * 2 + 1)
            .y_labels(n * 2 + 1)
            .x_label_formatter(&name)
            .y_label_formatter(&|y| {
                row_at(regions.len(), *y)
                    .map(|i| regions[i].clone())
                    .unwrap_or_default()
            })
            .label_style(font(if n > 40 { 8 } else { 12 }))
            .draw()
            .expect("drawing into a string");
        let cells = (0..regions.len()).flat_map(|a| (0..regions.len()).map(move |b| (a, b)));
        chart
            .draw_series(cells.map(|(a, b)| {
                let colour = if a == b {
                    RGBColor(220, 220, 220).filled()
                } else {
                    let t = jaccard(a, b) / max;
                    let c = |full: u8| (255.0 - t * (255.0 - f64::from(full))) as u8;
                    RGBColor(c(8), c(48), c(107)).filled()
                };
                let (x, y) = (a as f64, row_y(regions.len(), b));
                Rectangle::new([(x, y), (x + 1.0, y + 1.0)], colour)
            }))
            .expect("drawing into a string");
    })
}

/// Horizontal stacked bars: per region, the share of each key; `keys` in legend order.
pub fn stacked_bars(stacks: &[Stack], keys: &[String]) -> String {
    let n = stacks.len().max(1);
    svg(110 + 22 * n as u32, |area| {
        let mut chart = ChartBuilder::on(area)
            .margin(12)
            .x_label_area_size(36)
            .y_label_area_size(48)
            .build_cartesian_2d(0f64..1.25, 0f64..n as f64)
            .expect("valid ranges");
        let name = |y: &f64| {
            row_at(stacks.len(), *y)
                .map(|i| stacks[i].0.clone())
                .unwrap_or_default()
        };
        chart
            .configure_mesh()
            .disable_y_mesh()
            .y_labels(n * 2 + 1)
            .y_label_formatter(&name)
            .x_labels(6)
            .x_label_formatter(&|x| {
                if *x <= 1.0 {
                    format!("{:.0}%", x * 100.0)
                } else {
                    String::new()
                }
            })
            .label_style(font(12))
            .draw()
            .expect("drawing into a string");
        for (k, key) in keys.iter().enumerate() {
            let colour = move |k| if key == OTHER { colour(9) } else { colour(k) };
            let bars = stacks.iter().enumerate().filter_map(|(i, (_, parts))| {
                let at = parts.iter().position(|p| &p.0 == key)?;
                let from: f64 = parts[..at].iter().map(|p| p.1).sum();
                let y = row_y(stacks.len(), i);
                Some(Rectangle::new(
                    [(from, y + 0.15), (from + parts[at].1, y + 0.85)],
                    colour(k).filled(),
                ))
            });
            chart
                .draw_series(bars)
                .expect("drawing into a string")
                .label(key.clone())
                .legend(move |(x, y)| {
                    Rectangle::new([(x, y - 5), (x + 10, y + 5)], colour(k).filled())
                });
        }
        if !keys.is_empty() {
            chart
                .configure_series_labels()
                .position(SeriesLabelPosition::UpperRight)
                .background_style(WHITE.mix(0.9))
                .border_style(BLACK.mix(0.3))
                .label_font(font(12))
                .draw()
                .expect("drawing into a string");
        }
    })
}

/// Horizontal bars: one per label, its value (`unit` names the axis).
pub fn hbars(rows: &[(String, f64)], unit: &str) -> String {
    let labels: Vec<&str> = rows.iter().map(|r| r.0.as_str()).collect();
    let values: Vec<f64> = rows.iter().map(|r| r.1).collect();
    Bars {
        labels: &labels,
        values: &values,
        max: values.iter().copied().fold(1.0f64, f64::max),
        unit,
        label_width: 260,
        colour: 2,
    }
    .draw(|_| {})
}
