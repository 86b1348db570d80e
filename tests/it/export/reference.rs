//! The Kaggle datasets' own records (../shared/data/kaggle): read from their bytes, turned back
//! into the API items they were scraped from, and the bytes trendtap's export must write for
//! them (the same bytes, with `dislikes` 0: the API no longer sends dislikes, README "Export").

use serde_json::{json, Value};

/// A reference CSV: its bytes and, per record, the byte range of each field.
pub struct Reference {
    /// The region whose file it is.
    pub region: &'static str,
    bytes: Vec<u8>,
    /// The header's end, then each record's fields.
    records: Vec<Vec<(usize, usize)>>,
    /// The 2017 layout (else the 2020 one).
    old: bool,
}

impl Reference {
    /// Reads `file` of region `region`; `old`: the 2017 layout.
    pub fn read(file: &str, region: &'static str, old: bool) -> Self {
        let bytes = std::fs::read(super::shared_kaggle().join(file)).unwrap();
        let records = split(&bytes);
        Reference {
            region,
            bytes,
            records,
            old,
        }
    }

    fn field(&self, record: usize, name: &str) -> String {
        let header = std::str::from_utf8(
            &self.bytes[..self.bytes.iter().position(|b| *b == b'\n').unwrap()],
        )
        .unwrap();
        let i = header.split(',').position(|h| h == name).unwrap();
        let (start, end) = self.records[record][i];
        String::from_utf8(self.bytes[start..end].to_vec()).unwrap()
    }

    /// The records as API items, grouped by trending day (`YYYY-MM-DD`) in file order.
    pub fn days(&self) -> Vec<(String, Vec<Value>)> {
        let mut days: Vec<(String, Vec<Value>)> = Vec::new();
        for r in 0..self.records.len() {
            let (day, item) = if self.old {
                self.item_2017(r)
            } else {
                self.item_2020(r)
            };
            match days.last_mut() {
                Some((d, items)) if *d == day => items.push(item),
                _ => days.push((day, vec![item])),
            }
        }
        days
    }

    fn item_2020(&self, r: usize) -> (String, Value) {
        let f = |name: &str| unquote(&self.field(r, name));
        let tags = match f("tags").as_str() {
            "[None]" => vec![],
            tags => tags.split('|').map(str::to_owned).collect(),
        };
        let item = item(
            &f("video_id"),
            json!({
                "publishedAt": f("publishedAt"),
                "channelId": f("channelId"),
                "title": f("title"),
                "description": f("description"),
                "channelTitle": f("channelTitle"),
                "tags": tags,
                "categoryId": f("categoryId"),
            }),
            (&f("view_count"), &f("likes"), &f("comment_count")),
            (
                f("ratings_disabled") == "True",
                f("comments_disabled") == "True",
            ),
        );
        (f("trending_date")[..10].to_owned(), item)
    }

    fn item_2017(&self, r: usize) -> (String, Value) {
        let raw = |name: &str| self.field(r, name);
        let tags = match raw("tags").as_str() {
            "[none]" => vec![],
            // "a"|"b"|"c": each tag in quotes, joined by |.
            tags => tags[1..tags.len() - 1]
                .split("\"|\"")
                .map(|t| t.replace("\"\"", "\""))
                .collect(),
        };
        let date = raw("trending_date");
        let (yy, dd, mm) = (&date[0..2], &date[3..5], &date[6..8]);
        let item = item(
            &raw("video_id"),
            json!({
                "publishedAt": raw("publish_time"),
                "title": unquote(&raw("title")),
                "description": unquote(&raw("description")).replace("\\n", "\n"),
                "channelTitle": unquote(&raw("channel_title")),
                "tags": tags,
                "categoryId": raw("category_id"),
            }),
            (&raw("views"), &raw("likes"), &raw("comment_count")),
            (
                raw("ratings_disabled") == "True",
                raw("comments_disabled") == "True",
            ),
        );
        (format!("20{yy}-{mm}-{dd}"), item)
    }

    /// The file as trendtap must write it: the same bytes, each record's `dislikes` 0.
    pub fn expected(&self) -> Vec<u8> {
        let header_end = self.bytes.iter().position(|b| *b == b'\n').unwrap();
        let header = std::str::from_utf8(&self.bytes[..header_end]).unwrap();
        let dislikes = header.split(',').position(|h| h == "dislikes").unwrap();
        let zero: &[u8] = if self.old { b"0" } else { b"\"0\"" };
        let mut out = Vec::new();
        let mut from = 0;
        for record in &self.records {
            let (start, end) = record[dislikes];
            out.extend_from_slice(&self.bytes[from..start]);
            out.extend_from_slice(zero);
            from = end;
        }
        out.extend_from_slice(&self.bytes[from..]);
        out
    }
}

/// An API item with `snippet`, and statistics without the hidden counts.
fn item(id: &str, snippet: Value, counts: (&str, &str, &str), hidden: (bool, bool)) -> Value {
    let mut statistics = json!({"viewCount": counts.0});
    if !hidden.0 {
        statistics["likeCount"] = json!(counts.1);
    }
    if !hidden.1 {
        statistics["commentCount"] = json!(counts.2);
    }
    json!({"kind": "youtube#video", "id": id, "snippet": snippet, "statistics": statistics})
}

/// A quoted field's text.
fn unquote(field: &str) -> String {
    field
        .strip_prefix('"')
        .and_then(|f| f.strip_suffix('"'))
        .unwrap_or(field)
        .replace("\"\"", "\"")
}

/// The byte range of every field of every record after the header. A comma or a newline
/// inside double quotes belongs to its field; a quote toggles quoting, so a doubled quote and
/// the 2017 layout's `"a"|"b"` tags both stay inside their field.
fn split(bytes: &[u8]) -> Vec<Vec<(usize, usize)>> {
    let mut records = Vec::new();
    let mut fields = Vec::new();
    let mut start = bytes.iter().position(|b| *b == b'\n').unwrap() + 1;
    let mut quoted = false;
    for (i, b) in bytes.iter().enumerate().skip(start) {
        match (b, quoted) {
            (b'"', _) => quoted = !quoted,
            (b',', false) => {
                fields.push((start, i));
                start = i + 1;
            }
            (b'\n', false) => {
                fields.push((start, i));
                records.push(std::mem::take(&mut fields));
                start = i + 1;
            }
            _ => {}
        }
    }
    records
}
