//! Pure: merges the charts of a run into one record per video id, keeping every (region,
//! category, rank) at which the video was seen.

use std::borrow::Cow;

use rustc_hash::FxHashMap;

use crate::model::{Appearance, Chart, MergedVideo, Video};

/// Merges charts by video id. The result is sorted by video id, and each video's appearances by
/// (region, category, rank), so that the output does not depend on the order in which
/// concurrent fetches finished.
///
/// When a video appears in several charts, its metadata comes from the first chart in key order
/// and each count is the largest seen: counts only grow, so the largest is the freshest.
pub fn merge(charts: &[Chart]) -> Vec<MergedVideo<'_>> {
    let mut order: Vec<&Chart> = charts.iter().collect();
    order.sort_by(|a, b| a.key.cmp(&b.key));

    let capacity = charts.iter().map(|c| c.entries.len()).sum();
    let mut index: FxHashMap<&str, usize> =
        FxHashMap::with_capacity_and_hasher(capacity, Default::default());
    let mut merged: Vec<MergedVideo> = Vec::with_capacity(capacity);

    for chart in order {
        for (rank, video) in &chart.entries {
            let appearance = Appearance {
                region: chart.key.region,
                category_id: chart.key.category_id.clone(),
                rank: *rank,
            };
            match index.get(video.video_id.as_str()) {
                Some(&i) => {
                    let existing = &mut merged[i];
                    merge_counts(&mut existing.video, video);
                    existing.charts.push(appearance);
                }
                None => {
                    index.insert(&video.video_id, merged.len());
                    merged.push(MergedVideo {
                        video: Cow::Borrowed(video),
                        charts: vec![appearance],
                    });
                }
            }
        }
    }
    for m in &mut merged {
        m.charts.sort_unstable();
    }
    merged.sort_unstable_by(|a, b| a.video.video_id.cmp(&b.video.video_id));
    merged
}

fn merge_counts(into: &mut Cow<'_, Video>, other: &Video) {
    let larger = |a: Option<i64>, b: Option<i64>| a.max(b);
    let counts = (
        larger(into.view_count, other.view_count),
        larger(into.like_count, other.like_count),
        larger(into.comment_count, other.comment_count),
    );
    if counts != (into.view_count, into.like_count, into.comment_count) {
        let video = into.to_mut();
        (video.view_count, video.like_count, video.comment_count) = counts;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ChartKey;

    fn video(id: &str, views: Option<i64>, likes: Option<i64>) -> Video {
        Video {
            view_count: views,
            like_count: likes,
            ..Video::minimal(id, &format!("title {id}"))
        }
    }

    fn chart(region: &'static str, category: &str, ids: &[(&str, Option<i64>)]) -> Chart {
        Chart {
            key: ChartKey {
                region,
                category_id: category.into(),
            },
            fetched_at: chrono::Utc::now(),
            entries: ids
                .iter()
                .enumerate()
                .map(|(i, (id, views))| (i as u32 + 1, video(id, *views, None)))
                .collect(),
        }
    }

    #[test]
    fn one_record_per_video_with_every_appearance() {
        let charts = vec![
            chart("US", "0", &[("b", Some(10)), ("a", Some(5))]),
            chart("AE", "0", &[("a", Some(7)), ("c", None)]),
            chart("AE", "10", &[("b", Some(9))]),
        ];
        let merged = merge(&charts);
        let ids: Vec<_> = merged.iter().map(|m| m.video.video_id.as_str()).collect();
        assert_eq!(ids, ["a", "b", "c"]);
        let a = &merged[0];
        assert_eq!(a.video.view_count, Some(7), "largest count wins");
        let places: Vec<_> = a
            .charts
            .iter()
            .map(|p| (p.region, p.category_id.as_str(), p.rank))
            .collect();
        assert_eq!(places, [("AE", "0", 1), ("US", "0", 2)]);
        let b = &merged[1];
        assert_eq!(b.charts.len(), 2);
        assert_eq!(b.video.view_count, Some(10));
        assert_eq!(merged[2].video.view_count, None, "unknown stays unknown");
    }

    #[test]
    fn hidden_count_does_not_erase_a_known_one_and_order_does_not_matter() {
        let mut x = chart("AE", "0", &[("a", Some(1))]);
        x.entries[0].1.like_count = Some(3);
        let y = chart("US", "0", &[("a", Some(2))]);
        let (forward, backward) = ([x.clone(), y.clone()], [y, x]);
        let (one, two) = (merge(&forward), merge(&backward));
        assert_eq!(one, two);
        assert_eq!(one[0].video.like_count, Some(3));
        assert_eq!(one[0].video.view_count, Some(2));
    }

    #[test]
    fn a_video_twice_in_one_chart_keeps_both_ranks() {
        let charts = [chart("JP", "0", &[("a", None), ("b", None), ("a", None)])];
        let merged = merge(&charts);
        assert_eq!(merged.len(), 2);
        let ranks: Vec<_> = merged[0].charts.iter().map(|p| p.rank).collect();
        assert_eq!(ranks, [1, 3]);
    }
}
