//! Pure: a wire video becomes a domain [`Video`]. Text loses its BiDi formatting characters and
//! is put in NFC; counts become integers (`None` when hidden, never 0); the duration becomes
//! seconds; the best thumbnail is picked; the language is resolved. A description, when the
//! API sent one, is kept as sent.

use chrono::{DateTime, Utc};
use unicode_normalization::{is_nfc_quick, IsNormalized, UnicodeNormalization};

use crate::language;
use crate::model::Video;
use crate::youtube::wire::{self, Count};

/// Why an item was skipped.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Skip {
    /// The item has no `id`.
    #[error("item has no id")]
    MissingId,
    /// The item has no usable title.
    #[error("video {0} has no title")]
    MissingTitle(String),
}

/// Normalizes one item of the chart of `region` (the region is the language detection's prior).
pub fn video(item: wire::Video, region: &str) -> Result<Video, Skip> {
    let video_id = non_empty(item.id).ok_or(Skip::MissingId)?;
    let snippet = item.snippet.unwrap_or_default();
    let title = snippet
        .title
        .map(clean_owned)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| Skip::MissingTitle(video_id.clone()))?;
    let (language, language_source) = language::resolve(
        snippet.default_audio_language.as_deref(),
        snippet.default_language.as_deref(),
        &title,
        region,
    );
    let stats = item.statistics.unwrap_or_default();
    let details = item.content_details;
    let restriction = details.as_ref().and_then(|d| d.region_restriction.clone());
    let clean_list = |list: Option<Vec<String>>| {
        list.map(|l| {
            let mut l: Vec<String> = l.iter().map(|c| c.trim().to_ascii_uppercase()).collect();
            l.sort_unstable();
            l.dedup();
            l
        })
    };

    Ok(Video {
        video_id,
        title,
        channel_id: non_empty(snippet.channel_id),
        channel_title: snippet
            .channel_title
            .map(clean_owned)
            .filter(|t| !t.is_empty()),
        category_id: non_empty(snippet.category_id),
        published_at: snippet.published_at.as_deref().and_then(parse_timestamp),
        duration_seconds: details
            .as_ref()
            .and_then(|d| d.duration.as_deref())
            .and_then(parse_duration),
        language,
        language_source,
        view_count: count(stats.view_count),
        like_count: count(stats.like_count),
        comment_count: count(stats.comment_count),
        tags: snippet
            .tags
            .unwrap_or_default()
            .into_iter()
            .map(clean_owned)
            .filter(|t| !t.is_empty())
            .collect(),
        thumbnail_url: snippet.thumbnails.and_then(best_thumbnail),
        age_restricted: details.as_ref().map(|d| {
            d.content_rating
                .as_ref()
                .and_then(|r| r.yt_rating.as_deref())
                == Some("ytAgeRestricted")
        }),
        blocked_regions: clean_list(restriction.as_ref().and_then(|r| r.blocked.clone())),
        allowed_regions: clean_list(restriction.and_then(|r| r.allowed)),
        caption: details.as_ref().and_then(|d| match d.caption.as_deref() {
            Some("true") => Some(true),
            Some("false") => Some(false),
            _ => None,
        }),
        definition: details.as_ref().and_then(|d| d.definition.clone()),
        licensed_content: details.as_ref().and_then(|d| d.licensed_content),
        live_broadcast_content: non_empty(snippet.live_broadcast_content),
        // Kept as sent: a description's lines and spacing are its content (the Kaggle layouts
        // write them out), and it is never compared or detected on.
        description: snippet.description,
    })
}

/// Whether a character is a Unicode bidirectional formatting character: LRM, RLM, ALM, the
/// embeddings and overrides (U+202A..U+202E) and the isolates (U+2066..U+2069).
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{200E}' | '\u{200F}' | '\u{061C}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Removes BiDi formatting characters, turns other control characters into spaces, applies NFC
/// and trims.
pub fn clean_text(text: &str) -> String {
    clean_owned(text.to_owned())
}

/// [`clean_text`] on an owned string, which it returns as is when it is already clean: most
/// titles and tags are printable ASCII, for which only the trim can apply.
pub fn clean_owned(text: String) -> String {
    if text.bytes().all(|b| (0x20..0x7f).contains(&b)) {
        return trim_owned(text);
    }
    let stripped = if text.chars().any(|c| is_bidi_control(c) || c.is_control()) {
        text.chars()
            .filter(|c| !is_bidi_control(*c))
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect()
    } else {
        text
    };
    let nfc = match is_nfc_quick(stripped.chars()) {
        IsNormalized::Yes => stripped,
        _ => stripped.nfc().collect(),
    };
    trim_owned(nfc)
}

fn trim_owned(text: String) -> String {
    let trimmed = text.trim();
    if trimmed.len() == text.len() {
        text
    } else {
        trimmed.to_owned()
    }
}

/// Parses an ISO 8601 duration as the API sends it (`PT1H8M25S`, `P1DT2H`, `P0D`) into seconds.
pub fn parse_duration(text: &str) -> Option<i64> {
    let rest = text.trim().strip_prefix('P')?;
    let (date, time) = match rest.split_once('T') {
        Some((d, t)) => (d, Some(t)),
        None => (rest, None),
    };
    let mut total: i64 = 0;
    let mut any = false;
    let mut add = |part: &str, units: &[(char, i64)]| -> Option<()> {
        // The number before each unit; `None` until its first digit.
        let mut number: Option<i64> = None;
        for c in part.chars() {
            if let Some(digit) = c.to_digit(10) {
                let n = number.unwrap_or(0).checked_mul(10)?;
                number = Some(n.checked_add(i64::from(digit))?);
                continue;
            }
            let &(_, seconds) = units.iter().find(|(u, _)| *u == c)?;
            total = total.checked_add(number.take()?.checked_mul(seconds)?)?;
            any = true;
        }
        number.is_none().then_some(())
    };
    add(date, &[('W', 604_800), ('D', 86_400)])?;
    if let Some(time) = time {
        if time.is_empty() {
            return None;
        }
        add(time, &[('H', 3_600), ('M', 60), ('S', 1)])?;
    }
    any.then_some(total)
}

/// RFC 3339 with or without fractional seconds.
pub fn parse_timestamp(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text.trim())
        .ok()
        .map(|d| d.with_timezone(&Utc))
}

/// A count string as an integer; absent or unparsable counts are `None`, never 0.
fn count(value: Option<Count>) -> Option<i64> {
    match value? {
        Count::Text(s) => s.trim().parse::<i64>().ok().filter(|n| *n >= 0),
        Count::Number(n) => i64::try_from(n).ok(),
    }
}

fn best_thumbnail(t: wire::Thumbnails) -> Option<String> {
    [t.maxres, t.standard, t.high, t.medium, t.default]
        .into_iter()
        .flatten()
        .find_map(|thumb| thumb.url.filter(|u| !u.is_empty()))
}

/// The value trimmed (without a copy when there is nothing to trim), `None` when empty.
fn non_empty(value: Option<String>) -> Option<String> {
    value.map(trim_owned).filter(|v| !v.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::LanguageSource;
    use crate::youtube::wire::VideoListResponse;

    fn item(json: &str) -> wire::Video {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn bidi_marks_are_removed_and_text_is_nfc() {
        let wrapped = "\u{202B}\u{200F}أغنية جديدة\u{200E} 2024\u{202C}\u{2067}!\u{2069}\u{061C}";
        assert_eq!(clean_text(wrapped), "أغنية جديدة 2024!");
        let nfd = "Cafe\u{301} de Mu\u{308}nchen";
        let cleaned = clean_text(nfd);
        assert_eq!(cleaned, "Café de München");
        assert_eq!(cleaned.chars().count(), 15);
        assert_eq!(clean_text("  plain  "), "plain");
        // Control characters become spaces: they have no place in a title, and PostgreSQL's
        // text cannot hold NUL.
        assert_eq!(clean_text("a\u{1F}b\tc"), "a b c");
        assert_eq!(clean_text("ok\n"), "ok");
        for c in [
            '\u{200E}', '\u{200F}', '\u{061C}', '\u{202A}', '\u{202E}', '\u{2066}', '\u{2069}',
        ] {
            assert!(is_bidi_control(c), "{c:?}");
        }
        // Zero-width joiners are not BiDi controls: emoji sequences must survive.
        assert!(!is_bidi_control('\u{200D}'));
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("PT30S"), Some(30));
        assert_eq!(parse_duration("PT13M3S"), Some(783));
        assert_eq!(parse_duration("PT1H8M25S"), Some(4105));
        assert_eq!(parse_duration("PT6H10M42S"), Some(22242));
        assert_eq!(parse_duration("P1DT2H"), Some(93_600));
        assert_eq!(parse_duration("P0D"), Some(0));
        for bad in [
            "",
            "P",
            "PT",
            "30S",
            "PT1X",
            "PT5",
            "P1H",
            "PTS",
            "PT99999999999999999999S",
        ] {
            assert_eq!(parse_duration(bad), None, "{bad}");
        }
    }

    #[test]
    fn timestamps_with_and_without_fraction() {
        let a = parse_timestamp("2019-11-29T20:00:11.000Z").unwrap();
        let b = parse_timestamp("2019-11-29T20:00:11Z").unwrap();
        assert_eq!(a, b);
        assert_eq!(parse_timestamp("yesterday"), None);
    }

    #[test]
    fn full_item() {
        let v = video(item(
            r#"{"id":"abc","snippet":{"title":" \u200fعنوان\u200e ","channelTitle":"Cafe\u0301","channelId":"UC1",
                "publishedAt":"2024-07-01T18:45:07Z","categoryId":"20","defaultAudioLanguage":"ar",
                "tags":["e\u0301te\u0301",""],
                "thumbnails":{"default":{"url":"d"},"high":{"url":"h"},"standard":{"url":"s"}}},
              "contentDetails":{"duration":"PT1M5S","caption":"false","licensedContent":true,"definition":"hd",
                "contentRating":{"ytRating":"ytAgeRestricted"},"regionRestriction":{"allowed":["in","BD"]}},
              "statistics":{"viewCount":"585882","likeCount":"0","favoriteCount":"0"}}"#,
            ),
            "SA",
        )
        .unwrap();
        assert_eq!(v.title, "عنوان");
        assert_eq!(v.channel_title.as_deref(), Some("Café"));
        assert_eq!(
            (v.language.as_str(), v.language_source),
            ("ar", LanguageSource::Api)
        );
        assert_eq!(v.view_count, Some(585_882));
        assert_eq!(v.like_count, Some(0), "a real zero stays zero");
        assert_eq!(v.comment_count, None, "hidden stays NULL");
        assert_eq!(v.duration_seconds, Some(65));
        assert_eq!(
            v.thumbnail_url.as_deref(),
            Some("s"),
            "maxres missing: standard is next"
        );
        assert_eq!(v.age_restricted, Some(true));
        assert_eq!(
            v.allowed_regions,
            Some(vec!["BD".to_owned(), "IN".to_owned()])
        );
        assert_eq!(v.blocked_regions, None);
        assert_eq!(v.caption, Some(false));
        assert_eq!(v.tags, ["été"]);
        assert_eq!(
            v.published_at.unwrap().to_rfc3339(),
            "2024-07-01T18:45:07+00:00"
        );
    }

    #[test]
    fn items_without_id_or_title_are_skipped() {
        assert_eq!(
            video(item(r#"{"snippet":{"title":"t"}}"#), "US"),
            Err(Skip::MissingId)
        );
        assert_eq!(
            video(item(r#"{"id":"x","snippet":{"title":"\u200f "}}"#), "US"),
            Err(Skip::MissingTitle("x".into()))
        );
        assert_eq!(
            video(item(r#"{"id":"x"}"#), "US"),
            Err(Skip::MissingTitle("x".into()))
        );
    }

    #[test]
    fn minimal_item_has_unknowns_not_zeros() {
        let v = video(item(r#"{"id":"x","snippet":{"title":"t"}}"#), "US").unwrap();
        assert_eq!(
            (v.view_count, v.like_count, v.comment_count),
            (None, None, None)
        );
        assert_eq!(
            (v.age_restricted, v.duration_seconds, v.thumbnail_url),
            (None, None, None)
        );
    }

    #[test]
    fn every_recorded_chart_normalizes() {
        for json in [
            include_str!("../tests/data/videos_mostPopular_SA_snippet_statistics_2024-07.json"),
            include_str!("../tests/data/videos_mostPopular_IN_snippet_contentDetails_statistics_2024-11.json"),
            include_str!("../tests/data/videos_mostPopular_KR_snippet_2022-12.json"),
            include_str!("../tests/data/videos_mostPopular_JP_snippet_2022-03.json"),
            include_str!("../tests/data/videos_mostPopular_US_page1_2019.json"),
        ] {
            let page: VideoListResponse = serde_json::from_str(json).unwrap();
            for item in page.videos() {
                let v = video(item.unwrap(), "US").unwrap();
                assert!(!v.title.is_empty() && !v.title.chars().any(is_bidi_control));
                assert!(v.published_at.is_some());
            }
        }
    }
}
