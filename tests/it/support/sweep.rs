//! A fake YouTube for sweeps over many charts: every (region, category) has a chart of `pages`
//! pages of `videos` synthetic videos, served with a latency and, optionally, a share of transient
//! faults (503), drawn from a seeded generator so that a run is reproducible. Counts what it
//! served, for tests that compare the store with it.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

/// How the sweep's fake answers.
#[derive(Debug, Clone, Copy)]
pub struct SweepShape {
    /// Pages per chart.
    pub pages: usize,
    /// Videos per page (the API's pages hold 50).
    pub videos: usize,
    /// Latency of each answer, a range in milliseconds.
    pub latency_ms: (u64, u64),
    /// Share of answers that are a 503, in per mille.
    pub faults_per_mille: u64,
    /// Seed of the faults and latencies.
    pub seed: u64,
}

/// A running sweep fake.
pub struct SweepApi {
    /// The wiremock server.
    pub server: MockServer,
    shape: SweepShape,
    counters: Arc<Counters>,
}

#[derive(Debug, Default)]
struct Counters {
    requests: AtomicU64,
    faults: AtomicU64,
}

struct Serve {
    shape: SweepShape,
    counters: Arc<Counters>,
}

impl SweepApi {
    /// Starts the fake.
    pub async fn start(shape: SweepShape) -> Self {
        // The fake counts what it serves itself: recording every request would grow its
        // memory with the runs' (the soak watches the memory of many runs in one process; see
        // also `forget`).
        let server = MockServer::builder()
            .disable_request_recording()
            .start()
            .await;
        let api = SweepApi {
            server,
            shape,
            counters: Arc::default(),
        };
        api.mount().await;
        api
    }

    async fn mount(&self) {
        Mock::given(method("GET"))
            .and(path("/videos"))
            .respond_with(Serve {
                shape: self.shape,
                counters: self.counters.clone(),
            })
            .mount(&self.server)
            .await;
    }

    /// Forgets the requests the fake's mock keeps (wiremock keeps every matched request, even
    /// with recording disabled), so that a process that runs many sweeps does not grow with
    /// them; the counts go on.
    #[allow(dead_code)] // by examples/soak.rs, which includes this file
    pub async fn forget(&self) {
        self.server.reset().await;
        self.mount().await;
    }

    /// The base URL.
    pub fn url(&self) -> String {
        self.server.uri()
    }

    /// Requests answered so far.
    pub fn requests(&self) -> u64 {
        self.counters.requests.load(Ordering::SeqCst)
    }

    /// Faults served so far.
    pub fn faults(&self) -> u64 {
        self.counters.faults.load(Ordering::SeqCst)
    }
}

/// splitmix64: a well-mixed 64-bit value from a counter.
fn mix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

impl Respond for Serve {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let n = self.counters.requests.fetch_add(1, Ordering::SeqCst);
        let draw = mix(self.shape.seed ^ n);
        let (lo, hi) = self.shape.latency_ms;
        let delay = Duration::from_millis(lo + draw % (hi - lo + 1));
        if (draw >> 32) % 1000 < self.shape.faults_per_mille {
            self.counters.faults.fetch_add(1, Ordering::SeqCst);
            return ResponseTemplate::new(503).set_delay(delay);
        }
        let query = |name: &str| {
            request
                .url
                .query_pairs()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.into_owned())
        };
        let region = query("regionCode").unwrap_or_default();
        let category = query("videoCategoryId").unwrap_or_default();
        let page: usize = query("pageToken")
            .and_then(|t| t.trim_start_matches('P').parse().ok())
            .unwrap_or(0);
        let per_page = self.shape.videos;
        let items: Vec<_> = (page * per_page..(page + 1) * per_page)
            .map(|i| {
                json!({
                    "id": format!("{}{category}v{i:03}", region.to_lowercase()),
                    "snippet": {"title": format!("Video {i} of {region}/{category}"),
                                "channelTitle": "Chan", "categoryId": "10",
                                "publishedAt": "2024-07-01T18:45:07Z"},
                    "statistics": {"viewCount": format!("{}", 1000 + i)}
                })
            })
            .collect();
        let total = self.shape.pages * per_page;
        let mut body = json!({"items": items, "pageInfo": {"totalResults": total}});
        if page + 1 < self.shape.pages {
            body["nextPageToken"] = json!(format!("P{}", page + 1));
        }
        ResponseTemplate::new(200)
            .set_body_json(body)
            .set_delay(delay)
    }
}

/// The first `n` region codes YouTube supports, comma-separated.
pub fn regions(n: usize) -> String {
    trendtap::regions::REGIONS
        .iter()
        .take(n)
        .map(|(code, _)| *code)
        .collect::<Vec<_>>()
        .join(",")
}
