//! Pure: function words (articles, prepositions, pronouns, auxiliaries) of the Latin-script
//! languages trendtap meets. On a ten-word title they say more than letter trigrams do: whatlang
//! alone calls "How To Train Your Dragon" French; "how", "to", "your" are English.
//!
//! The lists hold each language's commonest grammar words, from general knowledge of the
//! language, not from the evaluation titles. Words two languages share count for both; the
//! words that tell confusable pairs apart are here (es "el/y/una" against pt "o/e/uma"; sv "och,
//! inte, jag" against da/nb "og, ikke, jeg"; da "af, hvad, mig" against nb "av, hva, meg"; cs
//! "jsem, se, proč" against sk "som, sa, prečo"; nl "het, een, niet" against de "der, ein,
//! nicht").

use std::sync::OnceLock;

use rustc_hash::FxHashMap;

/// Function words per language (ISO 639-1), lower case.
const LISTS: &[(&str, &[&str])] = &[
    (
        "en",
        &[
            "a", "about", "after", "all", "an", "and", "are", "as", "at", "be", "been", "before",
            "but", "by", "can", "could", "did", "do", "does", "don't", "for", "from", "get",
            "gets", "got", "has", "have", "he", "her", "here", "his", "how", "i", "i'm", "if",
            "in", "into", "is", "it", "it's", "its", "just", "me", "my", "not", "of", "off", "on",
            "or", "our", "out", "over", "she", "should", "so", "than", "that", "the", "their",
            "them", "then", "there", "these", "they", "this", "those", "to", "too", "up", "us",
            "was", "we", "were", "what", "what's", "when", "where", "which", "who", "why", "will",
            "with", "would", "you", "you're", "your",
        ],
    ),
    (
        "es",
        &[
            "a", "al", "algo", "así", "como", "con", "contra", "cuando", "cuál", "cómo", "de",
            "del", "desde", "donde", "el", "ella", "en", "entre", "era", "es", "esta", "este",
            "esto", "está", "estoy", "fue", "hay", "hoy", "la", "las", "le", "les", "lo", "los",
            "me", "mi", "mis", "muy", "más", "no", "nos", "nuestro", "o", "para", "pero", "por",
            "porque", "que", "quién", "qué", "se", "si", "sin", "sobre", "son", "su", "sus",
            "también", "te", "tengo", "todo", "todos", "tras", "tu", "tus", "un", "una", "y", "ya",
        ],
    ),
    (
        "fr",
        &[
            "au", "aux", "avec", "c'", "ce", "ces", "cette", "chez", "d'", "dans", "de", "des",
            "du", "elle", "en", "est", "et", "il", "ils", "j'", "je", "l'", "la", "le", "les",
            "leur", "ma", "mais", "mes", "mon", "n'", "ne", "nous", "on", "ou", "où", "par", "pas",
            "pour", "qu'", "que", "qui", "quoi", "sa", "se", "ses", "si", "son", "sont", "sur",
            "ta", "te", "ton", "tout", "toute", "tu", "un", "une", "vos", "vous", "votre", "à",
            "ça", "être", "très",
        ],
    ),
    (
        "pt",
        &[
            "a", "ao", "aos", "as", "até", "com", "como", "da", "das", "de", "depois", "do", "dos",
            "e", "ela", "ele", "eles", "em", "essa", "esse", "esta", "estou", "este", "eu", "foi",
            "fui", "isso", "já", "mais", "mas", "me", "meu", "meus", "minha", "minhas", "muito",
            "na", "nas", "no", "nos", "nossa", "nosso", "não", "nós", "o", "os", "ou", "para",
            "pela", "pelo", "por", "pra", "quando", "que", "quem", "se", "sem", "seu", "sobre",
            "sua", "são", "também", "tem", "todo", "todos", "tudo", "um", "uma", "vai", "você",
            "vocês", "é",
        ],
    ),
    (
        "de",
        &[
            "alle", "alles", "als", "am", "an", "auch", "auf", "aus", "bei", "bin", "bis", "dann",
            "das", "dass", "dem", "den", "der", "des", "dich", "die", "dir", "doch", "du", "durch",
            "ein", "eine", "einem", "einen", "einer", "er", "es", "für", "gegen", "gibt", "hab",
            "habe", "haben", "hat", "ich", "ihr", "im", "in", "ins", "ist", "jetzt", "kann",
            "kein", "keine", "mal", "mehr", "mein", "meine", "meinem", "meinen", "meiner", "mich",
            "mir", "mit", "nach", "nicht", "nichts", "noch", "nur", "oder", "ohne", "schon",
            "sehr", "sein", "seine", "seinen", "sich", "sie", "sind", "um", "und", "unser",
            "unsere", "uns", "unter", "viel", "vom", "von", "vor", "war", "was", "weil", "wenn",
            "wer", "wie", "wieder", "wir", "wird", "wo", "zu", "zum", "zur", "zwischen", "über",
        ],
    ),
    (
        "it",
        &[
            "a", "al", "alla", "anche", "che", "chi", "come", "con", "da", "dal", "del", "dell'",
            "della", "di", "e", "gli", "ha", "il", "in", "l'", "la", "le", "lo", "ma", "mi", "nel",
            "nella", "non", "per", "più", "questo", "se", "si", "sono", "su", "sul", "suo", "tra",
            "un", "un'", "una", "uno", "è",
        ],
    ),
    (
        "nl",
        &[
            "aan", "als", "bij", "dan", "dat", "de", "die", "dit", "door", "een", "en", "er",
            "het", "hij", "ik", "in", "is", "je", "jij", "maar", "met", "mijn", "naar", "niet",
            "nog", "of", "om", "ook", "op", "over", "te", "tot", "uit", "van", "voor", "was",
            "wat", "we", "wij", "wordt", "ze", "zijn",
        ],
    ),
    (
        "sv",
        &[
            "alla", "att", "av", "de", "den", "det", "du", "efter", "en", "ett", "från", "för",
            "har", "hur", "i", "inte", "jag", "kan", "man", "med", "men", "mig", "min", "nu",
            "när", "och", "om", "som", "så", "till", "var", "vad", "vi", "är", "på",
        ],
    ),
    (
        "da",
        &[
            "af", "alle", "at", "de", "den", "der", "det", "du", "efter", "en", "er", "et", "for",
            "fra", "har", "hvad", "hvor", "hvordan", "i", "ikke", "jeg", "kan", "med", "men",
            "mig", "min", "nu", "når", "og", "om", "på", "sig", "som", "så", "til", "var", "vi",
        ],
    ),
    (
        "nb",
        &[
            "alle", "at", "av", "de", "den", "der", "det", "du", "eller", "en", "er", "et",
            "etter", "for", "fra", "har", "hva", "hvor", "hvordan", "i", "ikke", "jeg", "kan",
            "med", "meg", "men", "min", "nå", "når", "og", "om", "på", "seg", "som", "så", "til",
            "var", "vi",
        ],
    ),
    (
        "pl",
        &[
            "a", "bo", "by", "co", "czy", "dla", "do", "i", "ich", "jak", "jego", "jej", "jest",
            "już", "kto", "na", "nie", "o", "od", "oraz", "po", "przez", "się", "są", "tak", "to",
            "tylko", "w", "we", "z", "za", "ze", "że",
        ],
    ),
    (
        "cs",
        &[
            "a", "aby", "ale", "být", "co", "do", "i", "jak", "je", "jeho", "její", "jsem", "jsou",
            "k", "kde", "když", "na", "ne", "nebo", "o", "od", "po", "pro", "proč", "s", "se",
            "si", "tak", "také", "to", "v", "ve", "za", "že",
        ],
    ),
    (
        "sk",
        &[
            "a", "aby", "aj", "ako", "ale", "byť", "by", "do", "i", "je", "jeho", "jej", "k",
            "keď", "kde", "na", "nie", "o", "od", "po", "pre", "prečo", "s", "sa", "si", "som",
            "tak", "to", "v", "vo", "za", "čo", "že",
        ],
    ),
    (
        "ro",
        &[
            "a", "al", "ale", "ca", "care", "ce", "cu", "cum", "de", "din", "după", "este", "fi",
            "la", "mai", "nu", "o", "pe", "pentru", "se", "sunt", "să", "un", "una", "în", "și",
        ],
    ),
    (
        "tr",
        &[
            "ama", "bir", "bu", "da", "daha", "de", "gibi", "için", "ile", "kadar", "mi", "mı",
            "nasıl", "ne", "neden", "olan", "sonra", "var", "ve", "yok", "çok",
        ],
    ),
    (
        "id",
        &[
            "ada", "akan", "aku", "apa", "bisa", "dan", "dari", "dengan", "di", "ini", "itu",
            "jadi", "juga", "karena", "ke", "kita", "lagi", "mereka", "pada", "saya", "sudah",
            "tidak", "untuk", "yang",
        ],
    ),
    (
        "tl",
        &[
            "ako", "ang", "at", "ay", "din", "hindi", "ikaw", "ito", "kami", "kay", "ko", "lang",
            "mga", "mo", "na", "naman", "nang", "ng", "ni", "para", "po", "rin", "sa", "si",
            "sila", "siya", "yung",
        ],
    ),
    (
        "vi",
        &[
            "các", "có", "cho", "của", "khi", "không", "là", "một", "người", "những", "này", "sẽ",
            "thì", "trong", "và", "với", "đã", "được",
        ],
    ),
    (
        "hr",
        &[
            "ali", "biti", "bio", "da", "i", "ili", "je", "kad", "kako", "koji", "na", "ne", "od",
            "ovo", "sa", "se", "su", "to", "u", "za", "što",
        ],
    ),
    (
        "sl",
        &[
            "bo", "da", "in", "je", "ki", "na", "ne", "pa", "se", "so", "v", "z", "za",
        ],
    ),
    (
        "ca",
        &[
            "al", "als", "amb", "com", "de", "del", "el", "els", "en", "és", "i", "la", "les",
            "més", "no", "per", "però", "que", "un", "una",
        ],
    ),
    (
        "fi",
        &[
            "ei", "että", "he", "hän", "ja", "kuinka", "kun", "me", "miksi", "minä", "mitä",
            "mutta", "oli", "on", "ovat", "se", "sinä", "tai", "te", "tämä",
        ],
    ),
    (
        "hu",
        &[
            "a", "az", "azt", "csak", "de", "egy", "ez", "hogy", "is", "ki", "meg", "mi", "mint",
            "már", "nem", "van", "volt", "és",
        ],
    ),
    (
        "af",
        &[
            "die", "ek", "en", "het", "in", "is", "jy", "met", "nie", "ons", "op", "sy", "te",
            "van", "vir", "wat",
        ],
    ),
    (
        "et",
        &[
            "aga", "ei", "et", "ja", "ka", "kui", "mis", "oli", "on", "see",
        ],
    ),
    (
        "lt",
        &[
            "bet", "iš", "ir", "kad", "kaip", "ne", "su", "tai", "yra", "į",
        ],
    ),
    (
        "lv",
        &[
            "ar", "bet", "ir", "ka", "kā", "nav", "no", "par", "un", "uz",
        ],
    ),
];

/// Word → indices into [`LISTS`] of the languages that use it.
fn index() -> &'static FxHashMap<&'static str, Vec<u8>> {
    static INDEX: OnceLock<FxHashMap<&'static str, Vec<u8>>> = OnceLock::new();
    INDEX.get_or_init(|| {
        let mut index: FxHashMap<&'static str, Vec<u8>> = FxHashMap::default();
        for (i, (_, words)) in LISTS.iter().enumerate() {
            for word in *words {
                index.entry(word).or_default().push(i as u8);
            }
        }
        index
    })
}

/// Whether a lower-case word is an English function word.
pub fn is_english(lower: &str) -> bool {
    // English is the first list.
    index().get(lower).is_some_and(|langs| langs.contains(&0))
}

/// How many function words of each language a text holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Votes {
    counts: [u8; LISTS.len()],
}

impl Votes {
    /// Counts the function words of `words` (space-separated). "l'aide" counts its "l'".
    pub fn of(words: &str) -> Votes {
        Votes::of_lower(&words.to_lowercase())
    }

    /// [`Votes::of`] on words already in lower case.
    pub fn of_lower(words: &str) -> Votes {
        let index = index();
        let mut counts = [0u8; LISTS.len()];
        for word in words.split(' ') {
            // The typographic apostrophe counts as the ASCII one.
            let apostrophe;
            let word = if word.contains('’') {
                apostrophe = word.replace('’', "'");
                apostrophe.as_str()
            } else {
                word
            };
            let hit = index.get(word).or_else(|| {
                let elided = word.find('\'').map(|i| &word[..=i])?;
                index.get(elided)
            });
            for &i in hit.into_iter().flatten() {
                counts[usize::from(i)] = counts[usize::from(i)].saturating_add(1);
            }
        }
        Votes { counts }
    }

    /// Adds `n` votes for language `code` (nothing when it has no list).
    pub fn add(&mut self, code: &str, n: u8) {
        if let Some(i) = LISTS.iter().position(|(c, _)| *c == code) {
            self.counts[i] = self.counts[i].saturating_add(n);
        }
    }

    /// The function words of language `code` in the text.
    pub fn of_lang(&self, code: &str) -> u8 {
        LISTS
            .iter()
            .position(|(c, _)| *c == code)
            .map_or(0, |i| self.counts[i])
    }

    /// The language with the most function words and its count, when it has at least one. A
    /// tie at the top goes to the first of the tied languages that `prefer` accepts, and is
    /// `None` when it accepts none of them.
    pub fn leader(&self, prefer: impl Fn(&str) -> bool) -> Option<(&'static str, u8)> {
        let max = self.max();
        if max == 0 {
            return None;
        }
        let mut top = LISTS
            .iter()
            .zip(self.counts)
            .filter(|(_, n)| *n == max)
            .map(|((code, _), _)| *code);
        let first = top.next()?;
        let mut rest = top.peekable();
        if rest.peek().is_none() {
            return Some((first, max));
        }
        std::iter::once(first)
            .chain(rest)
            .find(|code| prefer(code))
            .map(|code| (code, max))
    }

    /// The largest count of any language.
    pub fn max(&self) -> u8 {
        self.counts.iter().copied().max().unwrap_or(0)
    }

    /// The largest count of a language other than `code`.
    pub fn runner_up(&self, code: &str) -> u8 {
        LISTS
            .iter()
            .zip(self.counts)
            .filter(|((c, _), _)| *c != code)
            .map(|(_, n)| n)
            .max()
            .unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_are_lower_case_and_languages_unique() {
        assert_eq!(LISTS[0].0, "en", "is_english looks at the first list");
        assert!(is_english("the") && !is_english("el"));
        for (code, words) in LISTS {
            assert!(words.iter().all(|w| w.to_lowercase() == *w), "{code}");
            assert_eq!(LISTS.iter().filter(|(c, _)| c == code).count(), 1);
        }
    }

    #[test]
    fn function_words_point_at_a_language() {
        let votes = Votes::of("How To Train Your Dragon");
        assert_eq!(votes.leader(|_| false), Some(("en", 3)));
        assert_eq!(
            Votes::of("Si vous voyez ceci en forêt courez vite et demandez de l'aide")
                .leader(|_| false),
            Some(("fr", 6))
        );
        assert_eq!(
            Votes::of("Entrevista en EXCLUSIVA con Cristiano Ronaldo tras la VICTORIA")
                .leader(|_| false),
            Some(("es", 4))
        );
        assert_eq!(
            Votes::of("Hva skjer med meg nå og etter").leader(|_| false),
            Some(("nb", 6))
        );
        assert_eq!(
            Votes::of("Köpte en bil och den är inte ny").leader(|_| false),
            Some(("sv", 5))
        );
        assert_eq!(
            Votes::of("Garlic Knot Chicken Alfredo Ring").leader(|_| false),
            None
        );
        assert_eq!(Votes::of("de la").leader(|_| false), None, "es, fr, ca tie");
        assert_eq!(
            Votes::of("de la").leader(|c| c == "fr"),
            Some(("fr", 2)),
            "a tie goes to the preferred language"
        );
    }

    #[test]
    fn counts_and_runner_up() {
        let votes = Votes::of("the dog and la casa");
        assert_eq!(votes.of_lang("en"), 2);
        assert_eq!(votes.of_lang("es"), 1);
        assert_eq!(votes.runner_up("en"), 1);
    }
}
