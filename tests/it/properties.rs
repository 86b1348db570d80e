//! Property tests of the pure core (issue 18, item 7): normalizing is idempotent, its output is
//! NFC and holds no BiDi control; the wire parser never panics, on any JSON value nor on any
//! bytes, but returns a page or a typed error; the duration, Retry-After, timestamp and
//! region-code parsers are total (and right on what they accept).

use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use proptest::collection::{btree_map, vec};
use proptest::prelude::*;
use proptest::sample::select;
use serde_json::{json, Value};
use trendtap::normalize::{self, clean_text, is_bidi_control, parse_duration, parse_timestamp};
use trendtap::youtube::error::classify;
use trendtap::youtube::retry::parse_retry_after;
use trendtap::youtube::wire::{self, Snippet};
use trendtap::youtube::{parse_page, ApiError};
use unicode_normalization::is_nfc;

/// Text biased towards what normalization must handle: BiDi controls, combining marks,
/// decomposed and composable letters (Hangul jamo), controls and spaces, any other character.
fn text() -> impl Strategy<Value = String> {
    let tricky = select(vec![
        '\u{200E}', '\u{200F}', '\u{061C}', '\u{202A}', '\u{202E}', '\u{2066}', '\u{2069}',
        '\u{0301}', '\u{0308}', '\u{0338}', 'e', 'A', '\u{1100}', '\u{1161}', '\u{11A8}', ' ',
        '\t', '\n', '\u{0000}', '\u{0085}', '\u{00A0}', '\u{3000}', 'ا', 'क', '\u{094D}',
    ]);
    vec(prop_oneof![tricky, any::<char>()], 0..40).prop_map(String::from_iter)
}

/// Any JSON value, its object keys often the names the parser looks for.
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<u64>().prop_map(|n| json!(n)),
        any::<f64>()
            .prop_filter("JSON has no NaN or infinity", |f| f.is_finite())
            .prop_map(|f| json!(f)),
        text().prop_map(Value::String),
        select(vec![
            "PT1H2M3S",
            "P1D",
            "123",
            "-5",
            "true",
            "2024-07-01T18:45:07Z"
        ])
        .prop_map(|s| json!(s)),
    ];
    let key = prop_oneof![
        select(vec![
            "items",
            "id",
            "snippet",
            "title",
            "channelTitle",
            "tags",
            "statistics",
            "viewCount",
            "likeCount",
            "commentCount",
            "contentDetails",
            "duration",
            "regionRestriction",
            "allowed",
            "blocked",
            "thumbnails",
            "maxres",
            "url",
            "publishedAt",
            "nextPageToken",
            "pageInfo",
            "totalResults",
            "caption",
            "defaultAudioLanguage",
            "defaultLanguage",
            "contentRating",
            "ytRating",
            "error",
            "errors",
            "reason",
            "details",
            "status",
            "message",
            "location",
            "fieldViolations",
        ])
        .prop_map(str::to_owned),
        any::<String>(),
    ];
    leaf.prop_recursive(5, 96, 8, move |inner| {
        prop_oneof![
            vec(inner.clone(), 0..8).prop_map(Value::Array),
            btree_map(key.clone(), inner, 0..8)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Parses a body as the client does, and normalizes every item of a page it accepts.
fn parse_and_normalize(body: Vec<u8>) {
    match parse_page(200, body.into()) {
        Ok(page) => {
            for item in page.response.videos().flatten() {
                let _ = normalize::video(item, "US");
            }
        }
        Err(ApiError::Malformed { status: 200, .. }) => {}
        Err(other) => panic!("not a typed parse error: {other:?}"),
    }
}

proptest! {
    #[test]
    fn cleaning_is_idempotent_nfc_and_free_of_bidi_controls(s in text()) {
        let once = clean_text(&s);
        prop_assert_eq!(clean_text(&once), once.clone());
        prop_assert!(is_nfc(&once), "{:?} -> {:?}", s, once);
        prop_assert!(!once.chars().any(is_bidi_control), "{:?}", once);
        prop_assert!(!once.chars().any(char::is_control), "{:?}", once);
        prop_assert_eq!(once.trim(), once.as_str());
    }

    #[test]
    fn normalizing_a_normalized_video_changes_nothing(
        title in text(), channel in text(), tags in vec(text(), 0..4), id in "[A-Za-z0-9_-]{1,11}",
    ) {
        let item = |title: Option<String>, channel: Option<String>, tags: Vec<String>| wire::Video {
            id: Some(id.clone()),
            snippet: Some(Snippet { title, channel_title: channel, tags: Some(tags), ..Snippet::default() }),
            ..wire::Video::default()
        };
        if let Ok(first) = normalize::video(item(Some(title), Some(channel), tags), "IN") {
            prop_assert!(is_nfc(&first.title) && !first.title.chars().any(is_bidi_control));
            let again = item(Some(first.title.clone()), first.channel_title.clone(), first.tags.clone());
            prop_assert_eq!(normalize::video(again, "IN").unwrap(), first);
        }
    }

    #[test]
    fn the_wire_parser_takes_any_json_value(value in json_value()) {
        parse_and_normalize(serde_json::to_vec(&value).unwrap());
        // The same value as a page's items, to reach the item parser and normalization.
        parse_and_normalize(serde_json::to_vec(&json!({"items": [value.clone(), value.clone()],
                                                       "nextPageToken": value})).unwrap());
    }

    #[test]
    fn the_wire_parser_and_the_error_classifier_take_any_bytes(
        bytes in vec(any::<u8>(), 0..512), status in 400u16..600,
    ) {
        parse_and_normalize(bytes.clone());
        let status = reqwest::StatusCode::from_u16(status).unwrap();
        let _ = classify(status, &bytes, None).to_string();
    }

    #[test]
    fn the_error_classifier_takes_any_error_shaped_json(value in json_value(), status in 400u16..600) {
        let body = serde_json::to_vec(&json!({"error": value})).unwrap();
        let err = classify(reqwest::StatusCode::from_u16(status).unwrap(), &body, None);
        let _ = (err.scope(), err.signature(), err.to_string());
    }

    #[test]
    fn durations_parse_totally_and_rightly(s in ".*", d in 0i64..1000, h in 0i64..100,
                                           m in 0i64..100, sec in 0i64..100) {
        let _ = parse_duration(&s);
        let text = format!("P{d}DT{h}H{m}M{sec}S");
        prop_assert_eq!(parse_duration(&text), Some(d * 86_400 + h * 3_600 + m * 60 + sec));
        prop_assert_eq!(parse_duration(&format!("PT{sec}S")), Some(sec));
    }

    #[test]
    fn retry_after_parses_totally_and_rightly(s in ".*", secs in any::<u64>(), at in 0i64..8_000_000_000) {
        let now = Utc.timestamp_opt(at, 0).unwrap();
        let _ = parse_retry_after(&s, now);
        prop_assert_eq!(parse_retry_after(&secs.to_string(), now), Some(Duration::from_secs(secs)));
        let later = now + chrono::Duration::seconds(90);
        let date = later.format("%a, %d %b %Y %H:%M:%S GMT").to_string();
        prop_assert_eq!(parse_retry_after(&date, now), Some(Duration::from_secs(90)));
    }

    #[test]
    fn timestamps_parse_totally_and_rightly(s in ".*", at in -62_000_000_000i64..250_000_000_000, micros in 0u32..1_000_000) {
        let _ = parse_timestamp(&s);
        let t: DateTime<Utc> = Utc.timestamp_opt(at, micros * 1000).unwrap();
        prop_assert_eq!(parse_timestamp(&t.to_rfc3339()), Some(t));
    }

    #[test]
    fn region_codes_parse_totally_and_rightly(s in ".*", pick in 0usize..111) {
        if let Some(code) = trendtap::regions::canonical(&s) {
            prop_assert!(trendtap::regions::REGIONS.iter().any(|(c, _)| *c == code));
        }
        let code = trendtap::regions::REGIONS[pick].0;
        prop_assert_eq!(trendtap::regions::canonical(&code.to_lowercase()), Some(code));
    }
}
