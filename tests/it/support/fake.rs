//! A fake YouTube Data API on loopback (wiremock), serving the real response shapes: items built
//! from real 2017-18 trending rows (tests/data/trending_2017.csv) and recorded responses.

use serde_json::{json, Value};
use wiremock::matchers::{method, path, query_param, query_param_is_missing};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

/// The key every test uses; tests assert it never shows up in output.
pub const KEY: &str = "AIzaTEST-secret-key-0123456789abcdef";

/// Real page tokens for offsets 50, 100 and 150 (observed `CDIQAA` is offset 50).
pub const TOKENS: [&str; 3] = ["CDIQAA", "CGQQAA", "CJYBEAA"];

/// A running fake API.
pub struct FakeYouTube {
    /// The wiremock server.
    pub server: MockServer,
}

impl FakeYouTube {
    /// Starts a server with nothing mounted (every request then gets 404).
    pub async fn start() -> Self {
        FakeYouTube {
            server: MockServer::start().await,
        }
    }

    /// The base URL to pass as `--api-base-url`.
    pub fn url(&self) -> String {
        self.server.uri()
    }

    fn page_mock(region: &str, category: &str, page: usize) -> wiremock::MockBuilder {
        let builder = Mock::given(method("GET"))
            .and(path("/videos"))
            .and(query_param("part", "snippet,contentDetails,statistics"))
            .and(query_param("chart", "mostPopular"))
            .and(query_param("regionCode", region))
            .and(query_param("videoCategoryId", category))
            .and(query_param("maxResults", "50"))
            .and(query_param("key", KEY));
        if page == 0 {
            builder.and(query_param_is_missing("pageToken"))
        } else {
            builder.and(query_param("pageToken", TOKENS[page - 1]))
        }
    }

    /// Serves `items` as a chart: pages of 50 linked by nextPageToken.
    pub async fn chart(&self, region: &str, category: &str, items: &[Value]) {
        let pages: Vec<&[Value]> = if items.is_empty() {
            vec![&[]]
        } else {
            items.chunks(50).collect()
        };
        let total = items.len();
        for (i, chunk) in pages.iter().enumerate() {
            let mut body = json!({
                "kind": "youtube#videoListResponse",
                "etag": format!("etag-{region}-{category}-{i}"),
                "items": chunk,
                "pageInfo": {"totalResults": total, "resultsPerPage": 50},
            });
            if i + 1 < pages.len() {
                body["nextPageToken"] = json!(TOKENS[i]);
            }
            if i > 0 {
                body["prevPageToken"] = json!("CDIQAQ");
            }
            Self::page_mock(region, category, i)
                .respond_with(PartialResponse(body))
                .mount(&self.server)
                .await;
        }
    }

    /// Serves `response` for the first page of a chart, at most `times` times (then falls through
    /// to mocks mounted later).
    pub async fn first_page(
        &self,
        region: &str,
        category: &str,
        response: ResponseTemplate,
        times: Option<u64>,
    ) {
        let mut mock = Self::page_mock(region, category, 0).respond_with(response);
        if let Some(n) = times {
            mock = mock.up_to_n_times(n);
        }
        mock.mount(&self.server).await;
    }

    /// Requests received so far for a region.
    pub async fn requests_for(&self, region: &str) -> usize {
        self.requests()
            .await
            .iter()
            .filter(|r| {
                r.url
                    .query_pairs()
                    .any(|(k, v)| k == "regionCode" && v == region)
            })
            .count()
    }

    /// Every request received so far.
    pub async fn requests(&self) -> Vec<Request> {
        self.server.received_requests().await.unwrap_or_default()
    }
}

/// An API error body as the API sends it.
pub fn error_body(status: u16, reason: &str, message: &str) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_json(json!({
        "error": {"code": status, "message": message,
                  "errors": [{"message": message, "domain": "youtube.video", "reason": reason}]}
    }))
}

/// A recorded error body from tests/data/errors.
pub fn recorded_error(status: u16, file: &str) -> ResponseTemplate {
    let body = std::fs::read_to_string(format!(
        "{}/tests/data/errors/{file}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    ResponseTemplate::new(status).set_body_raw(body, "application/json; charset=UTF-8")
}

/// The items of a recorded response in tests/data.
pub fn recorded_items(file: &str) -> Vec<Value> {
    let text = std::fs::read_to_string(format!("{}/tests/data/{file}", env!("CARGO_MANIFEST_DIR")))
        .unwrap();
    let page: Value = serde_json::from_str(&text).unwrap();
    page["items"].as_array().unwrap().clone()
}

/// Real trending rows of a region (CA, GB, IN, MX, US), as API items in rank order.
pub fn trending_items(region: &str) -> Vec<Value> {
    let text = include_str!("../../data/trending_2017.csv");
    let mut rows = parse_csv(text).into_iter();
    let header = rows.next().unwrap();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let (r, id, title, channel, category, views, likes, comments, published, tags) = (
        col("region"),
        col("video_id"),
        col("title"),
        col("channel_title"),
        col("category_id"),
        col("views"),
        col("likes"),
        col("comments"),
        col("publish_time"),
        col("tags"),
    );
    rows.filter(|row| row[r] == region)
        .enumerate()
        .map(|(i, row)| {
            let tags: Vec<String> = if row[tags] == "[none]" {
                vec![]
            } else {
                row[tags].split('|').map(|t| t.trim_matches('"').to_owned()).collect()
            };
            let vid = &row[id];
            let thumb = |name: &str, w: u32, h: u32| json!({"url": format!("https://i.ytimg.com/vi/{vid}/{name}.jpg"), "width": w, "height": h});
            let mut thumbnails = json!({
                "default": thumb("default", 120, 90),
                "medium": thumb("mqdefault", 320, 180),
                "high": thumb("hqdefault", 480, 360),
            });
            // As in real charts, most but not all videos have the larger thumbnails.
            if i % 5 != 0 {
                thumbnails["standard"] = thumb("sddefault", 640, 480);
                thumbnails["maxres"] = thumb("maxresdefault", 1280, 720);
            }
            json!({
                "kind": "youtube#video",
                "etag": format!("e{vid}"),
                "id": vid,
                "snippet": {
                    "publishedAt": row[published],
                    "channelId": format!("UC{}", channel_id(&row[channel])),
                    "title": row[title],
                    "description": "",
                    "thumbnails": thumbnails,
                    "channelTitle": row[channel],
                    "tags": tags,
                    "categoryId": row[category],
                    "liveBroadcastContent": "none",
                    "localized": {"title": row[title], "description": ""}
                },
                "contentDetails": {
                    "duration": format!("PT{}M{}S", 1 + i % 20, i % 60),
                    "dimension": "2d", "definition": "hd", "caption": "false",
                    "licensedContent": true, "contentRating": {}, "projection": "rectangular"
                },
                "statistics": {
                    "viewCount": row[views],
                    "likeCount": row[likes],
                    "favoriteCount": "0",
                    "commentCount": row[comments]
                }
            })
        })
        .collect()
}

/// `n` synthetic items with ids `{prefix}0000..`, for paging and overlap tests.
pub fn synthetic_items(prefix: &str, n: usize) -> Vec<Value> {
    (0..n)
        .map(|i| {
            json!({
                "id": format!("{prefix}{i:04}"),
                "snippet": {"title": format!("Video {prefix} number {i}"), "channelTitle": "Chan",
                            "publishedAt": "2024-07-01T18:45:07Z", "categoryId": "10"},
                "statistics": {"viewCount": format!("{}", 1000 + i)}
            })
        })
        .collect()
}

fn channel_id(name: &str) -> String {
    let mut h: u64 = 1469598103934665603;
    for b in name.bytes() {
        h = (h ^ b as u64).wrapping_mul(1099511628211);
    }
    format!("{h:022}")
}

/// A small RFC 4180 reader (quoted fields, doubled quotes, newlines inside quotes).
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut field)),
            (false, '\r') => {}
            (false, '\n') => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            (false, c) => field.push(c),
        }
    }
    if !field.is_empty() || !row.is_empty() {
        row.push(field);
        rows.push(row);
    }
    rows
}

/// Serves a body as the API does: when the request has `fields=`, only the selected fields.
pub struct PartialResponse(pub Value);

impl Respond for PartialResponse {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let fields = request
            .url
            .query_pairs()
            .find(|(k, _)| k == "fields")
            .map(|(_, v)| v.into_owned());
        let body = match fields {
            Some(fields) => project(&self.0, &fields),
            None => self.0.clone(),
        };
        ResponseTemplate::new(200).set_body_json(body)
    }
}

/// Applies a partial-response selector (Google's `fields=` syntax: `a,b(c,d/e)`) to a JSON
/// value, keeping only the selected fields; arrays are filtered element by element.
pub fn project(value: &Value, fields: &str) -> Value {
    let selector = parse_selector(&mut fields.chars().filter(|c| !c.is_whitespace()).peekable());
    apply(value, &selector)
}

/// One selected path (`a/b/c`) with an optional sub-selection of its value.
struct Selection(Vec<String>, Option<Vec<Selection>>);
type Selector = Vec<Selection>;

fn parse_selector(chars: &mut std::iter::Peekable<impl Iterator<Item = char>>) -> Selector {
    let mut items = Vec::new();
    loop {
        let mut path = vec![String::new()];
        while let Some(&c) = chars.peek() {
            match c {
                ',' | '(' | ')' => break,
                '/' => path.push(String::new()),
                c => path.last_mut().unwrap().push(c),
            }
            chars.next();
        }
        let sub = if chars.peek() == Some(&'(') {
            chars.next();
            let sub = parse_selector(chars);
            assert_eq!(chars.next(), Some(')'), "unbalanced fields selector");
            Some(sub)
        } else {
            None
        };
        items.push(Selection(path, sub));
        match chars.peek() {
            Some(',') => {
                chars.next();
            }
            _ => return items,
        }
    }
}

fn apply(value: &Value, selector: &[Selection]) -> Value {
    match value {
        Value::Array(items) => Value::Array(items.iter().map(|v| apply(v, selector)).collect()),
        Value::Object(_) => {
            let mut out = Value::Object(Default::default());
            for Selection(path, sub) in selector {
                select(value, path, sub.as_deref(), &mut out);
            }
            out
        }
        other => other.clone(),
    }
}

fn select(value: &Value, path: &[String], sub: Option<&[Selection]>, out: &mut Value) {
    if let Value::Array(items) = value {
        // A path through an array applies to each element.
        let arr = out.as_array_mut().unwrap();
        for (i, item) in items.iter().enumerate() {
            if arr.len() <= i {
                arr.push(Value::Object(Default::default()));
            }
            select(item, path, sub, &mut arr[i]);
        }
        return;
    }
    let Some(child) = value.get(&path[0]) else {
        return;
    };
    if path.len() == 1 {
        let projected = match sub {
            Some(sub) => apply(child, sub),
            None => child.clone(),
        };
        out[path[0].as_str()] = projected;
        return;
    }
    let slot = out
        .as_object_mut()
        .unwrap()
        .entry(path[0].clone())
        .or_insert_with(|| {
            if child.is_array() {
                Value::Array(vec![])
            } else {
                Value::Object(Default::default())
            }
        });
    select(child, &path[1..], sub, slot);
}
