//! `--format kaggle`: the layout of the "YouTube Trending Video Dataset (updated daily)"
//! (Kaggle, 2020 and later): one `XX_youtube_trending_data.csv` per region, every field in
//! double quotes, one row per region, video and UTC trending day with that day's last counts.
//!
//! Where the dataset encodes something trendtap stores differently, the dataset wins (README,
//! "Export"): `dislikes` is always 0 (the API has not sent dislikes since December 2021, and
//! the dataset writes 0); a hidden like or comment count is written 0 with
//! `ratings_disabled` / `comments_disabled` `True`; a description not collected is empty.

use chrono::{DateTime, Datelike, Timelike, Utc};

use crate::model::Observation;

/// The header line.
pub const HEADER: &str = "video_id,title,publishedAt,channelId,channelTitle,categoryId,trending_date,tags,view_count,likes,dislikes,comment_count,thumbnail_link,comments_disabled,ratings_disabled,description\n";

/// The file of a region.
pub fn file_name(region: &str) -> String {
    format!("{region}_youtube_trending_data.csv")
}

/// Appends the row of `o` (a day's last observation) to `out`.
pub fn write_row(out: &mut Vec<u8>, o: &Observation) {
    let v = &o.video;
    quoted(out, &v.video_id);
    out.push(b',');
    quoted(out, &v.title);
    out.push(b',');
    out.push(b'"');
    if let Some(t) = v.published_at {
        push_time(out, t, false);
    }
    out.extend_from_slice(b"\",");
    quoted(out, v.channel_id.as_deref().unwrap_or(""));
    out.push(b',');
    quoted(out, v.channel_title.as_deref().unwrap_or(""));
    out.push(b',');
    quoted(out, v.category_id.as_deref().unwrap_or(""));
    out.extend_from_slice(b",\"");
    push_date(out, o.fetched_at);
    out.extend_from_slice(b"T00:00:00Z\",\"");
    if v.tags.is_empty() {
        out.extend_from_slice(b"[None]");
    } else {
        for (i, tag) in v.tags.iter().enumerate() {
            if i > 0 {
                out.push(b'|');
            }
            escaped(out, tag);
        }
    }
    out.extend_from_slice(b"\",\"");
    if let Some(views) = v.view_count {
        push_int(out, views);
    }
    out.extend_from_slice(b"\",\"");
    push_int(out, v.like_count.unwrap_or(0));
    out.extend_from_slice(b"\",\"0\",\"");
    push_int(out, v.comment_count.unwrap_or(0));
    out.extend_from_slice(b"\",\"https://i.ytimg.com/vi/");
    escaped(out, &v.video_id);
    out.extend_from_slice(b"/default.jpg\",");
    out.extend_from_slice(boolean(v.comment_count.is_none()));
    out.push(b',');
    out.extend_from_slice(boolean(v.like_count.is_none()));
    out.push(b',');
    quoted(out, v.description.as_deref().unwrap_or(""));
    out.push(b'\n');
}

/// `"True"` or `"False"`, quoted as every field of this layout.
fn boolean(b: bool) -> &'static [u8] {
    if b {
        b"\"True\""
    } else {
        b"\"False\""
    }
}

/// A field in double quotes, its own double quotes doubled (RFC 4180).
pub(crate) fn quoted(out: &mut Vec<u8>, text: &str) {
    out.push(b'"');
    escaped(out, text);
    out.push(b'"');
}

/// Text inside double quotes: its double quotes doubled.
pub(crate) fn escaped(out: &mut Vec<u8>, text: &str) {
    let bytes = text.as_bytes();
    if !bytes.contains(&b'"') {
        out.extend_from_slice(bytes);
        return;
    }
    for part in text.split_inclusive('"') {
        out.extend_from_slice(part.as_bytes());
        if part.ends_with('"') {
            out.push(b'"');
        }
    }
}

/// `2020-08-12`.
pub(crate) fn push_date(out: &mut Vec<u8>, t: DateTime<Utc>) {
    push_padded(out, i64::from(t.year()), 4);
    out.push(b'-');
    push_padded(out, i64::from(t.month()), 2);
    out.push(b'-');
    push_padded(out, i64::from(t.day()), 2);
}

/// `2020-08-11T19:20:14Z`, or with `millis` `2017-11-13T17:13:01.000Z`.
pub(crate) fn push_time(out: &mut Vec<u8>, t: DateTime<Utc>, millis: bool) {
    push_date(out, t);
    out.push(b'T');
    push_padded(out, i64::from(t.hour()), 2);
    out.push(b':');
    push_padded(out, i64::from(t.minute()), 2);
    out.push(b':');
    push_padded(out, i64::from(t.second()), 2);
    if millis {
        out.push(b'.');
        push_padded(out, i64::from(t.timestamp_subsec_millis()), 3);
    }
    out.push(b'Z');
}

fn push_padded(out: &mut Vec<u8>, n: i64, width: usize) {
    let digits = n.to_string();
    for _ in digits.len()..width {
        out.push(b'0');
    }
    out.extend_from_slice(digits.as_bytes());
}

/// A decimal integer.
pub(crate) fn push_int(out: &mut Vec<u8>, n: i64) {
    use std::io::Write;
    let _ = write!(out, "{n}");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::record::tests::observation;

    #[test]
    fn a_row_quotes_every_field_and_writes_hidden_counts_as_0_with_their_flag() {
        let mut out = Vec::new();
        write_row(&mut out, &observation());
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "\"n1WpP7iowLc\",\"Eminem - Walk On Water (Audio) ft. Beyoncé\",\"2017-11-10T17:00:03Z\",\
             \"UC20vb-R_px4CguHzzBPhoyQ\",\"EminemVEVO\",\"10\",\"2026-11-22T00:00:00Z\",\
             \"Eminem|Walk\",\"17158579\",\"0\",\"0\",\"125882\",\
             \"https://i.ytimg.com/vi/n1WpP7iowLc/default.jpg\",\"False\",\"True\",\
             \"line one\nline \"\"two\"\"\"\n"
        );
    }

    #[test]
    fn no_tags_is_none_in_brackets() {
        let mut o = observation();
        o.video.tags.clear();
        o.video.description = None;
        let mut out = Vec::new();
        write_row(&mut out, &o);
        let row = String::from_utf8(out).unwrap();
        assert!(row.contains(",\"[None]\","), "{row}");
        assert!(row.ends_with(",\"\"\n"), "{row}");
    }
}
