//! Pure: which writing systems a title's words use, and how much of each. Many scripts settle
//! the language on their own (Hangul is Korean, Tamil script is Tamil); the rest (Latin,
//! Cyrillic, Arabic, Devanagari, Han) need a closer look.

/// A writing system, as far as language detection cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Script {
    /// Latin letters.
    Latin,
    /// Cyrillic: ru, uk, be, bg, sr, mk, kk...
    Cyrillic,
    /// Greek: el.
    Greek,
    /// Armenian: hy.
    Armenian,
    /// Hebrew: he (and Yiddish).
    Hebrew,
    /// Arabic: ar, fa, ur...
    Arabic,
    /// Devanagari: hi, mr, ne...
    Devanagari,
    /// Bengali-Assamese: bn.
    Bengali,
    /// Gurmukhi: pa.
    Gurmukhi,
    /// Gujarati: gu.
    Gujarati,
    /// Oriya: or.
    Oriya,
    /// Tamil: ta.
    Tamil,
    /// Telugu: te.
    Telugu,
    /// Kannada: kn.
    Kannada,
    /// Malayalam: ml.
    Malayalam,
    /// Sinhala: si.
    Sinhala,
    /// Thai: th.
    Thai,
    /// Lao: lo.
    Lao,
    /// Myanmar: my.
    Myanmar,
    /// Khmer: km.
    Khmer,
    /// Georgian: ka.
    Georgian,
    /// Ethiopic: am, ti (not told apart).
    Ethiopic,
    /// Hangul: ko.
    Hangul,
    /// Hiragana or katakana: ja.
    Kana,
    /// Han ideographs alone: zh, or ja/ko when written with them.
    Han,
}

const ALL: [Script; 25] = [
    Script::Latin,
    Script::Cyrillic,
    Script::Greek,
    Script::Armenian,
    Script::Hebrew,
    Script::Arabic,
    Script::Devanagari,
    Script::Bengali,
    Script::Gurmukhi,
    Script::Gujarati,
    Script::Oriya,
    Script::Tamil,
    Script::Telugu,
    Script::Kannada,
    Script::Malayalam,
    Script::Sinhala,
    Script::Thai,
    Script::Lao,
    Script::Myanmar,
    Script::Khmer,
    Script::Georgian,
    Script::Ethiopic,
    Script::Hangul,
    Script::Kana,
    Script::Han,
];

impl Script {
    /// The script of a letter; `None` for marks, digits, symbols and scripts not listed.
    pub fn of(c: char) -> Option<Script> {
        let script = match c {
            'a'..='z' | 'A'..='Z' => Script::Latin,
            _ if c.is_ascii() => return None,
            '\u{00C0}'..='\u{024F}' | '\u{1E00}'..='\u{1EFF}' => Script::Latin,
            '\u{0370}'..='\u{03FF}' | '\u{1F00}'..='\u{1FFF}' => Script::Greek,
            '\u{0400}'..='\u{052F}' => Script::Cyrillic,
            '\u{0531}'..='\u{058F}' => Script::Armenian,
            '\u{05D0}'..='\u{05F4}' => Script::Hebrew,
            '\u{0620}'..='\u{064A}'
            | '\u{066E}'..='\u{06D5}'
            | '\u{06EE}'..='\u{06FF}'
            | '\u{0750}'..='\u{077F}'
            | '\u{FB50}'..='\u{FDFF}'
            | '\u{FE70}'..='\u{FEFF}' => Script::Arabic,
            '\u{0904}'..='\u{0939}' | '\u{093D}' | '\u{0950}' | '\u{0958}'..='\u{0961}' => {
                Script::Devanagari
            }
            '\u{0972}'..='\u{097F}' => Script::Devanagari,
            '\u{0985}'..='\u{09B9}' | '\u{09DC}'..='\u{09E1}' | '\u{09F0}'..='\u{09F1}' => {
                Script::Bengali
            }
            '\u{0A05}'..='\u{0A39}' | '\u{0A59}'..='\u{0A5E}' | '\u{0A72}'..='\u{0A74}' => {
                Script::Gurmukhi
            }
            '\u{0A85}'..='\u{0AB9}' | '\u{0AE0}'..='\u{0AE1}' => Script::Gujarati,
            '\u{0B05}'..='\u{0B39}' | '\u{0B5C}'..='\u{0B61}' | '\u{0B71}' => Script::Oriya,
            '\u{0B83}'..='\u{0BB9}' => Script::Tamil,
            '\u{0C05}'..='\u{0C39}' | '\u{0C58}'..='\u{0C61}' => Script::Telugu,
            '\u{0C85}'..='\u{0CB9}' | '\u{0CDE}'..='\u{0CE1}' => Script::Kannada,
            '\u{0D05}'..='\u{0D3A}' | '\u{0D54}'..='\u{0D56}' | '\u{0D5F}'..='\u{0D61}' => {
                Script::Malayalam
            }
            '\u{0D7A}'..='\u{0D7F}' => Script::Malayalam,
            '\u{0D85}'..='\u{0DC6}' => Script::Sinhala,
            '\u{0E01}'..='\u{0E30}' | '\u{0E32}'..='\u{0E33}' | '\u{0E40}'..='\u{0E46}' => {
                Script::Thai
            }
            '\u{0E81}'..='\u{0EB0}' | '\u{0EB2}'..='\u{0EB3}' | '\u{0EBD}'..='\u{0EC6}' => {
                Script::Lao
            }
            '\u{1000}'..='\u{102A}' | '\u{103F}'..='\u{1055}' => Script::Myanmar,
            '\u{1780}'..='\u{17B3}' => Script::Khmer,
            '\u{10A0}'..='\u{10FF}' | '\u{1C90}'..='\u{1CBF}' => Script::Georgian,
            '\u{1200}'..='\u{139F}' | '\u{2D80}'..='\u{2DDF}' => Script::Ethiopic,
            '\u{1100}'..='\u{11FF}' | '\u{3130}'..='\u{318F}' | '\u{AC00}'..='\u{D7AF}' => {
                Script::Hangul
            }
            '\u{3041}'..='\u{309F}' | '\u{30A0}'..='\u{30FF}' | '\u{31F0}'..='\u{31FF}' => {
                Script::Kana
            }
            '\u{FF66}'..='\u{FF9D}' => Script::Kana,
            '\u{3400}'..='\u{4DBF}' | '\u{4E00}'..='\u{9FFF}' | '\u{F900}'..='\u{FAFF}' => {
                Script::Han
            }
            _ => return None,
        };
        Some(script)
    }

    fn index(self) -> usize {
        self as usize
    }

    /// Scripts written without spaces between words count letters, not words: this many
    /// letters weigh as much as one word of a spaced script.
    fn letters_per_word(self) -> u32 {
        match self {
            Script::Han | Script::Kana => 2,
            Script::Thai | Script::Lao | Script::Myanmar | Script::Khmer => 5,
            _ => 0,
        }
    }
}

/// How much of a text each script holds.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Census {
    words: [u32; ALL.len()],
    letters: [u32; ALL.len()],
    /// Every space-separated word, whatever its script (or none).
    all_words: u32,
}

impl Census {
    /// Counts the words (space-separated, by the script of their first letter) and letters of
    /// each script in `text`.
    pub fn of(text: &str) -> Census {
        let mut census = Census::default();
        for word in text.split(' ') {
            census.all_words += 1;
            let mut first = None;
            for script in word.chars().filter_map(Script::of) {
                first.get_or_insert(script);
                census.letters[script.index()] += 1;
            }
            if let Some(script) = first {
                census.words[script.index()] += 1;
            }
        }
        census
    }

    /// Whether every word is in `script`.
    pub fn all_in(&self, script: Script) -> bool {
        self.words[script.index()] == self.all_words
    }

    /// Letters of one script.
    pub fn letters(&self, script: Script) -> u32 {
        self.letters[script.index()]
    }

    /// How much text a script holds, in words (letters of unspaced scripts converted).
    pub fn weight(&self, script: Script) -> f64 {
        match script.letters_per_word() {
            0 => f64::from(self.words[script.index()]),
            n => f64::from(self.letters[script.index()]) / f64::from(n),
        }
    }

    /// The non-Latin script holding the most text, with its weight. Kana make Han Japanese,
    /// and Hangul makes Han (Hanja) Korean, so those pairs are counted together.
    pub fn strongest_non_latin(&self) -> Option<(Script, f64)> {
        let han = self.weight(Script::Han);
        let han_joins = self.letters(Script::Kana) > 0 || self.letters(Script::Hangul) > 0;
        ALL[1..]
            .iter()
            .map(|&s| (s, self.weight(s)))
            .filter(|(s, w)| *w > 0.0 && !(han_joins && *s == Script::Han))
            .map(|(s, w)| match s {
                Script::Kana | Script::Hangul => (s, w + han),
                _ => (s, w),
            })
            .max_by(|a, b| a.1.total_cmp(&b.1))
    }
}

/// Whether every letter of `script` in `text` sits inside brackets ("GFRIEND(여자친구) _ Summer
/// Rain(여름비)"), and there is at least one: a gloss of the words before it.
pub fn only_in_brackets(text: &str, script: Script) -> bool {
    let mut depth = 0u32;
    let mut seen = false;
    for c in text.chars() {
        match c {
            '(' | '（' | '[' | '【' => depth += 1,
            ')' | '）' | ']' | '】' => depth = depth.saturating_sub(1),
            _ if Script::of(c) == Some(script) => {
                if depth == 0 {
                    return false;
                }
                seen = true;
            }
            _ => {}
        }
    }
    seen
}

/// The byte range of a Latin name followed by its own spelling in `script` ("Red Velvet" in
/// "Red Velvet 레드벨벳 'Birthday' MV", "U-KNOW" in "[STATION] U-KNOW 유노윤호 'DROP'"): the
/// Latin letters, digits and joiners before the script's first letter with only spaces
/// between, back to the previous bracket, quote or separator. `None` when the script's first
/// letter does not follow a Latin letter that way.
pub fn name_spelled_before(text: &str, script: Script) -> Option<std::ops::Range<usize>> {
    let at = text.find(|c| Script::of(c) == Some(script))?;
    let before = text[..at].trim_end_matches(' ');
    if !before
        .chars()
        .next_back()
        .is_some_and(|c| Script::of(c) == Some(Script::Latin))
    {
        return None;
    }
    let start = before
        .char_indices()
        .rev()
        .find(|&(_, c)| {
            !(c == ' '
                || c.is_ascii_digit()
                || matches!(c, '-' | '.' | '&' | '\'' | '’')
                || Script::of(c) == Some(Script::Latin))
        })
        .map_or(0, |(i, c)| i + c.len_utf8());
    let name = &before[start..];
    let start = start + (name.len() - name.trim_start().len());
    Some(start..before.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_of_letters() {
        assert_eq!(Script::of('é'), Some(Script::Latin));
        assert_eq!(Script::of('ж'), Some(Script::Cyrillic));
        assert_eq!(Script::of('한'), Some(Script::Hangul));
        assert_eq!(Script::of('カ'), Some(Script::Kana));
        assert_eq!(Script::of('漢'), Some(Script::Han));
        assert_eq!(Script::of('ம'), Some(Script::Tamil));
        assert_eq!(Script::of('ి'), None, "a vowel sign belongs to its letter");
        assert_eq!(Script::of('7'), None);
        assert_eq!(Script::of('🔥'), None);
    }

    #[test]
    fn glosses_in_brackets() {
        assert!(only_in_brackets(
            "GFRIEND(여자친구) _ Summer Rain(여름비)",
            Script::Hangul
        ));
        assert!(!only_in_brackets(
            "Red Velvet 레드벨벳 'Birthday' MV",
            Script::Hangul
        ));
        assert!(!only_in_brackets("Summer Rain", Script::Hangul));
    }

    #[test]
    fn a_name_followed_by_its_spelling() {
        let name = |text: &'static str| name_spelled_before(text, Script::Hangul).map(|r| &text[r]);
        assert_eq!(
            name("Red Velvet 레드벨벳 'Birthday' MV"),
            Some("Red Velvet")
        );
        assert_eq!(name("TAEMIN  태민 'MOVE'"), Some("TAEMIN"));
        assert_eq!(name("[STATION] U-KNOW 유노윤호 'DROP' MV"), Some("U-KNOW"));
        // A separator or brackets in between: the other script is a title or a gloss.
        assert_eq!(name("BOBBY - ‘사랑해(I LOVE YOU)’"), None);
        assert_eq!(name("BTS (방탄소년단) 'DNA'"), None);
        assert_eq!(name("레드벨벳 Red Velvet"), None);
        assert_eq!(name("Red Velvet"), None);
    }
}
