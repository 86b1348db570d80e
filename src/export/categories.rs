//! Category titles for the exports: each region's list as the store keeps it (the
//! `video_categories` table, filled by `fetch --category all`), or, for a region the store
//! has no list for, the built-in list below; and the `XX_category_id.json` file the Kaggle
//! layouts ship beside their CSVs, in the `videoCategories.list` response format.

use rustc_hash::FxHashMap;

use sha2::{Digest, Sha256};

use crate::budget::Category;

/// YouTube's own channel, which every `videoCategories.list` item names as its `channelId`.
const YOUTUBE_CHANNEL_ID: &str = "UCBR8-60-B28hp2BmDPdntcQ";

/// The categories of `videoCategories.list?regionCode=US` (2019; the same 32 as the Kaggle
/// dataset's `US_category_id.json`): the list of a region the store has none for.
pub const BUILT_IN: &[(&str, &str, bool)] = &[
    ("1", "Film & Animation", true),
    ("2", "Autos & Vehicles", true),
    ("10", "Music", true),
    ("15", "Pets & Animals", true),
    ("17", "Sports", true),
    ("18", "Short Movies", false),
    ("19", "Travel & Events", true),
    ("20", "Gaming", true),
    ("21", "Videoblogging", false),
    ("22", "People & Blogs", true),
    ("23", "Comedy", true),
    ("24", "Entertainment", true),
    ("25", "News & Politics", true),
    ("26", "Howto & Style", true),
    ("27", "Education", true),
    ("28", "Science & Technology", true),
    ("29", "Nonprofits & Activism", true),
    ("30", "Movies", false),
    ("31", "Anime/Animation", false),
    ("32", "Action/Adventure", false),
    ("33", "Classics", false),
    ("34", "Comedy", false),
    ("35", "Documentary", false),
    ("36", "Drama", false),
    ("37", "Family", false),
    ("38", "Foreign", false),
    ("39", "Horror", false),
    ("40", "Sci-Fi/Fantasy", false),
    ("41", "Thriller", false),
    ("42", "Shorts", false),
    ("43", "Shows", false),
    ("44", "Trailers", false),
];

/// The built-in list as [`Category`]s.
pub fn built_in() -> Vec<Category> {
    BUILT_IN
        .iter()
        .map(|(id, title, assignable)| Category {
            id: (*id).to_owned(),
            title: (*title).to_owned(),
            assignable: *assignable,
        })
        .collect()
}

/// The category titles of the exported regions. Looked up twice per exported entry, so by Fx
/// hashing (short keys, no untrusted input to guard against).
#[derive(Debug, Default, Clone)]
pub struct Titles {
    by_region: FxHashMap<String, FxHashMap<String, String>>,
    built_in: FxHashMap<String, String>,
}

impl Titles {
    /// Titles from each region's stored list (an empty list: the built-in one).
    pub fn new(lists: impl IntoIterator<Item = (String, Vec<Category>)>) -> Self {
        let by_region = lists
            .into_iter()
            .filter(|(_, list)| !list.is_empty())
            .map(|(region, list)| (region, list.into_iter().map(|c| (c.id, c.title)).collect()))
            .collect();
        let built_in = built_in().into_iter().map(|c| (c.id, c.title)).collect();
        Titles {
            by_region,
            built_in,
        }
    }

    /// The title of category `id` in `region`; `None` for category 0 (all categories, not a
    /// category) and for an id no list knows.
    pub fn title(&self, region: &str, id: &str) -> Option<&str> {
        self.by_region
            .get(region)
            .unwrap_or(&self.built_in)
            .get(id)
            .map(String::as_str)
    }
}

/// `XX_category_id.json`: `list` (or the built-in list when it is empty) as a
/// `videoCategories.list` response, sorted by id, indented by 4 spaces as the dataset's files
/// are. The API's etags are not stored; each `etag` here is a digest of the item (or of the
/// whole list), which, like the API's, changes exactly when the content does.
pub fn category_json(list: &[Category]) -> String {
    let mut list = if list.is_empty() {
        built_in()
    } else {
        list.to_vec()
    };
    list.sort_by_key(|c| (c.id.parse::<u32>().unwrap_or(u32::MAX), c.id.clone()));
    let items: Vec<serde_json::Value> = list
        .iter()
        .map(|c| {
            serde_json::json!({
                "kind": "youtube#videoCategory",
                "etag": etag(&format!("{}\n{}\n{}", c.id, c.title, c.assignable)),
                "id": c.id,
                "snippet": {
                    "title": c.title,
                    "assignable": c.assignable,
                    "channelId": YOUTUBE_CHANNEL_ID,
                },
            })
        })
        .collect();
    let all: String = items
        .iter()
        .map(|i| i["etag"].as_str().unwrap_or(""))
        .collect();
    let response = serde_json::json!({
        "kind": "youtube#videoCategoryListResponse",
        "etag": etag(&all),
        "items": items,
    });
    let mut out = Vec::new();
    let formatter = serde_json::ser::PrettyFormatter::with_indent(b"    ");
    let mut ser = serde_json::Serializer::with_formatter(&mut out, formatter);
    serde::Serialize::serialize(&response, &mut ser).expect("JSON serializes");
    String::from_utf8(out).expect("JSON is UTF-8")
}

/// A 27-character digest in the API's etag alphabet.
fn etag(content: &str) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    Sha256::digest(content.as_bytes())
        .iter()
        .take(27)
        .map(|b| ALPHABET[usize::from(b & 63)] as char)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_come_from_the_region_list_else_the_built_in_one() {
        let titles = Titles::new([(
            "JP".to_owned(),
            vec![Category {
                id: "10".into(),
                title: "音楽".into(),
                assignable: true,
            }],
        )]);
        assert_eq!(titles.title("JP", "10"), Some("音楽"));
        assert_eq!(titles.title("JP", "24"), None);
        assert_eq!(titles.title("US", "24"), Some("Entertainment"));
        assert_eq!(titles.title("US", "0"), None);
    }

    #[test]
    fn the_category_file_has_the_response_shape_sorted_by_id() {
        let json: serde_json::Value = serde_json::from_str(&category_json(&[])).unwrap();
        assert_eq!(json["kind"], "youtube#videoCategoryListResponse");
        let items = json["items"].as_array().unwrap();
        assert_eq!(items.len(), 32);
        assert_eq!(items[2]["id"], "10");
        assert_eq!(items[2]["snippet"]["title"], "Music");
        assert_eq!(items[5]["snippet"]["assignable"], false);
        assert_eq!(items[0]["etag"].as_str().unwrap().len(), 27);
    }
}
