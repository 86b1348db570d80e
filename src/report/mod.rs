//! Reports over the stored history (`trendtap report`): the rows each report's query returns
//! ([`rows`]), the tables they make and their outputs ([`table`]: aligned text, CSV, JSON), and
//! the HTML page with its charts ([`html`], [`charts`]).
//!
//! This module knows no SQL: the store (`store::{postgres,sqlite}::report`) fills the rows,
//! `commands::report` wires the two. Days and times are UTC and come from
//! `chart_entries.fetched_at`, so a replayed archive counts on its original days.

pub mod charts;
pub mod html;
pub mod kinds;
pub mod rows;
pub mod table;

use chrono::NaiveDate;
use serde::Serialize;

pub use rows::*;
pub use table::{Cell, Row, Table};

/// What a report looks at: the chart entries of these regions and chart categories, fetched
/// on these UTC days. Empty lists and `None` mean no restriction.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Filters {
    /// Region codes (upper case).
    pub regions: Vec<String>,
    /// Chart category ids.
    pub categories: Vec<String>,
    /// The first UTC day, included.
    pub since: Option<NaiveDate>,
    /// The last UTC day, included.
    pub until: Option<NaiveDate>,
}

/// A report whose statements can be shown (`--explain`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Query<'a> {
    /// `days-on-trending`.
    DaysOnTrending,
    /// `time-to-trend`.
    TimeToTrend,
    /// `overlap`.
    Overlap,
    /// `languages`.
    Languages,
    /// `categories`.
    Categories,
    /// `channels`.
    Channels,
    /// `video ID`.
    Video(&'a str),
}

/// One statement of a report, as `--explain` shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Explained {
    /// The statement, with its parameters' values after it.
    pub sql: String,
    /// The database's plan.
    pub plan: String,
}

/// A report's result: its kind and its tables, the main one first.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    /// The report's name (`days-on-trending`, ...).
    pub kind: &'static str,
    /// The table CSV prints when `--table` names none.
    pub main: &'static str,
    /// Its tables.
    pub tables: Vec<Table>,
}

impl Report {
    /// Every table as aligned text, a blank line between two.
    pub fn text(&self) -> String {
        let parts: Vec<String> = self.tables.iter().map(Table::text).collect();
        parts.join("\n")
    }

    /// One JSON object: `report`, `filters`, `limit`, then one array per table, named by it.
    pub fn json(&self, filters: &Filters, limit: Option<u32>) -> String {
        let mut out = format!(
            "{{\"report\":{},\"filters\":{},\"limit\":{}",
            serde_json::Value::from(self.kind),
            serde_json::to_string(filters).expect("plain data"),
            serde_json::to_string(&limit).expect("plain data"),
        );
        for t in &self.tables {
            out.push_str(&format!(
                ",{}:{}",
                serde_json::Value::from(t.name),
                t.json()
            ));
        }
        out.push_str("}\n");
        out
    }

    /// The table named `name`, or the main one.
    pub fn table(&self, name: Option<&str>) -> Option<&Table> {
        let name = name.unwrap_or(self.main);
        self.tables.iter().find(|t| t.name == name)
    }

    /// Only the table named `name` (or the report unchanged without a name), or `None` when it
    /// has no such table.
    pub fn only(self, name: Option<&str>) -> Option<Report> {
        let Some(name) = name else {
            return Some(self);
        };
        let table = self.tables.into_iter().find(|t| t.name == name)?;
        Some(Report {
            kind: self.kind,
            main: table.name,
            tables: vec![table],
        })
    }

    /// The names of its tables.
    pub fn table_names(&self) -> Vec<&'static str> {
        self.tables.iter().map(|t| t.name).collect()
    }
}

/// The name of a report's scope over every selected region.
pub const ALL: &str = "all";
