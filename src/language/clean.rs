//! Pure: a title reduced to the words that can say which language it is in. Hashtags,
//! @mentions, URLs, emoji, numbers, "ft./feat." credits, separators and YouTube's format tags
//! ("Official Video", "【MV】", "Episode", "Teaser"...) carry no language: they are dropped here,
//! so that detection weighs only the words a reader would.

use std::sync::OnceLock;

use rustc_hash::FxHashSet;

/// Format tags YouTube titles carry in every language (lower case), language names ("Tamil
/// Serial", "Latest Punjabi Songs") and the month names of dates ("19th November 2024"). They are the same list as the label policy of
/// `tests/data/lang_eval.md`: neutral words that do not make a title English.
const FORMAT_WORDS: &[&str] = &[
    "apr",
    "april",
    "audio",
    "aug",
    "august",
    "bengali",
    "bhojpuri",
    "chinese",
    "clip",
    "comedy",
    "dec",
    "december",
    "dubbed",
    "english",
    "ep",
    "epi",
    "episode",
    "episodes",
    "feat",
    "featuring",
    "feb",
    "february",
    "film",
    "french",
    "ft",
    "full",
    "general",
    "gujarati",
    "haryanvi",
    "hd",
    "highlights",
    "hindi",
    "intro",
    "jan",
    "january",
    "japanese",
    "jul",
    "july",
    "jun",
    "june",
    "kannada",
    "korean",
    "latest",
    "live",
    "lyric",
    "lyrical",
    "lyrics",
    "malayalam",
    "marathi",
    "movie",
    "music",
    "mv",
    "new",
    "nov",
    "november",
    "oct",
    "october",
    "odia",
    "official",
    "oriya",
    "part",
    "peek",
    "performance",
    "preview",
    "promo",
    "punjabi",
    "reaction",
    "remix",
    "review",
    "scene",
    "season",
    "sep",
    "sept",
    "september",
    "serial",
    "series",
    "short",
    "shorts",
    "sneak",
    "song",
    "songs",
    "spanish",
    "tamil",
    "teaser",
    "telugu",
    "trailer",
    "tv",
    "urdu",
    "ver",
    "version",
    "video",
    "videos",
    "vs",
    "web",
    "webisode",
    "webseries",
];

/// Words that start a credit running to the next separator: "ft. X & Y", "feat. X".
const CREDIT_WORDS: &[&str] = &["ft", "feat", "featuring"];

/// [`FORMAT_WORDS`] as a set: a lookup per word of every title.
fn format_words() -> &'static FxHashSet<&'static str> {
    static SET: OnceLock<FxHashSet<&'static str>> = OnceLock::new();
    SET.get_or_init(|| FORMAT_WORDS.iter().copied().collect())
}

/// The words of `title` that can carry a language, in order, separated by single spaces.
#[cfg(test)]
fn words(title: &str) -> String {
    words_and_parts(title).0
}

/// [`words`], and how many of them each part of the title holds. Parts are what separators
/// (`|`, brackets, a dash between spaces, `:`...) delimit; a part whose words were all dropped
/// (tags, credits, numbers) counts, with no words.
pub fn words_and_parts(title: &str) -> (String, Vec<u8>) {
    let format_words = format_words();
    let mut out = String::with_capacity(title.len());
    let mut parts = vec![0u8];
    let mut part_seen = false;
    let mut lower = String::new();
    let mut in_credit = false;
    let boundary = |parts: &mut Vec<u8>, seen: &mut bool| {
        if std::mem::take(seen) {
            parts.push(0);
        }
    };
    for token in title.split_whitespace() {
        if is_url(token) {
            continue;
        }
        // A hashtag or mention runs to the end of its token, even when glued ("お客さん#Shorts").
        let token = token.split(['#', '@']).next().unwrap_or_default();
        // A dash between spaces separates; inside a word ("Spider-Man") it only splits.
        if token.chars().all(|c| matches!(c, '-' | '–' | '—')) && !token.is_empty() {
            in_credit = false;
            boundary(&mut parts, &mut part_seen);
            continue;
        }
        for (i, chunk) in token.split(is_separator).enumerate() {
            if i > 0 {
                in_credit = false;
                boundary(&mut parts, &mut part_seen);
            }
            // "19th", "2day", "S02", "5T": Latin letters glued to digits are codes, not words;
            // CJK runs around a digit ("震度6強") are still words.
            let has_digit = chunk.bytes().any(|b| b.is_ascii_digit());
            for word in chunk.split(|c: char| !is_word_char(c)) {
                let word = word.trim_matches(|c| c == '\'' || c == '’');
                if word.is_empty() {
                    continue;
                }
                part_seen = true;
                if has_digit && word.is_ascii() {
                    continue;
                }
                lower.clear();
                if word.is_ascii() {
                    lower.push_str(word);
                    lower.make_ascii_lowercase();
                } else {
                    lower.push_str(&word.to_lowercase());
                }
                if CREDIT_WORDS.contains(&lower.as_str()) {
                    in_credit = true;
                    continue;
                }
                if in_credit
                    || is_single_latin_letter(word)
                    || format_words.contains(lower.as_str())
                {
                    continue;
                }
                if !out.is_empty() {
                    out.push(' ');
                }
                out.push_str(word);
                let last = parts.len() - 1;
                parts[last] = parts[last].saturating_add(1);
            }
        }
    }
    if !part_seen && parts.len() > 1 {
        parts.pop();
    }
    (out, parts)
}

/// `words` without the words of parts that hold a single word, when the title has several
/// parts: by the artist–title convention ("Radiohead - Lift", "Alva - Recomeço", "Coco - Movie
/// Review") a lone word beside a separator is a name or a one-word work title. A work title
/// that is an ordinary word counts as that word (the label policy's rule 1), so a lone word
/// of the first two parts (where the artist–title pair stands, before the credits: "Kane
/// Brown - Heaven", "RING (OFFICIAL VIDEO) by ...") that `keep` accepts stays, as does a
/// format tag in another language anywhere ("Papy InShape (clip officiel)": `keep_anywhere`).
/// `None` when nothing is dropped.
pub fn without_lone_words(
    words: &str,
    parts: &[u8],
    keep: impl Fn(&str) -> bool,
    keep_anywhere: impl Fn(&str) -> bool,
) -> Option<String> {
    if parts.len() < 2 || !parts.contains(&1) {
        return None;
    }
    let mut out = String::with_capacity(words.len());
    let mut split = words.split(' ');
    for (i, &n) in parts.iter().enumerate() {
        for word in split.by_ref().take(usize::from(n)) {
            if n > 1 || (i < 2 && keep(word)) || keep_anywhere(word) {
                if !out.is_empty() {
                    out.push(' ');
                }
                out.push_str(word);
            }
        }
    }
    Some(out)
}

/// Characters that separate the parts of a title; a credit ("ft. X & Y") ends at the next one.
fn is_separator(c: char) -> bool {
    matches!(
        c,
        '|' | '│'
            | 'ǀ'
            | '｜'
            | 'ㅣ'
            | '/'
            | '\\'
            | '•'
            | '·'
            | '●'
            | '★'
            | ':'
            | ';'
            | '('
            | ')'
            | '['
            | ']'
            | '{'
            | '}'
            | '【'
            | '】'
            | '（'
            | '）'
            | '《'
            | '》'
            | '〔'
            | '〕'
            | '<'
            | '>'
            | '–'
            | '—'
    )
}

/// Letters, combining marks (Indic vowel signs, viramas) and the joiners some scripts need.
fn is_word_char(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphabetic() || c == '\'';
    }
    is_letter(c) || c == '’' || c == '\u{200C}' || c == '\u{200D}' || is_combining_mark(c)
}

/// `c.is_alphabetic()`, from a bitmap of the Basic Multilingual Plane built on first use (8 KiB,
/// about a millisecond): Unicode's own table is searched anew for every non-ASCII character,
/// and titles in Indic scripts are made of them.
pub fn is_letter(c: char) -> bool {
    static BMP: OnceLock<Box<[u64; 1024]>> = OnceLock::new();
    if c.is_ascii() {
        return c.is_ascii_alphabetic();
    }
    let cp = c as usize;
    if cp >= 0x10000 {
        return c.is_alphabetic();
    }
    let bmp = BMP.get_or_init(|| {
        let mut bits = Box::new([0u64; 1024]);
        for c in (0..0x10000)
            .filter_map(char::from_u32)
            .filter(|c| c.is_alphabetic())
        {
            bits[c as usize >> 6] |= 1 << (c as usize & 63);
        }
        bits
    });
    bmp[cp >> 6] >> (cp & 63) & 1 == 1
}

/// Combining marks of the scripts trendtap meets (Indic, Thai, Arabic, Hebrew, Latin).
fn is_combining_mark(c: char) -> bool {
    matches!(c,
        '\u{0300}'..='\u{036F}'
        | '\u{0591}'..='\u{05C7}'
        | '\u{0610}'..='\u{061A}'
        | '\u{064B}'..='\u{065F}'
        | '\u{0670}'
        | '\u{06D6}'..='\u{06ED}'
        | '\u{0900}'..='\u{0903}'
        | '\u{093A}'..='\u{094F}'
        | '\u{0951}'..='\u{0957}'
        | '\u{0962}'..='\u{0963}'
        | '\u{0981}'..='\u{0983}'
        | '\u{09BC}'..='\u{09D7}'
        | '\u{09E2}'..='\u{09E3}'
        | '\u{0A01}'..='\u{0A03}'
        | '\u{0A3C}'..='\u{0A51}'
        | '\u{0A70}'..='\u{0A71}'
        | '\u{0A75}'
        | '\u{0A81}'..='\u{0A83}'
        | '\u{0ABC}'..='\u{0ACD}'
        | '\u{0AE2}'..='\u{0AE3}'
        | '\u{0B01}'..='\u{0B03}'
        | '\u{0B3C}'..='\u{0B57}'
        | '\u{0B62}'..='\u{0B63}'
        | '\u{0B82}'
        | '\u{0BBE}'..='\u{0BD7}'
        | '\u{0C00}'..='\u{0C04}'
        | '\u{0C3E}'..='\u{0C56}'
        | '\u{0C62}'..='\u{0C63}'
        | '\u{0C81}'..='\u{0C83}'
        | '\u{0CBC}'..='\u{0CD6}'
        | '\u{0CE2}'..='\u{0CE3}'
        | '\u{0D00}'..='\u{0D03}'
        | '\u{0D3B}'..='\u{0D57}'
        | '\u{0D62}'..='\u{0D63}'
        | '\u{0D81}'..='\u{0DDF}'
        | '\u{0E31}'
        | '\u{0E34}'..='\u{0E3A}'
        | '\u{0E47}'..='\u{0E4E}'
    )
}

fn is_url(token: &str) -> bool {
    let starts = |prefix: &str| {
        token
            .as_bytes()
            .get(..prefix.len())
            .is_some_and(|start| start.eq_ignore_ascii_case(prefix.as_bytes()))
    };
    starts("http://") || starts("https://") || starts("www.")
}

/// "M/V" splits into "M" and "V"; a lone Latin letter ("BTS X", "Rashmi & S") is no word.
fn is_single_latin_letter(word: &str) -> bool {
    let mut chars = word.chars();
    matches!((chars.next(), chars.next()), (Some(c), None) if c.is_ascii_alphabetic())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn is_letter_is_is_alphabetic() {
        for c in (0..=0x10FFFF).filter_map(char::from_u32) {
            assert_eq!(is_letter(c), c.is_alphabetic(), "{:04X}", c as u32);
        }
    }

    #[test]
    fn format_word_list_is_sorted_unique_and_holds_the_credits() {
        assert!(FORMAT_WORDS.windows(2).all(|w| w[0] < w[1]));
        assert!(CREDIT_WORDS
            .iter()
            .all(|w| FORMAT_WORDS.binary_search(w).is_ok()));
    }

    #[test]
    fn tags_credits_numbers_and_symbols_go() {
        assert_eq!(
            words("Eminem - Walk On Water (Audio) ft. Beyoncé"),
            "Eminem Walk On Water"
        );
        assert_eq!(
            words("Red Velvet 레드벨벳 'Peek-A-Boo' Teaser Part.1"),
            "Red Velvet 레드벨벳 Boo"
        );
        assert_eq!(words("【LIVE】宮城・福島で震度6強"), "宮城 福島で震度 強");
        assert_eq!(
            words("ITZY “Cheshire” M/V Teaser 2 | 2day 5T S02"),
            "ITZY Cheshire"
        );
        assert_eq!(
            words("#Video | #अक्षरा_सिंह भोजपुरी हिट गाना 🔥🔥 @someone https://x.y/z 2017"),
            "भोजपुरी हिट गाना"
        );
        assert_eq!(
            words("Kuladheivam SUN TV Episode - 775 (17-11-17)"),
            "Kuladheivam SUN"
        );
        assert_eq!(words("🔥🔥 2018"), "");
    }

    #[test]
    fn parts_and_lone_words() {
        let (w, parts) = words_and_parts("Radiohead - Lift");
        assert_eq!(
            (w.as_str(), parts.as_slice()),
            ("Radiohead Lift", &[1, 1][..])
        );
        assert_eq!(
            without_lone_words(&w, &parts, |_| false, |_| false).as_deref(),
            Some("")
        );
        let (w, parts) = words_and_parts("Coco - Movie Review");
        assert_eq!(parts, [1, 0]);
        assert_eq!(
            without_lone_words(&w, &parts, |_| false, |_| false).as_deref(),
            Some("")
        );
        let (w, parts) = words_and_parts("Lot : un violent orage à Figeac");
        assert_eq!(parts, [1, 5]);
        assert_eq!(
            without_lone_words(&w, &parts, |_| false, |_| false).as_deref(),
            Some("un violent orage à Figeac")
        );
        let (w, parts) = words_and_parts("Microphone #3");
        assert_eq!((w.as_str(), parts.as_slice()), ("Microphone", &[1][..]));
        assert_eq!(without_lone_words(&w, &parts, |_| false, |_| false), None);
        let (_, parts) = words_and_parts("Kane Brown - Heaven || ");
        assert_eq!(parts, [2, 1]);
    }

    #[test]
    fn lone_ordinary_words_stay_in_the_first_two_parts_only() {
        let ordinary =
            |w: &str| ["heaven", "glory", "officiel"].contains(&w.to_lowercase().as_str());
        let tag = |w: &str| w.eq_ignore_ascii_case("officiel");
        let (w, parts) = words_and_parts("Kane Brown - Heaven");
        assert_eq!(
            without_lone_words(&w, &parts, ordinary, tag).as_deref(),
            Some("Kane Brown Heaven")
        );
        // Past the artist–title pair, a lone word is a credit: a name.
        let (w, parts) = words_and_parts("Payal Dev | Honey Singh | Paradox | Glory");
        assert_eq!(parts, [2, 2, 1, 1]);
        assert_eq!(
            without_lone_words(&w, &parts, ordinary, tag).as_deref(),
            Some("Payal Dev Honey Singh")
        );
        // A format tag in another language stays wherever it is.
        let (w, parts) = words_and_parts("Tibo InShape | Papy | InShape (officiel)");
        assert_eq!(
            without_lone_words(&w, &parts, ordinary, tag).as_deref(),
            Some("Tibo InShape officiel")
        );
    }

    #[test]
    fn a_credit_ends_at_the_next_separator() {
        assert_eq!(
            words("Son Of Abish feat. Tanmay Bhat & Bhuvan Bam | Comedy Night Out"),
            "Son Of Abish Night Out"
        );
        assert_eq!(
            words("BTS (방탄소년단) 'MIC Drop (Steve Aoki Remix)' Official Teaser"),
            "BTS 방탄소년단 MIC Drop Steve Aoki"
        );
    }

    #[test]
    fn indic_vowel_signs_stay_inside_their_words() {
        assert_eq!(words("ದಟ್ಟವಾಗು ಬೆಳಿಯುತ್ತದೆ"), "ದಟ್ಟವಾಗು ಬೆಳಿಯುತ್ತದೆ");
        assert_eq!(words("മീരാ ജാസ്മിന്‍"), "മീരാ ജാസ്മിന്‍");
        assert_eq!(words("తిరుగుండ‌దు"), "తిరుగుండ‌దు");
    }
}
