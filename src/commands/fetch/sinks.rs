//! Where a fetch's pages and charts go: the raw archive takes every page as received, the
//! store's writer every complete chart while the others are still fetching (PostgreSQL and
//! SQLite copy its entries into the run's transaction; see `store`).

use std::collections::HashMap;
use std::time::Instant;

use chrono::{DateTime, Utc};

use crate::fetch::{ChartSink, Fetch, PageSink};
use crate::model::{Chart, ChartKey, ChartOutcome};
use crate::progress::{record, Progress};
use crate::raw::Archive;
use crate::store::RunWriter;

/// The raw archive takes every page as received.
impl PageSink for Archive {
    fn page(&self, key: &ChartKey, page: u32, body: &[u8]) -> std::io::Result<()> {
        self.save_page(key, page, body)
    }
}

/// The store's writer takes every complete chart while the others are still fetching
/// (PostgreSQL copies its entries into the run's transaction; see `store`).
pub(super) struct StoreSink<'w, 's> {
    pub writer: Option<&'w mut RunWriter<'s>>,
    pub progress: &'w Progress,
}

impl ChartSink for StoreSink<'_, '_> {
    async fn chart(&mut self, chart: &Chart, last: bool) {
        let Some(writer) = self.writer.as_deref_mut() else {
            return;
        };
        let writing = Instant::now();
        writer.add_chart(chart).await;
        // Writes while charts are still fetching overlap the network; the last does not.
        let timings = &self.progress.timings;
        let stage = if last {
            &timings.store_us
        } else {
            &timings.store_streamed_us
        };
        record(stage, writing);
    }
}

pub(super) fn write_manifest(archive: &Archive, started_at: DateTime<Utc>, fetch: &Fetch) {
    let fetched_at: HashMap<(&str, &str), DateTime<Utc>> = fetch
        .charts
        .iter()
        .map(|c| ((c.key.region, c.key.category_id.as_str()), c.fetched_at))
        .collect();
    let when = |o: &ChartOutcome| fetched_at.get(&(o.region, o.category_id.as_str())).copied();
    match archive.write_manifest(started_at, &fetch.outcomes, when) {
        Ok(()) => tracing::info!(dir = %archive.dir().display(), "raw pages saved"),
        Err(e) => {
            tracing::error!(dir = %archive.dir().display(), "cannot write the raw archive's manifest: {e}")
        }
    }
}
