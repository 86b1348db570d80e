//! A report's tables and their three outputs: an aligned text table for a terminal (widths by
//! display width, so that CJK and emoji titles line up), CSV (RFC 4180, a header of the column
//! names) and JSON (one object per row, keys in column order).

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use unicode_width::UnicodeWidthStr;

/// A row of a report table: its column names and its values, in the same order.
pub trait Row {
    /// The column names.
    const COLUMNS: &'static [&'static str];
    /// The values.
    fn cells(&self) -> Vec<Cell>;
}

/// One value of a table.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// Unknown: `-` in text, an empty field in CSV, `null` in JSON.
    Null,
    /// Text.
    Text(String),
    /// A whole number.
    Int(i64),
    /// Hours (2 decimals; 1 in text).
    Hours(f64),
    /// A share, 0 to 1 (4 decimals; a percentage in text).
    Share(f64),
    /// A ratio, 0 to 1 (4 decimals; 3 in text).
    Ratio(f64),
    /// A UTC time (RFC 3339, seconds; minutes in text).
    Time(DateTime<Utc>),
    /// A UTC day.
    Date(NaiveDate),
}

impl From<&String> for Cell {
    fn from(v: &String) -> Self {
        Cell::Text(v.clone())
    }
}

impl From<&i64> for Cell {
    fn from(v: &i64) -> Self {
        Cell::Int(*v)
    }
}

impl From<&DateTime<Utc>> for Cell {
    fn from(v: &DateTime<Utc>) -> Self {
        Cell::Time(*v)
    }
}

/// `From<&Option<T>>` for each `T` a row holds (a blanket impl over `T` would recurse).
macro_rules! optional {
    ($($t:ty),*) => {$(
        impl From<&Option<$t>> for Cell {
            fn from(v: &Option<$t>) -> Self {
                v.as_ref().map_or(Cell::Null, Cell::from)
            }
        }
    )*};
}
optional!(String, i64, DateTime<Utc>);

/// Rounds to `decimals` places (values are printed from this, the same on both stores).
fn round(v: f64, decimals: i32) -> f64 {
    let f = 10f64.powi(decimals);
    (v * f).round() / f
}

/// The widest a text cell is shown in a text table; longer ones end in `…`.
const TEXT_WIDTH: usize = 44;

impl Cell {
    /// The value for a person.
    pub(crate) fn text(&self) -> String {
        match self {
            Cell::Null => "-".to_owned(),
            Cell::Text(s) => clip(s, TEXT_WIDTH),
            Cell::Int(n) => n.to_string(),
            Cell::Hours(h) => format!("{:.1}", round(*h, 2)),
            Cell::Share(s) => format!("{:.1}%", round(*s, 4) * 100.0),
            Cell::Ratio(r) => format!("{:.3}", round(*r, 4)),
            Cell::Time(t) => t.format("%Y-%m-%d %H:%M").to_string(),
            Cell::Date(d) => d.to_string(),
        }
    }

    /// The value for a program (CSV field, unquoted).
    fn plain(&self) -> String {
        match self {
            Cell::Null => String::new(),
            Cell::Text(s) => s.clone(),
            Cell::Int(n) => n.to_string(),
            Cell::Hours(h) => round(*h, 2).to_string(),
            Cell::Share(s) | Cell::Ratio(s) => round(*s, 4).to_string(),
            Cell::Time(t) => t.to_rfc3339_opts(SecondsFormat::Secs, true),
            Cell::Date(d) => d.to_string(),
        }
    }

    fn json(&self) -> serde_json::Value {
        use serde_json::Value;
        match self {
            Cell::Null => Value::Null,
            Cell::Int(n) => Value::from(*n),
            Cell::Hours(h) => Value::from(round(*h, 2)),
            Cell::Share(s) | Cell::Ratio(s) => Value::from(round(*s, 4)),
            Cell::Text(_) | Cell::Time(_) | Cell::Date(_) => Value::String(self.plain()),
        }
    }

    pub(crate) fn is_number(&self) -> bool {
        matches!(
            self,
            Cell::Int(_) | Cell::Hours(_) | Cell::Share(_) | Cell::Ratio(_)
        )
    }
}

/// `s` on one line, at most `width` columns wide (display width), `…` marking a cut.
fn clip(s: &str, width: usize) -> String {
    let one_line: String = s
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if one_line.width() <= width {
        return one_line;
    }
    let mut out = String::new();
    let mut used = 0;
    for c in one_line.chars() {
        let w = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
        if used + w > width - 1 {
            break;
        }
        used += w;
        out.push(c);
    }
    out.push('…');
    out
}

/// One table of a report.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// Its name (`--table NAME`, the JSON key).
    pub name: &'static str,
    /// A heading for a person.
    pub title: String,
    /// Column names.
    pub columns: &'static [&'static str],
    /// Rows of cells, in column order.
    pub rows: Vec<Vec<Cell>>,
}

impl Table {
    /// A table of `rows`.
    pub fn new<R: Row>(name: &'static str, title: impl Into<String>, rows: &[R]) -> Self {
        Table {
            name,
            title: title.into(),
            columns: R::COLUMNS,
            rows: rows.iter().map(Row::cells).collect(),
        }
    }

    /// The aligned text table: a heading, the column names, a line per row. Numbers are
    /// right-aligned, text left-aligned; widths are display widths.
    pub fn text(&self) -> String {
        let cells: Vec<Vec<String>> = self
            .rows
            .iter()
            .map(|r| r.iter().map(Cell::text).collect())
            .collect();
        let mut widths: Vec<usize> = self.columns.iter().map(|c| c.width()).collect();
        for row in &cells {
            for (w, c) in widths.iter_mut().zip(row) {
                *w = (*w).max(c.width());
            }
        }
        let numeric: Vec<bool> = (0..self.columns.len())
            .map(|i| self.rows.iter().any(|r| r[i].is_number()))
            .collect();
        let line = |values: &mut dyn Iterator<Item = &str>| {
            let mut out = String::new();
            for (i, v) in values.enumerate() {
                let pad = " ".repeat(widths[i] - v.width());
                let last = i + 1 == widths.len();
                match (numeric[i], last) {
                    (true, _) => out.extend([pad.as_str(), v]),
                    (false, true) => out.push_str(v),
                    (false, false) => out.extend([v, pad.as_str()]),
                }
                if !last {
                    out.push_str("  ");
                }
            }
            out.push('\n');
            out
        };
        let mut out = format!("{}\n", self.title);
        out.push_str(&line(&mut self.columns.iter().copied()));
        for row in &cells {
            out.push_str(&line(&mut row.iter().map(String::as_str)));
        }
        if self.rows.is_empty() {
            out.push_str("(none)\n");
        }
        out
    }

    /// CSV: a header line of the column names, then one line per row (CRLF-free; fields with a
    /// comma, a quote or a line break quoted, quotes doubled).
    pub fn csv(&self) -> String {
        let mut out = csv_line(self.columns.iter().map(|c| c.to_string()));
        for row in &self.rows {
            out.push_str(&csv_line(row.iter().map(Cell::plain)));
        }
        out
    }

    /// The rows as a JSON array of objects, keys in column order (written as text: serde_json's
    /// map would sort the keys).
    pub fn json(&self) -> String {
        let rows: Vec<String> = self
            .rows
            .iter()
            .map(|row| {
                let pairs: Vec<String> = self
                    .columns
                    .iter()
                    .zip(row)
                    .map(|(c, v)| format!("{}:{}", serde_json::Value::from(*c), v.json()))
                    .collect();
                format!("{{{}}}", pairs.join(","))
            })
            .collect();
        format!("[{}]", rows.join(","))
    }
}

fn csv_line(fields: impl Iterator<Item = String>) -> String {
    let fields: Vec<String> = fields
        .map(|f| {
            if f.contains([',', '"', '\n', '\r']) {
                format!("\"{}\"", f.replace('"', "\"\""))
            } else {
                f
            }
        })
        .collect();
    format!("{}\n", fields.join(","))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(rows: Vec<Vec<Cell>>) -> Table {
        Table {
            name: "t",
            title: "T".into(),
            columns: &["title", "days"],
            rows,
        }
    }

    #[test]
    fn text_columns_line_up_by_display_width() {
        let t = table(vec![
            vec![Cell::Text("東京の夜 🎵".into()), Cell::Int(3)],
            vec![Cell::Text("abc".into()), Cell::Int(12)],
            vec![Cell::Null, Cell::Int(7)],
        ]);
        let text = t.text();
        let lines: Vec<&str> = text.lines().skip(1).collect();
        let widths: Vec<usize> = lines.iter().map(|l| l.width()).collect();
        assert!(widths.iter().all(|w| *w == widths[0]), "{text}");
        assert_eq!(lines[1], "東京の夜 🎵     3");
        assert_eq!(lines[3], "-               7");
    }

    #[test]
    fn long_text_is_clipped_to_its_width_in_text_only() {
        let long = "長".repeat(40);
        let clipped = clip(&long, TEXT_WIDTH);
        assert!(clipped.width() <= TEXT_WIDTH && clipped.ends_with('…'));
        assert_eq!(clip("a\tb\nc", 10), "a b c");
        let t = table(vec![vec![Cell::Text(long.clone()), Cell::Int(1)]]);
        assert!(t.csv().contains(&long));
    }

    #[test]
    fn csv_quotes_what_needs_it_and_json_keeps_column_order() {
        let t = table(vec![vec![
            Cell::Text("a, \"b\"".into()),
            Cell::Share(0.123456),
        ]]);
        assert_eq!(t.csv(), "title,days\n\"a, \"\"b\"\"\",0.1235\n");
        assert_eq!(t.json(), r#"[{"title":"a, \"b\"","days":0.1235}]"#);
        let v: serde_json::Value = serde_json::from_str(&t.json()).unwrap();
        assert_eq!(v[0]["days"], 0.1235);
    }
}
