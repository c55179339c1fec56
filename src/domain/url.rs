//! URLs a merchant gives Dalal (return, cancel, callback): absolute http or https only.

use super::InvalidInput;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpUrl(url::Url);

impl HttpUrl {
    pub fn parse(field: &str, raw: &str) -> Result<Self, InvalidInput> {
        let invalid = || {
            InvalidInput::new(format!(
                "Le champ « {field} » doit être une URL absolue en http ou https (ex. https://votresite.com/paiement/succes)"
            ))
        };
        if raw.len() > 2048 {
            return Err(InvalidInput::new(format!(
                "Le champ « {field} » ne doit pas dépasser 2048 caractères"
            )));
        }
        let url = url::Url::parse(raw.trim()).map_err(|_| invalid())?;
        if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none_or(str::is_empty) {
            return Err(invalid());
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(InvalidInput::new(format!(
                "Le champ « {field} » ne doit pas contenir d'identifiants"
            )));
        }
        Ok(Self(url))
    }

    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }

    pub fn inner(&self) -> &url::Url {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_absolute_http_urls_are_accepted() {
        assert!(HttpUrl::parse("returnUrl", "https://votresite.com/paiement/succes").is_ok());
        assert!(HttpUrl::parse("returnUrl", "http://localhost:8080/ok?x=1").is_ok());
        for bad in [
            "javascript:alert(1)",
            "ftp://x.com",
            "/relative",
            "https://",
            "data:text/html,hi",
            "https://u:p@x.com",
            "",
        ] {
            let err = HttpUrl::parse("returnUrl", bad).unwrap_err();
            assert!(err.fr().contains("returnUrl"), "{bad}: {err}");
        }
    }
}
