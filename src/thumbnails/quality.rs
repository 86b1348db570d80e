//! Which image of a video to fetch. `videos.thumbnail_url` is the largest thumbnail the API
//! listed; the smaller ones sit beside it under YouTube's fixed names (`i.ytimg.com/vi/ID/`
//! `default.jpg` 120x90, `mqdefault.jpg` 320x180, `hqdefault.jpg` 480x360, `sddefault.jpg`
//! 640x480, `maxresdefault.jpg` 1280x720), so a smaller quality is the same URL with another
//! file name. Pure: no I/O.

use clap::ValueEnum;

/// A thumbnail quality, smallest first (the API's names).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, ValueEnum)]
pub enum Quality {
    /// `default.jpg`, 120x90.
    Default,
    /// `mqdefault.jpg`, 320x180.
    Medium,
    /// `hqdefault.jpg`, 480x360.
    High,
    /// `sddefault.jpg`, 640x480.
    Standard,
    /// `maxresdefault.jpg`, 1280x720.
    Maxres,
}

impl Quality {
    const ALL: [Quality; 5] = [
        Quality::Default,
        Quality::Medium,
        Quality::High,
        Quality::Standard,
        Quality::Maxres,
    ];

    /// The image host's file name for this quality.
    pub fn file_name(self) -> &'static str {
        match self {
            Quality::Default => "default.jpg",
            Quality::Medium => "mqdefault.jpg",
            Quality::High => "hqdefault.jpg",
            Quality::Standard => "sddefault.jpg",
            Quality::Maxres => "maxresdefault.jpg",
        }
    }

    fn of_file_name(name: &str) -> Option<Quality> {
        Self::ALL.into_iter().find(|q| q.file_name() == name)
    }
}

/// The URL to fetch for a video whose best thumbnail is `best`: `best` itself unless `wanted`
/// is a smaller quality than it, then the same URL with the smaller quality's file name. A
/// larger quality than the best is never asked for (the API said it does not exist), and a URL
/// that does not follow the naming (a live stream's `hqdefault_live.jpg`, another host's) is
/// kept as it is.
pub fn url_for(best: &str, wanted: Option<Quality>) -> String {
    let Some(wanted) = wanted else {
        return best.to_owned();
    };
    let Some((base, name)) = best.rsplit_once('/') else {
        return best.to_owned();
    };
    match Quality::of_file_name(name) {
        Some(have) if wanted < have => format!("{base}/{}", wanted.file_name()),
        _ => best.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MAXRES: &str = "https://i.ytimg.com/vi/KCDg03P0oN4/maxresdefault.jpg";

    #[test]
    fn the_best_thumbnail_by_default() {
        assert_eq!(url_for(MAXRES, None), MAXRES);
        assert_eq!(url_for(MAXRES, Some(Quality::Maxres)), MAXRES);
    }

    #[test]
    fn smaller_qualities_follow_the_standard_names() {
        for (q, name) in [
            (Quality::Standard, "sddefault.jpg"),
            (Quality::High, "hqdefault.jpg"),
            (Quality::Medium, "mqdefault.jpg"),
            (Quality::Default, "default.jpg"),
        ] {
            assert_eq!(
                url_for(MAXRES, Some(q)),
                format!("https://i.ytimg.com/vi/KCDg03P0oN4/{name}")
            );
        }
    }

    #[test]
    fn never_above_the_best_available() {
        let high = "https://i.ytimg.com/vi/x/hqdefault.jpg";
        assert_eq!(url_for(high, Some(Quality::Maxres)), high);
        assert_eq!(url_for(high, Some(Quality::Standard)), high);
        assert_eq!(
            url_for(high, Some(Quality::Medium)),
            "https://i.ytimg.com/vi/x/mqdefault.jpg"
        );
    }

    #[test]
    fn unknown_names_are_kept() {
        let live = "https://i.ytimg.com/vi/x/hqdefault_live.jpg";
        assert_eq!(url_for(live, Some(Quality::Default)), live);
        assert_eq!(url_for("not a url", Some(Quality::Default)), "not a url");
    }

    #[test]
    fn qualities_are_ordered_smallest_first() {
        assert!(Quality::Default < Quality::Medium && Quality::Standard < Quality::Maxres);
    }
}
