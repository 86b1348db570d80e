//! The reports' reads (`trendtap report`): one `Store` method per report table, each
//! dispatching to its backend's `report.rs`.

use super::{Backend, Store, StoreError};
use crate::report::{
    CategoryRow, ChannelRow, Coverage, DaysBucket, DaysRow, Explained, ExportedRow, Filters,
    LanguageRow, OverlapRow, Query, RankRow, TimeToTrendRow, VideoInfo, ViewsRow,
};

impl Store {
    /// Brings the reports' daily summary (`chart_days`) up to date with the runs stored since
    /// it last was; every report reads it, so call this first.
    pub async fn refresh_chart_days(&self) -> Result<(), StoreError> {
        dispatch!(Backend, &self.backend, s => s.refresh_chart_days().await)
    }

    /// `report days-on-trending`: the `limit` longest-trending videos per region and overall,
    /// and how many videos stayed each number of days.
    pub async fn days_on_trending(
        &self,
        filters: &Filters,
        limit: Option<u32>,
    ) -> Result<(Vec<DaysRow>, Vec<DaysBucket>), StoreError> {
        dispatch!(Backend, &self.backend, s => s.days_on_trending(filters, limit).await)
    }

    /// `report time-to-trend`: per region, the hours from publication to the first chart entry.
    pub async fn time_to_trend(
        &self,
        filters: &Filters,
    ) -> Result<Vec<TimeToTrendRow>, StoreError> {
        dispatch!(Backend, &self.backend, s => s.time_to_trend(filters).await)
    }

    /// `report overlap`: each region's `limit` most similar regions and most exported videos.
    pub async fn overlap(
        &self,
        filters: &Filters,
        limit: Option<u32>,
    ) -> Result<(Vec<OverlapRow>, Vec<ExportedRow>), StoreError> {
        dispatch!(Backend, &self.backend, s => s.overlap(filters, limit).await)
    }

    /// `report languages`: each language's share of each region's videos.
    pub async fn languages(
        &self,
        filters: &Filters,
        limit: Option<u32>,
    ) -> Result<Vec<LanguageRow>, StoreError> {
        dispatch!(Backend, &self.backend, s => s.languages(filters, limit).await)
    }

    /// `report categories`: each category's share of each region's videos.
    pub async fn categories(
        &self,
        filters: &Filters,
        limit: Option<u32>,
    ) -> Result<Vec<CategoryRow>, StoreError> {
        dispatch!(Backend, &self.backend, s => s.categories(filters, limit).await)
    }

    /// `report channels`: the channels with the most chart entries and the most videos.
    pub async fn channels(
        &self,
        filters: &Filters,
        limit: Option<u32>,
    ) -> Result<Vec<ChannelRow>, StoreError> {
        dispatch!(Backend, &self.backend, s => s.channels(filters, limit).await)
    }

    /// `report video ID`: the video, its rank in each chart at each run, its views per run.
    pub async fn video_history(
        &self,
        video_id: &str,
        filters: &Filters,
    ) -> Result<(Option<VideoInfo>, Vec<RankRow>, Vec<ViewsRow>), StoreError> {
        dispatch!(Backend, &self.backend, s => s.video_history(video_id, filters).await)
    }

    /// What the selected history covers (first and last entry, days, videos), and its regions.
    pub async fn coverage(&self, filters: &Filters) -> Result<(Coverage, Vec<String>), StoreError> {
        dispatch!(Backend, &self.backend, s => s.coverage(filters).await)
    }

    /// `report --explain`: each statement of a report with its parameters, and the database's
    /// plan for it (PostgreSQL runs it: `EXPLAIN ANALYZE`).
    pub async fn explain(
        &self,
        query: Query<'_>,
        filters: &Filters,
        limit: Option<u32>,
    ) -> Result<Vec<Explained>, StoreError> {
        dispatch!(Backend, &self.backend, s => s.explain(query, filters, limit).await)
    }
}
