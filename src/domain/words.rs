//! Stored words: an enum whose every value has one spelling — in the database, the API, the
//! logs and the pages — written once, where the enum is declared (`words!`). The macro gives the
//! enum its `ALL`, `as_str`, `parse`, `Display` and serde forms from that one table, and the
//! `Word` trait, through which `db` maps it to a text column (`db::words`). The database values
//! are the words: declaring an enum this way changes no stored value.

/// An enum of words, each spelled once.
pub trait Word: Sized + Copy + 'static {
    /// What the word names, for errors: "payment status".
    const WHAT: &'static str;
    fn word(self) -> &'static str;
    fn from_word(word: &str) -> Option<Self>;
}

/// Declares a word enum: `words! { /// doc  pub enum Mode: "mode" { Test = "test", Live = "live" } }`.
/// A variant may take older spellings after `|` (read, never written): `Success = "success" |
/// "3ds"`.
#[macro_export]
macro_rules! words {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident : $what:literal {
            $( $(#[$vmeta:meta])* $variant:ident = $word:literal $(| $alias:literal)* ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        $vis enum $name {
            $( $(#[$vmeta])* $variant ),+
        }

        impl $name {
            pub const ALL: [$name; [$(stringify!($variant)),+].len()] = [$($name::$variant),+];

            /// The word, as stored and shown.
            pub fn as_str(self) -> &'static str {
                match self {
                    $( $name::$variant => $word ),+
                }
            }

            /// The value a word (or an older spelling of it) stands for.
            pub fn parse(word: &str) -> Option<Self> {
                match word {
                    $( $word $(| $alias)* => Some($name::$variant), )+
                    _ => None,
                }
            }
        }

        impl $crate::domain::words::Word for $name {
            const WHAT: &'static str = $what;

            fn word(self) -> &'static str {
                self.as_str()
            }

            fn from_word(word: &str) -> Option<Self> {
                Self::parse(word)
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let word = <::std::borrow::Cow<'de, str> as ::serde::Deserialize>::deserialize(deserializer)?;
                Self::parse(&word).ok_or_else(|| {
                    <D::Error as ::serde::de::Error>::custom(format!("unknown {} {word:?}", $what))
                })
            }
        }
    };
}

/// The domain's words that are also validated input (`code()`, and `parse` with a French error
/// for the merchant): stored the same way.
macro_rules! coded_words {
    ($($name:ty: $what:literal),+ $(,)?) => {
        $(
            impl Word for $name {
                const WHAT: &'static str = $what;

                fn word(self) -> &'static str {
                    self.code()
                }

                fn from_word(word: &str) -> Option<Self> {
                    <$name>::parse(word).ok()
                }
            }
        )+
    };
}

coded_words!(
    super::ProviderCode: "provider",
    super::Country: "country",
    super::Currency: "currency",
    super::CardBrand: "card brand",
);

#[cfg(test)]
mod tests {
    crate::words! {
        /// A test enum.
        enum Colour: "colour" {
            Red = "red",
            Dark = "dark_blue" | "navy",
        }
    }

    #[test]
    fn a_word_is_spelled_once_and_read_back_everywhere() {
        use super::Word;
        assert_eq!(Colour::ALL, [Colour::Red, Colour::Dark]);
        for colour in Colour::ALL {
            assert_eq!(Colour::parse(colour.as_str()), Some(colour));
            assert_eq!(Colour::from_word(colour.word()), Some(colour));
            assert_eq!(colour.to_string(), colour.as_str());
            let json = serde_json::to_string(&colour).unwrap();
            assert_eq!(serde_json::from_str::<Colour>(&json).unwrap(), colour);
        }
        // An older spelling is read, never written; an unknown word is none.
        assert_eq!(Colour::parse("navy"), Some(Colour::Dark));
        assert_eq!(Colour::Dark.as_str(), "dark_blue");
        assert_eq!(Colour::parse("green"), None);
        let err = serde_json::from_str::<Colour>("\"green\"").unwrap_err().to_string();
        assert!(err.contains("unknown colour"), "{err}");
        assert_eq!(Colour::WHAT, "colour");
    }
}
