//! Pure: letters that only a few Latin-script languages write (ß, ã, õ, ñ, ł, ő, ø...). In a
//! chart whose home language writes them, a word with such a letter is evidence of it:
//! "Österreich" in a German chart, "NÓS VOLTAMOS" in a Brazilian one. Names and loanwords carry
//! such letters too ("Beyoncé", "Ménage à trois" in a Canadian chart), so a letter only ever
//! votes for the region's home language (its first, when not English), and it weighs like one
//! function word.

use super::function_words::Votes;

/// Lower-case letters and the Latin-script languages (ISO 639-1) that write them. Letters most
/// Latin languages share (é, á) are listed with all of them, so that they only decide between a
/// region's languages when one of those does not write them.
const LETTERS: &[(char, &[&str])] = &[
    ('ß', &["de"]),
    ('ä', &["de", "sv", "fi", "et", "sk"]),
    ('ö', &["de", "sv", "fi", "et", "tr", "hu"]),
    ('ü', &["de", "tr", "hu", "et"]),
    ('ã', &["pt", "vi"]),
    ('õ', &["pt", "et", "vi"]),
    ('ç', &["pt", "fr", "ca", "tr"]),
    ('ñ', &["es"]),
    ('á', &["es", "pt", "cs", "sk", "hu", "vi"]),
    ('é', &["es", "fr", "pt", "it", "ca", "cs", "sk", "hu", "vi"]),
    ('í', &["es", "pt", "it", "ca", "cs", "sk", "hu", "vi"]),
    ('ó', &["es", "pt", "it", "ca", "pl", "cs", "sk", "hu", "vi"]),
    ('ú', &["es", "pt", "it", "ca", "cs", "sk", "hu", "vi"]),
    ('â', &["pt", "fr", "ro", "tr", "vi"]),
    ('ê', &["pt", "fr", "vi"]),
    ('ô', &["pt", "fr", "sk", "vi"]),
    ('à', &["pt", "fr", "it", "ca", "vi"]),
    ('è', &["fr", "it", "ca", "vi"]),
    ('ì', &["it", "vi"]),
    ('ò', &["it", "ca", "vi"]),
    ('ù', &["fr", "it", "vi"]),
    ('û', &["fr"]),
    ('î', &["fr", "ro"]),
    ('ï', &["fr", "ca", "nl"]),
    ('ë', &["fr", "nl"]),
    ('œ', &["fr"]),
    ('æ', &["da", "nb"]),
    ('ø', &["da", "nb"]),
    ('å', &["sv", "da", "nb", "fi"]),
    ('ł', &["pl"]),
    ('ą', &["pl", "lt"]),
    ('ę', &["pl", "lt"]),
    ('ś', &["pl"]),
    ('ź', &["pl"]),
    ('ż', &["pl"]),
    ('ń', &["pl"]),
    ('ć', &["pl", "hr"]),
    ('ő', &["hu"]),
    ('ű', &["hu"]),
    ('ı', &["tr"]),
    ('ğ', &["tr"]),
    ('ş', &["tr", "ro"]),
    ('ș', &["ro"]),
    ('ț', &["ro"]),
    ('ă', &["ro", "vi"]),
    ('č', &["cs", "sk", "hr", "sl", "lt", "lv"]),
    ('š', &["cs", "sk", "hr", "sl", "lt", "lv", "et", "fi"]),
    ('ž', &["cs", "sk", "hr", "sl", "lt", "lv", "et", "fi"]),
    ('ř', &["cs"]),
    ('ů', &["cs"]),
    ('ě', &["cs"]),
    ('ľ', &["sk"]),
    ('ĺ', &["sk"]),
    ('ŕ', &["sk"]),
    ('đ', &["hr", "vi"]),
    ('ā', &["lv"]),
    ('ē', &["lv"]),
    ('ī', &["lv"]),
    ('ū', &["lv", "lt"]),
    ('ė', &["lt"]),
    ('į', &["lt"]),
    ('ų', &["lt"]),
    ('ơ', &["vi"]),
    ('ư', &["vi"]),
];

/// The languages that write `c`, when it is a telling letter.
fn languages_of(c: char) -> Option<&'static [&'static str]> {
    if c.is_ascii() {
        return None;
    }
    LETTERS
        .iter()
        .find_map(|(letter, langs)| (*letter == c).then_some(*langs))
}

/// Adds to `votes` one vote per word of `lower` (lower-case words) whose telling letters are all
/// written by the region's home language: the first of `prior`, when it is not English.
pub fn vote(lower: &str, prior: &[&str], votes: &mut Votes) {
    let Some(home) = prior.first().filter(|l| **l != "en") else {
        return;
    };
    if lower.is_ascii() {
        return;
    }
    for word in lower.split(' ').filter(|w| !w.is_ascii()) {
        let mut telling = word.chars().filter_map(languages_of).peekable();
        if telling.peek().is_none() {
            continue;
        }
        if telling.all(|set| set.contains(home)) {
            votes.add(home, 1);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn votes(text: &str, prior: &[&str]) -> Votes {
        let mut votes = Votes::of_lower("");
        vote(&text.to_lowercase(), prior, &mut votes);
        votes
    }

    #[test]
    fn letters_vote_for_the_regions_languages_only() {
        let v = votes("Camper Tour ROADTRIP durch Österreich", &["de", "en", "tr"]);
        assert_eq!((v.of_lang("de"), v.of_lang("tr")), (1, 0));
        assert_eq!(votes("NÓS VOLTAMOS", &["pt", "en"]).of_lang("pt"), 1);
        assert_eq!(votes("Beyoncé Formation", &["en"]).max(), 0, "English home");
        assert_eq!(
            votes("Ménage À Terrible", &["en", "fr"]).max(),
            0,
            "English home"
        );
        assert_eq!(
            votes("Straße", &["nl", "fr", "de", "en"]).max(),
            0,
            "ß is not Dutch"
        );
        assert_eq!(votes("Garçon", &["fr", "en"]).of_lang("fr"), 1);
    }

    #[test]
    fn letter_table_is_lower_case_and_unique() {
        for (i, (c, langs)) in LETTERS.iter().enumerate() {
            assert!(c.is_lowercase() && !langs.is_empty(), "{c}");
            assert!(LETTERS[..i].iter().all(|(d, _)| d != c), "{c} twice");
        }
    }
}
