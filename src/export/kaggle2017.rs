//! `--format kaggle-2017`: the layout of "Trending YouTube Video Statistics" (Kaggle, 2017-18,
//! files `XXvideos.csv`, as its final release writes them): title, channel and description in
//! double quotes, numbers and booleans bare, `trending_date` as `yy.dd.mm`, tags each in
//! double quotes joined by `|` (`[none]` when none), newlines in descriptions written as the
//! two characters `\n`. One row per region, video and UTC day, as [`super::kaggle`]; the same
//! departures from the dataset (dislikes 0, hidden counts 0 with their flag), and
//! `video_error_or_removed` is `False` (trendtap does not follow videos after their charts).

use chrono::Datelike;

use super::kaggle::{escaped, push_int, push_time, quoted};
use crate::model::Observation;

/// The header line.
pub const HEADER: &str = "video_id,trending_date,title,channel_title,category_id,publish_time,tags,views,likes,dislikes,comment_count,thumbnail_link,comments_disabled,ratings_disabled,video_error_or_removed,description\n";

/// The file of a region.
pub fn file_name(region: &str) -> String {
    format!("{region}videos.csv")
}

/// Appends the row of `o` (a day's last observation) to `out`.
pub fn write_row(out: &mut Vec<u8>, o: &Observation) {
    let v = &o.video;
    out.extend_from_slice(v.video_id.as_bytes());
    out.push(b',');
    let day = o.fetched_at.date_naive();
    for (i, n) in [day.year() % 100, day.day() as i32, day.month() as i32]
        .into_iter()
        .enumerate()
    {
        if i > 0 {
            out.push(b'.');
        }
        out.push(b'0' + (n / 10) as u8);
        out.push(b'0' + (n % 10) as u8);
    }
    out.push(b',');
    quoted(out, &v.title);
    out.push(b',');
    quoted(out, v.channel_title.as_deref().unwrap_or(""));
    out.push(b',');
    out.extend_from_slice(v.category_id.as_deref().unwrap_or("").as_bytes());
    out.push(b',');
    if let Some(t) = v.published_at {
        push_time(out, t, true);
    }
    out.push(b',');
    if v.tags.is_empty() {
        out.extend_from_slice(b"[none]");
    } else {
        for (i, tag) in v.tags.iter().enumerate() {
            if i > 0 {
                out.push(b'|');
            }
            quoted(out, tag);
        }
    }
    out.push(b',');
    if let Some(views) = v.view_count {
        push_int(out, views);
    }
    out.push(b',');
    push_int(out, v.like_count.unwrap_or(0));
    out.extend_from_slice(b",0,");
    push_int(out, v.comment_count.unwrap_or(0));
    out.extend_from_slice(b",https://i.ytimg.com/vi/");
    out.extend_from_slice(v.video_id.as_bytes());
    out.extend_from_slice(b"/default.jpg,");
    out.extend_from_slice(boolean(v.comment_count.is_none()));
    out.push(b',');
    out.extend_from_slice(boolean(v.like_count.is_none()));
    out.extend_from_slice(b",False,\"");
    if let Some(text) = &v.description {
        // A line break, whichever its form, becomes the two characters `\n`.
        let text = text.replace("\r\n", "\n").replace('\r', "\n");
        for (i, line) in text.split('\n').enumerate() {
            if i > 0 {
                out.extend_from_slice(b"\\n");
            }
            escaped(out, line);
        }
    }
    out.extend_from_slice(b"\"\n");
}

fn boolean(b: bool) -> &'static [u8] {
    if b {
        b"True"
    } else {
        b"False"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::record::tests::observation;

    #[test]
    fn a_row_in_the_2017_layout() {
        let mut out = Vec::new();
        write_row(&mut out, &observation());
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "n1WpP7iowLc,26.22.11,\"Eminem - Walk On Water (Audio) ft. Beyoncé\",\"EminemVEVO\",10,\
             2017-11-10T17:00:03.000Z,\"Eminem\"|\"Walk\",17158579,0,0,125882,\
             https://i.ytimg.com/vi/n1WpP7iowLc/default.jpg,False,True,False,\
             \"line one\\nline \"\"two\"\"\"\n"
        );
    }

    #[test]
    fn no_tags_is_none_in_lower_case_brackets() {
        let mut o = observation();
        o.video.tags.clear();
        let mut out = Vec::new();
        write_row(&mut out, &o);
        assert!(String::from_utf8(out).unwrap().contains(",[none],"));
    }
}
