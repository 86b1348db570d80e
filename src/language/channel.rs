//! Pure: a channel's language, learnt from the API's language for its other videos in the same
//! run, given to its videos whose title said nothing clear.

use std::collections::HashMap;

use crate::model::{Chart, LanguageSource};

/// For every channel whose videos in `charts` carry an API language, and all the same one, gives
/// that language to the channel's videos left undetermined (`none`), with source `channel`.
///
/// Detection from the title is kept where it spoke: its precision is measured; a channel's
/// language is a guess about another video. A channel whose API languages disagree
/// (a bilingual news channel) lends nothing.
pub fn apply_channel_languages(charts: &mut [Chart]) {
    let languages = channel_languages(charts);
    if languages.is_empty() {
        return;
    }
    for (_, video) in charts.iter_mut().flat_map(|c| c.entries.iter_mut()) {
        if video.language_source != LanguageSource::None {
            continue;
        }
        let Some(lang) = video
            .channel_id
            .as_deref()
            .and_then(|id| languages.get(id))
            .and_then(|l| l.as_deref())
        else {
            continue;
        };
        video.language = lang.to_owned();
        video.language_source = LanguageSource::Channel;
    }
}

/// Each channel's API language: `Some` when all its API-labelled videos agree, `None` when they
/// do not. Channels without any API language are absent.
fn channel_languages(charts: &[Chart]) -> HashMap<String, Option<String>> {
    let mut languages: HashMap<String, Option<String>> = HashMap::new();
    for (_, video) in charts.iter().flat_map(|c| c.entries.iter()) {
        let Some(channel) = video.channel_id.as_deref() else {
            continue;
        };
        if video.language_source != LanguageSource::Api {
            continue;
        }
        languages
            .entry(channel.to_owned())
            .and_modify(|known| {
                if known.as_deref() != Some(video.language.as_str()) {
                    *known = None;
                }
            })
            .or_insert_with(|| Some(video.language.clone()));
    }
    languages
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ChartKey, Video};

    fn video(id: &str, channel: Option<&str>, lang: &str, source: LanguageSource) -> Video {
        Video {
            channel_id: channel.map(Into::into),
            language: lang.into(),
            language_source: source,
            ..Video::minimal(id, id)
        }
    }

    fn chart(region: &'static str, videos: Vec<Video>) -> Chart {
        Chart {
            key: ChartKey {
                region,
                category_id: "0".into(),
            },
            fetched_at: chrono::Utc::now(),
            entries: videos
                .into_iter()
                .enumerate()
                .map(|(i, v)| (i as u32 + 1, v))
                .collect(),
        }
    }

    fn lang(charts: &[Chart], id: &str) -> (String, LanguageSource) {
        let v = charts
            .iter()
            .flat_map(|c| &c.entries)
            .find(|(_, v)| v.video_id == id)
            .map(|(_, v)| v)
            .unwrap();
        (v.language.clone(), v.language_source)
    }

    #[test]
    fn undetermined_videos_take_their_channels_language_across_charts() {
        use LanguageSource::*;
        let mut charts = vec![
            chart(
                "IN",
                vec![
                    video("a", Some("UC1"), "te", Api),
                    video("b", Some("UC1"), "und", None),
                    video("c", Some("UC1"), "en", Detected),
                    video("d", Some("UC2"), "und", None),
                    video("e", Option::None, "und", None),
                ],
            ),
            chart("US", vec![video("f", Some("UC1"), "und", None)]),
        ];
        apply_channel_languages(&mut charts);
        assert_eq!(lang(&charts, "a"), ("te".into(), Api));
        assert_eq!(lang(&charts, "b"), ("te".into(), Channel));
        assert_eq!(
            lang(&charts, "f"),
            ("te".into(), Channel),
            "other charts too"
        );
        assert_eq!(
            lang(&charts, "c"),
            ("en".into(), Detected),
            "detection is kept"
        );
        assert_eq!(lang(&charts, "d"), ("und".into(), None), "no API language");
        assert_eq!(lang(&charts, "e"), ("und".into(), None), "no channel");
    }

    #[test]
    fn a_channel_whose_api_languages_disagree_lends_nothing() {
        use LanguageSource::*;
        let mut charts = vec![chart(
            "IN",
            vec![
                video("a", Some("UC1"), "hi", Api),
                video("b", Some("UC1"), "en", Api),
                video("c", Some("UC1"), "und", None),
                video("d", Some("UC1"), "hi", Api),
            ],
        )];
        apply_channel_languages(&mut charts);
        assert_eq!(lang(&charts, "c"), ("und".into(), None));
    }
}
