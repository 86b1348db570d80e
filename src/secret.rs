//! Secrets (the API key, a database URL's password) and their redaction.
//!
//! The key lives in [`ApiKey`], whose `Debug` and `Display` never show it; the only way out is
//! [`ApiKey::expose`], used when building a request. Everything printed or stored that could carry
//! a URL (reqwest and sqlx errors do) goes through a [`Redactor`] as a second line of defence.

use std::fmt;

/// The YouTube API key. Printing it shows `[redacted]`.
#[derive(Clone)]
pub struct ApiKey(String);

impl ApiKey {
    /// Wraps a key; `None` when it is empty after trimming.
    pub fn new(raw: &str) -> Option<Self> {
        let key = raw.trim();
        (!key.is_empty()).then(|| ApiKey(key.to_owned()))
    }

    /// The key itself, for the request's query string and nothing else.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiKey([redacted])")
    }
}

impl fmt::Display for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

/// A database URL. `Display` and `Debug` show it with the password replaced.
#[derive(Clone, PartialEq, Eq)]
pub struct DatabaseUrl(String);

impl DatabaseUrl {
    /// Wraps a URL as given.
    pub fn new(url: impl Into<String>) -> Self {
        DatabaseUrl(url.into())
    }

    /// The URL itself, for the connection and nothing else.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The password, if the URL has one (to teach the [`Redactor`]).
    pub fn password(&self) -> Option<&str> {
        let (start, end) = password_span(&self.0)?;
        Some(&self.0[start..end])
    }

    /// The URL with its password replaced by `***`: safe to print.
    pub fn redacted(&self) -> String {
        match password_span(&self.0) {
            Some((start, end)) => format!("{}***{}", &self.0[..start], &self.0[end..]),
            None => self.0.clone(),
        }
    }
}

/// Byte range of the password in `scheme://user:password@host/...`.
fn password_span(url: &str) -> Option<(usize, usize)> {
    let authority_start = url.find("://")? + 3;
    let rest = &url[authority_start..];
    let authority_len = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..authority_len];
    let at = authority.rfind('@')?;
    let colon = authority[..at].find(':')?;
    Some((authority_start + colon + 1, authority_start + at))
}

impl fmt::Display for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.redacted())
    }
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DatabaseUrl({})", self.redacted())
    }
}

/// Replaces every known secret in a text by `[redacted]`.
#[derive(Clone, Default)]
pub struct Redactor {
    secrets: Vec<String>,
}

impl Redactor {
    /// A redactor for these secrets (empty ones are ignored).
    pub fn new<'a>(secrets: impl IntoIterator<Item = &'a str>) -> Self {
        let mut secrets: Vec<String> = secrets
            .into_iter()
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect();
        // Longest first, so that a secret containing another is replaced whole.
        secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
        Redactor { secrets }
    }

    /// The text with every secret, and any `key=` query value, replaced.
    pub fn redact(&self, text: &str) -> String {
        let mut out = redact_key_params(text);
        for secret in &self.secrets {
            if out.contains(secret.as_str()) {
                out = out.replace(secret.as_str(), "[redacted]");
            }
        }
        out
    }
}

impl fmt::Debug for Redactor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Redactor({} secrets)", self.secrets.len())
    }
}

/// Replaces the value of every `key=` URL parameter, whatever the key is.
fn redact_key_params(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(pos) = rest.find("key=") {
        let starts_param = pos == 0 || matches!(rest.as_bytes()[pos - 1], b'?' | b'&');
        out.push_str(&rest[..pos + 4]);
        rest = &rest[pos + 4..];
        if starts_param {
            let end = rest
                .find(|c: char| {
                    c == '&' || c == '#' || c == ' ' || c == ')' || c == '"' || c.is_whitespace()
                })
                .unwrap_or(rest.len());
            out.push_str("[redacted]");
            rest = &rest[end..];
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_key_never_prints() {
        let key = ApiKey::new(" AIzaSecret123 \n").unwrap();
        assert_eq!(key.expose(), "AIzaSecret123");
        assert!(!format!("{key} {key:?}").contains("AIzaSecret123"));
        assert!(ApiKey::new("  \n").is_none());
    }

    #[test]
    fn database_url_password_is_hidden() {
        let url =
            DatabaseUrl::new("postgres://ingest:s3cr3t@db.example:5432/trends?sslmode=require");
        assert_eq!(url.password(), Some("s3cr3t"));
        assert_eq!(
            url.to_string(),
            "postgres://ingest:***@db.example:5432/trends?sslmode=require"
        );
        assert!(!format!("{url:?}").contains("s3cr3t"));
        let plain = DatabaseUrl::new("postgres://postgres@127.0.0.1/test");
        assert_eq!(plain.password(), None);
        assert_eq!(plain.to_string(), "postgres://postgres@127.0.0.1/test");
    }

    #[test]
    fn redactor_removes_secrets_and_key_params() {
        let r = Redactor::new(["AIzaSecret123", ""]);
        let msg = "error sending request for url (http://h/videos?part=x&key=AIzaSecret123&pageToken=CAUQAA)";
        let out = r.redact(msg);
        assert!(!out.contains("AIzaSecret123"), "{out}");
        assert!(out.contains("key=[redacted]&pageToken=CAUQAA"), "{out}");
        // An unknown key in a URL is still hidden; prose with "key=" inside a word is left alone.
        let out = Redactor::default().redact("GET /v?key=other monkey=1");
        assert_eq!(out, "GET /v?key=[redacted] monkey=1");
    }
}
