//! Every stored word (`domain::words::Word`) is a text column holding its word, on SQLite and on
//! PostgreSQL alike: rows hold the enums, and a word the code does not know is a decoding error
//! that names it.

/// Implements sqlx's text mapping for word types (the orphan rule wants one impl per type);
/// the sandbox's words use it too.
macro_rules! text_column {
    ($($name:ty),+ $(,)?) => {
        $(
            impl<DB: ::sqlx::Database> ::sqlx::Type<DB> for $name
            where
                str: ::sqlx::Type<DB>,
            {
                fn type_info() -> DB::TypeInfo {
                    <str as ::sqlx::Type<DB>>::type_info()
                }

                fn compatible(ty: &DB::TypeInfo) -> bool {
                    <str as ::sqlx::Type<DB>>::compatible(ty)
                }
            }

            impl<'q, DB: ::sqlx::Database> ::sqlx::Encode<'q, DB> for $name
            where
                &'q str: ::sqlx::Encode<'q, DB>,
            {
                fn encode_by_ref(
                    &self,
                    buf: &mut <DB as ::sqlx::Database>::ArgumentBuffer<'q>,
                ) -> Result<::sqlx::encode::IsNull, ::sqlx::error::BoxDynError> {
                    let word = <$name as $crate::domain::words::Word>::word(*self);
                    <&'q str as ::sqlx::Encode<'q, DB>>::encode(word, buf)
                }
            }

            impl<'r, DB: ::sqlx::Database> ::sqlx::Decode<'r, DB> for $name
            where
                &'r str: ::sqlx::Decode<'r, DB>,
            {
                fn decode(
                    value: <DB as ::sqlx::Database>::ValueRef<'r>,
                ) -> Result<Self, ::sqlx::error::BoxDynError> {
                    let word = <&'r str as ::sqlx::Decode<'r, DB>>::decode(value)?;
                    <$name as $crate::domain::words::Word>::from_word(word).ok_or_else(|| {
                        let what = <$name as $crate::domain::words::Word>::WHAT;
                        format!("unknown {what} {word:?} in the database").into()
                    })
                }
            }
        )+
    };
}

pub(crate) use text_column;

use crate::domain::{
    AttemptStatus, CardBrand, Country, Currency, DeliveryStatus, Dialect, EventType, FailureCode,
    Mode, PaymentKind, PaymentStatus, ProviderCode, RefundStatus,
};

text_column!(
    Mode,
    Dialect,
    PaymentKind,
    PaymentStatus,
    AttemptStatus,
    RefundStatus,
    FailureCode,
    EventType,
    DeliveryStatus,
    ProviderCode,
    Country,
    Currency,
    CardBrand,
);
