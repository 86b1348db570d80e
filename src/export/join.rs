//! The full-fidelity exports' join of each chart entry to its video and its run, done here
//! rather than in the database. A month of history is 5.3 million entries of about 125,000
//! videos; joined by the server, each video's 20 columns crossed the wire with each of its ~40
//! entries and the server's join was the bottleneck (BENCHMARKS.md, "Export"). Here the
//! entries arrive bare, in chunks, and a [`Joiner`] asks for the videos and runs it does not
//! hold (one lookup by key per chunk) and keeps the recently used ones within a memory
//! budget, least recently used out first. Entries come in time order and a video stays on the
//! charts for days, so most videos are read once per export (the synthetic month: 159,724
//! reads for 124,576 videos).
//!
//! No I/O here: the caller reads the store ([`Joiner::missing`], then [`Joiner::add`]).

use std::sync::Arc;

use chrono::{DateTime, Utc};
use rustc_hash::{FxHashMap, FxHashSet};

use super::record::Row;
use crate::model::{HistoryEntry, Video};

/// Entries joined per lookup: 8,192 entries hold a few hundred new videos in steady state.
/// Three chunks are in memory at once (being read, waiting, being encoded).
pub const CHUNK: usize = 8 * 1024;

/// Videos read per query at most: an export's first chunk lacks thousands, whose rows, read
/// at once beside the decoded videos, would double the memory they take.
pub const LOOKUP: usize = 1024;

/// The videos' memory budget, by [`size`]'s count: about 20,000 videos without descriptions
/// (18,822 held at the end of the synthetic month), about half as many with descriptions.
/// One run of 111 regions' charts holds about 20,000 distinct videos; a smaller budget
/// thrashed (16 MB: 1.6 million reads for the month's 124,576 videos).
pub const VIDEO_BUDGET_BYTES: usize = 24 * 1024 * 1024;

/// What a chunk needs that the joiner does not hold.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Missing {
    /// Video ids, each once.
    pub videos: Vec<String>,
    /// Run ids, each once.
    pub runs: Vec<i64>,
}

impl Missing {
    /// Whether nothing is missing.
    pub fn is_empty(&self) -> bool {
        self.videos.is_empty() && self.runs.is_empty()
    }
}

/// A held video: when a chunk last used it, and its size (about).
#[derive(Debug)]
struct Held {
    video: Arc<Video>,
    used: u64,
    bytes: usize,
}

/// A slot of no video: the entry's video was missing when its chunk started.
const NONE: u32 = u32::MAX;

/// The videos and runs of recent chunks.
#[derive(Debug)]
pub struct Joiner {
    /// Video id to slot; slots keep their place while held, so the current chunk's stay valid.
    /// Fx hashing: every entry of the export is looked up here.
    index: FxHashMap<String, u32>,
    /// The videos behind an `Arc`: a `Video` is about 450 bytes inline, and a chunk sent to
    /// the encoder shares them rather than copying.
    slots: Vec<Option<Held>>,
    free: Vec<u32>,
    /// Every run seen (a year of runs every 3 hours is 2,920).
    runs: FxHashMap<i64, DateTime<Utc>>,
    /// The slot of each entry of the current chunk ([`NONE`]: missing when it started).
    current: Vec<u32>,
    bytes: usize,
    budget: usize,
    /// The current chunk's number.
    chunk: u64,
    /// Videos added in all (read from the store), for the log.
    read: u64,
}

impl Joiner {
    /// A joiner holding at most about `budget` bytes of videos (more only when one chunk's
    /// videos need it).
    pub fn new(budget: usize) -> Self {
        Joiner {
            index: FxHashMap::default(),
            slots: Vec::new(),
            free: Vec::new(),
            runs: FxHashMap::default(),
            current: Vec::new(),
            bytes: 0,
            budget,
            chunk: 0,
            read: 0,
        }
    }

    /// Starts the next chunk: finds the held videos it uses and returns what it lacks.
    pub fn missing(&mut self, chunk: &[HistoryEntry]) -> Missing {
        self.chunk += 1;
        self.current.clear();
        let mut missing = Missing::default();
        let mut asked: FxHashSet<&str> = FxHashSet::default();
        let mut last_run = None;
        for e in chunk {
            match self.index.get(&e.video_id) {
                Some(&slot) => {
                    if let Some(held) = &mut self.slots[slot as usize] {
                        held.used = self.chunk;
                    }
                    self.current.push(slot);
                }
                None => {
                    self.current.push(NONE);
                    if asked.insert(&e.video_id) {
                        missing.videos.push(e.video_id.clone());
                    }
                }
            }
            if last_run != Some(e.run_id) {
                last_run = Some(e.run_id);
                if !self.runs.contains_key(&e.run_id) && !missing.runs.contains(&e.run_id) {
                    missing.runs.push(e.run_id);
                }
            }
        }
        missing
    }

    /// Adds what the store returned for the chunk's missing ids, then, when over budget, lets
    /// go of the least recently used videos that the current chunk does not use.
    pub fn add(&mut self, videos: Vec<Video>, runs: Vec<(i64, DateTime<Utc>)>) {
        self.read += videos.len() as u64;
        for video in videos {
            let bytes = size(&video);
            let id = video.video_id.clone();
            let held = Held {
                video: Arc::new(video),
                used: self.chunk,
                bytes,
            };
            self.bytes += bytes;
            match self.index.get(&id) {
                Some(&slot) => {
                    let old = self.slots[slot as usize].replace(held);
                    self.bytes -= old.map_or(0, |o| o.bytes);
                }
                None => {
                    let slot = match self.free.pop() {
                        Some(slot) => {
                            self.slots[slot as usize] = Some(held);
                            slot
                        }
                        None => {
                            self.slots.push(Some(held));
                            u32::try_from(self.slots.len() - 1).expect("under 4 billion videos")
                        }
                    };
                    self.index.insert(id, slot);
                }
            }
        }
        self.runs.extend(runs);
        if self.bytes > self.budget {
            self.shrink();
        }
    }

    /// Drops the least recently used videos (never the current chunk's) until three quarters
    /// of the budget are used: an eviction frees room for several chunks.
    fn shrink(&mut self) {
        let mut old: Vec<(u64, u32)> = self
            .slots
            .iter()
            .enumerate()
            .filter_map(|(slot, h)| h.as_ref().map(|h| (h.used, slot as u32)))
            .filter(|&(used, _)| used < self.chunk)
            .collect();
        old.sort_unstable();
        let target = self.budget / 4 * 3;
        for (_, slot) in old {
            if self.bytes <= target {
                break;
            }
            let held = self.slots[slot as usize].take().expect("held");
            self.bytes -= held.bytes;
            self.index.remove(&held.video.video_id);
            self.free.push(slot);
        }
    }

    /// The current chunk (the one given to [`Self::missing`], after [`Self::add`]) with its
    /// videos and runs; an error names a video or run the store did not have.
    pub fn join(&self, chunk: Vec<HistoryEntry>) -> Result<Joined, String> {
        let mut videos = Vec::with_capacity(chunk.len());
        let mut started = Vec::with_capacity(chunk.len());
        let mut run: Option<(i64, DateTime<Utc>)> = None;
        for (e, &slot) in chunk.iter().zip(&self.current) {
            let slot = match slot {
                NONE => self.index.get(&e.video_id).copied(),
                slot => Some(slot),
            };
            let held = slot
                .and_then(|slot| self.slots[slot as usize].as_ref())
                .ok_or_else(|| {
                    format!(
                        "the chart entry of {} (run {}, {}) has no stored video",
                        e.video_id, e.run_id, e.region
                    )
                })?;
            videos.push(Arc::clone(&held.video));
            started.push(match run {
                Some((id, at)) if id == e.run_id => at,
                _ => {
                    let at = *self.runs.get(&e.run_id).ok_or_else(|| {
                        format!(
                            "the chart entry of {} has no stored run {}",
                            e.video_id, e.run_id
                        )
                    })?;
                    run = Some((e.run_id, at));
                    at
                }
            });
        }
        Ok(Joined {
            entries: chunk,
            videos,
            started,
        })
    }

    /// The videos held now.
    pub fn held(&self) -> usize {
        self.index.len()
    }

    /// The videos read from the store so far (a video let go and needed again counts twice).
    pub fn read(&self) -> u64 {
        self.read
    }
}

/// A chunk of entries with their videos and runs' starts, owned: it can go to another thread.
#[derive(Debug)]
pub struct Joined {
    entries: Vec<HistoryEntry>,
    videos: Vec<Arc<Video>>,
    started: Vec<DateTime<Utc>>,
}

impl Joined {
    /// The records, in the chunk's order.
    pub fn rows(&self) -> impl Iterator<Item = Row<'_>> {
        self.entries
            .iter()
            .zip(&self.videos)
            .zip(&self.started)
            .map(|((entry, video), &run_started_at)| Row {
                entry,
                run_started_at,
                video,
            })
    }

    /// How many records.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there is none.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// Puts the entries of one fetch time in region, category and rank order. The store sends
/// them in `fetched_at` order only (what its index gives without a sort); a fetch time's
/// entries may straddle two chunks, so the last, perhaps incomplete, fetch time of a chunk
/// waits for the next.
#[derive(Debug, Default)]
pub struct Order {
    open: Vec<HistoryEntry>,
}

impl Order {
    /// Takes the next chunk (in `fetched_at` order); returns the entries of the fetch times
    /// now complete, ordered.
    pub fn push(&mut self, chunk: Vec<HistoryEntry>) -> Vec<HistoryEntry> {
        let mut all = std::mem::take(&mut self.open);
        all.extend(chunk);
        let last = all.last().map(|e| e.fetched_at);
        let cut = all
            .iter()
            .rposition(|e| Some(e.fetched_at) != last)
            .map_or(0, |i| i + 1);
        self.open = all.split_off(cut);
        sort(&mut all);
        all
    }

    /// The entries still waiting, ordered: call at the end of the stream.
    pub fn finish(&mut self) -> Vec<HistoryEntry> {
        let mut all = std::mem::take(&mut self.open);
        sort(&mut all);
        all
    }
}

/// The order of the full-fidelity exports: fetch time, region, chart category, rank.
fn sort(entries: &mut [HistoryEntry]) {
    entries.sort_by(|a, b| {
        (a.fetched_at, &a.region, &a.chart_category_id, a.rank).cmp(&(
            b.fetched_at,
            &b.region,
            &b.chart_category_id,
            b.rank,
        ))
    });
}

/// About how much memory `v` takes when held: the struct and its map entry, and each text
/// with its allocation's overhead.
fn size(v: &Video) -> usize {
    const ALLOCATION: usize = 16;
    let text = |s: &str| s.len() + ALLOCATION;
    let some = |s: &Option<String>| s.as_deref().map_or(0, text);
    let list = |l: &[String]| l.iter().map(|s| 24 + text(s)).sum::<usize>();
    std::mem::size_of::<Video>()
        + std::mem::size_of::<Option<Held>>()
        + 16
        + 64
        + 2 * text(&v.video_id)
        + text(&v.title)
        + text(&v.language)
        + some(&v.channel_id)
        + some(&v.channel_title)
        + some(&v.category_id)
        + some(&v.thumbnail_url)
        + some(&v.definition)
        + some(&v.live_broadcast_content)
        + some(&v.description)
        + list(&v.tags)
        + v.blocked_regions.as_deref().map_or(0, list)
        + v.allowed_regions.as_deref().map_or(0, list)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::record::tests::observation;
    use chrono::Timelike;

    fn entry(video: &str, run: i64) -> HistoryEntry {
        HistoryEntry {
            run_id: run,
            fetched_at: "2026-11-22T06:00:00Z".parse().unwrap(),
            region: "US".into(),
            chart_category_id: "0".into(),
            rank: 1,
            video_id: video.into(),
            view_count: Some(5),
            like_count: None,
            comment_count: None,
        }
    }

    fn video(id: &str) -> Video {
        Video {
            video_id: id.into(),
            ..observation().video
        }
    }

    fn started() -> DateTime<Utc> {
        "2026-11-22T05:59:00Z".parse().unwrap()
    }

    #[test]
    fn a_chunk_asks_once_for_what_it_lacks_and_nothing_after() {
        let mut j = Joiner::new(VIDEO_BUDGET_BYTES);
        let chunk = [entry("a", 1), entry("b", 1), entry("a", 2)];
        let missing = j.missing(&chunk);
        assert_eq!(missing.videos, ["a", "b"]);
        assert_eq!(missing.runs, [1, 2]);
        j.add(
            vec![video("a"), video("b")],
            vec![(1, started()), (2, started())],
        );
        let joined = j.join(chunk.to_vec()).unwrap();
        let row = joined.rows().nth(2).unwrap();
        assert_eq!(row.video.video_id, "a");
        assert_eq!(row.entry.run_id, 2);
        assert_eq!(row.run_started_at, started());
        assert!(j.missing(&[entry("b", 2), entry("a", 1)]).is_empty());
    }

    #[test]
    fn an_entry_without_its_video_or_run_is_an_error_that_names_it() {
        let mut j = Joiner::new(VIDEO_BUDGET_BYTES);
        let chunk = [entry("gone", 7)];
        j.missing(&chunk);
        j.add(vec![], vec![(7, started())]);
        let err = j.join(chunk.to_vec()).unwrap_err();
        assert!(
            err.contains("gone") && err.contains("no stored video"),
            "{err}"
        );
        let chunk = [entry("gone", 8)];
        j.missing(&chunk);
        j.add(vec![video("gone")], vec![]);
        let err = j.join(chunk.to_vec()).unwrap_err();
        assert!(err.contains("run 8"), "{err}");
    }

    #[test]
    fn over_budget_the_least_recently_used_go_and_the_current_chunk_stays() {
        let one = size(&video("v00"));
        let mut j = Joiner::new(one * 10);
        // Twelve chunks of one video each: v00 is the least recently used...
        for i in 0..12 {
            let id = format!("v{i:02}");
            let chunk = [entry(&id, 1)];
            let missing = j.missing(&chunk);
            j.add(
                missing.videos.iter().map(|id| video(id)).collect(),
                vec![(1, started())],
            );
            assert!(
                j.join(chunk.to_vec()).is_ok(),
                "the current chunk's video is held"
            );
        }
        assert!(j.held() <= 10, "{} held", j.held());
        assert!(j.bytes <= one * 10);
        let held = |j: &mut Joiner, id: &str| j.missing(&[entry(id, 1)]).videos.is_empty();
        assert!(!held(&mut j, "v00"), "the oldest went first");
        assert!(held(&mut j, "v11"), "the newest stayed");
        // ...and a chunk bigger than the budget keeps all its videos while it is written.
        let chunk: Vec<HistoryEntry> = (0..20).map(|i| entry(&format!("w{i}"), 1)).collect();
        let missing = j.missing(&chunk);
        j.add(missing.videos.iter().map(|id| video(id)).collect(), vec![]);
        assert_eq!(j.join(chunk).unwrap().len(), 20);
    }

    #[test]
    fn entries_of_one_fetch_time_are_ordered_across_chunks() {
        let at = |t: &str, region: &str, category: &str, rank: i32| HistoryEntry {
            fetched_at: format!("2026-11-22T06:00:0{t}Z").parse().unwrap(),
            region: region.into(),
            chart_category_id: category.into(),
            rank,
            ..entry("v", 1)
        };
        let mut order = Order::default();
        let first = order.push(vec![
            at("1", "US", "0", 2),
            at("1", "US", "0", 1),
            at("2", "US", "10", 3),
        ]);
        let key = |e: &HistoryEntry| {
            (
                e.fetched_at.timestamp_subsec_nanos(),
                e.fetched_at.second(),
                e.region.clone(),
                e.chart_category_id.clone(),
                e.rank,
            )
        };
        // The second fetch time may go on in the next chunk: it waits.
        assert_eq!(first.iter().map(|e| e.rank).collect::<Vec<_>>(), [1, 2]);
        let second = order.push(vec![
            at("2", "CA", "0", 1),
            at("2", "US", "10", 1),
            at("3", "US", "0", 1),
        ]);
        assert_eq!(
            second
                .iter()
                .map(|e| (e.region.as_str(), e.chart_category_id.as_str(), e.rank))
                .collect::<Vec<_>>(),
            [("CA", "0", 1), ("US", "10", 1), ("US", "10", 3)]
        );
        let last = order.finish();
        assert_eq!(last.len(), 1);
        assert_eq!(key(&last[0]).1, 3);
        assert!(order.finish().is_empty());
    }
}
