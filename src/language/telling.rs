//! Pure: letters that only a few Latin-script languages write (ß, ã, õ, ñ, ł, ő, ø...). In a
//! chart whose home language writes them, a word with such a letter is evidence of it:
//! "Österreich" in a German chart, "NÓS VOLTAMOS" in a Brazilian one. Names and loanwords carry
//! such letters too ("Beyoncé", "Ménage à trois" in a Canadian chart), so a letter only ever
//! votes for the region's home language (its first, when not English), and it weighs like one
//! function word.

use std::sync::OnceLock;

use rustc_hash::FxHashMap;

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

/// Words that only a few Latin-script languages write and English does not: the format tags of
/// YouTube titles in those languages ("clip officiel", "Letra Oficial", "Folge"), which the label
/// policy counts as words of their language, and the commonest content words of titles (news,
/// sport, family, time). From general knowledge of the languages, not from the evaluation
/// titles; no word that is also an English word ("tag", "auto", "film") or a common name.
const WORDS: &[(&str, &[&str])] = &[
    // Format tags.
    ("officiel", &["fr"]),
    ("officielle", &["fr"]),
    ("extrait", &["fr"]),
    ("annonce", &["fr"]),
    ("épisode", &["fr"]),
    ("saison", &["fr"]),
    ("vidéo", &["fr"]),
    ("résumé", &["fr"]),
    ("oficial", &["es", "pt"]),
    ("letra", &["es", "pt"]),
    ("capítulo", &["es", "pt"]),
    ("episodio", &["es"]),
    ("tráiler", &["es"]),
    ("avance", &["es"]),
    ("resumen", &["es"]),
    ("canción", &["es"]),
    ("temporada", &["es", "pt"]),
    ("parte", &["es", "pt", "it"]),
    ("clipe", &["pt"]),
    ("episódio", &["pt"]),
    ("legendado", &["pt"]),
    ("offiziell", &["de"]),
    ("offizielles", &["de"]),
    ("offizielle", &["de"]),
    ("musikvideo", &["de"]),
    ("folge", &["de"]),
    ("staffel", &["de"]),
    // Content words.
    ("aujourd'hui", &["fr"]),
    ("enfants", &["fr"]),
    ("femme", &["fr"]),
    ("gens", &["fr"]),
    ("histoire", &["fr"]),
    ("jour", &["fr"]),
    ("meilleur", &["fr"]),
    ("meilleure", &["fr"]),
    ("monde", &["fr"]),
    ("nouveau", &["fr"]),
    ("nouvelle", &["fr"]),
    ("nuit", &["fr"]),
    ("pourquoi", &["fr"]),
    ("quand", &["fr"]),
    ("vrai", &["fr"]),
    ("años", &["es"]),
    ("bueno", &["es"]),
    ("buena", &["es"]),
    ("goles", &["es"]),
    ("hermano", &["es"]),
    ("hermana", &["es"]),
    ("hombre", &["es"]),
    ("mala", &["es"]),
    ("malo", &["es"]),
    ("mejor", &["es"]),
    ("mujer", &["es"]),
    ("niño", &["es"]),
    ("niños", &["es"]),
    ("noche", &["es"]),
    ("novia", &["es"]),
    ("novio", &["es"]),
    ("nueva", &["es"]),
    ("nuevo", &["es"]),
    ("partido", &["es"]),
    ("quiere", &["es"]),
    ("significado", &["es"]),
    ("verdad", &["es"]),
    ("vez", &["es"]),
    ("agora", &["pt"]),
    ("anos", &["pt"]),
    ("aqui", &["pt"]),
    ("coisa", &["pt"]),
    ("coisas", &["pt"]),
    ("dicas", &["pt"]),
    ("gols", &["pt"]),
    ("hoje", &["pt"]),
    ("homem", &["pt"]),
    ("jogo", &["pt"]),
    ("melhor", &["pt"]),
    ("melhores", &["pt"]),
    ("menina", &["pt"]),
    ("menino", &["pt"]),
    ("mulher", &["pt"]),
    ("noite", &["pt"]),
    ("nova", &["pt"]),
    ("novo", &["pt"]),
    ("rodada", &["pt"]),
    ("beste", &["de"]),
    ("besten", &["de"]),
    ("deutsch", &["de"]),
    ("endlich", &["de"]),
    ("erste", &["de"]),
    ("ersten", &["de"]),
    ("frau", &["de"]),
    ("geld", &["de"]),
    ("heute", &["de"]),
    ("jahr", &["de"]),
    ("jahre", &["de"]),
    ("leben", &["de"]),
    ("liebe", &["de"]),
    ("nacht", &["de"]),
    ("nachrichten", &["de"]),
    ("neue", &["de"]),
    ("neuer", &["de"]),
    ("neues", &["de"]),
    ("schule", &["de"]),
    ("spiel", &["de"]),
    ("uhr", &["de"]),
    ("warum", &["de"]),
    ("welt", &["de"]),
    ("woche", &["de"]),
    ("zeit", &["de"]),
    ("allein", &["de"]),
    ("familie", &["de", "nl"]),
    ("gestern", &["de"]),
    ("immer", &["de"]),
    ("unterwegs", &["de"]),
    ("vielleicht", &["de"]),
    ("wirklich", &["de"]),
    ("zuhause", &["de"]),
    ("zusammen", &["de"]),
];

/// [`WORDS`] as a map.
fn words() -> &'static FxHashMap<&'static str, &'static [&'static str]> {
    static MAP: OnceLock<FxHashMap<&'static str, &'static [&'static str]>> = OnceLock::new();
    MAP.get_or_init(|| WORDS.iter().copied().collect())
}

/// The languages of a telling word (lower case; the typographic apostrophe as the ASCII one).
pub fn languages_of_word(lower: &str) -> Option<&'static [&'static str]> {
    words().get(lower).copied()
}

/// The languages that write `c`, when it is a telling letter.
fn languages_of(c: char) -> Option<&'static [&'static str]> {
    if c.is_ascii() {
        return None;
    }
    LETTERS
        .iter()
        .find_map(|(letter, langs)| (*letter == c).then_some(*langs))
}

/// Whether a lower-case word holds telling letters that are all written by the region's home
/// language (the first of `prior`, when it is not English): "recomeço" in a Brazilian chart.
pub fn home_letters(lower: &str, prior: &[&str]) -> bool {
    let Some(home) = prior.first().filter(|l| **l != "en") else {
        return false;
    };
    if lower.is_ascii() {
        return false;
    }
    let mut telling = lower.chars().filter_map(languages_of).peekable();
    telling.peek().is_some() && telling.all(|set| set.contains(home))
}

/// Adds to `votes` one vote for each language of each telling word of `lower` (lower-case
/// words), in any region: like a function word, one such vote decides only for a language the
/// region expects. Then one vote per other word whose telling letters are all written by the
/// region's home language: the first of `prior`, when it is not English.
pub fn vote(lower: &str, prior: &[&str], votes: &mut Votes) {
    let map = words();
    for word in lower.split(' ') {
        if let Some(langs) = map.get(word) {
            for lang in *langs {
                votes.add(lang, 1);
            }
        }
    }
    let Some(home) = prior.first().filter(|l| **l != "en") else {
        return;
    };
    if lower.is_ascii() {
        return;
    }
    for word in lower
        .split(' ')
        .filter(|w| !w.is_ascii() && !map.contains_key(w))
    {
        if home_letters(word, prior) {
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
    fn telling_words_vote_anywhere_and_count_once() {
        let v = votes("Tibo InShape officiel", &["en", "fr"]);
        assert_eq!(v.of_lang("fr"), 1);
        let v = votes("JD Pantoja Letra Oficial Significado", &["es", "en"]);
        assert_eq!((v.of_lang("es"), v.of_lang("pt")), (3, 2));
        // "résumé" is a telling word: its letters do not vote again.
        assert_eq!(votes("Résumé", &["fr", "en"]).of_lang("fr"), 1);
        assert_eq!(votes("Garlic Knot Chicken", &["de", "en"]).max(), 0);
    }

    #[test]
    fn word_table_is_lower_case_unique_and_not_english() {
        for (i, (w, langs)) in WORDS.iter().enumerate() {
            assert!(w.to_lowercase() == *w && !langs.is_empty(), "{w}");
            assert!(WORDS[..i].iter().all(|(v, _)| v != w), "{w} twice");
            assert!(
                !super::super::english::is_common(w)
                    && !super::super::function_words::is_english(w),
                "{w} is English"
            );
        }
    }

    #[test]
    fn letter_table_is_lower_case_and_unique() {
        for (i, (c, langs)) in LETTERS.iter().enumerate() {
            assert!(c.is_lowercase() && !langs.is_empty(), "{c}");
            assert!(LETTERS[..i].iter().all(|(d, _)| d != c), "{c} twice");
        }
    }
}
