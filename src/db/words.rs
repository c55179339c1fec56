//! Every stored word (`domain::words::Word`) is a text column holding its word, on SQLite and on
//! PostgreSQL alike: rows hold the enums, and a word the code does not know is a decoding error
//! that names it.

/// Implements sqlx's text mapping for one type stored as text (the orphan rule wants one impl
/// per type): `to` gives the text to store, `from` reads it back, and a text it refuses is a
/// decoding error naming `what`.
macro_rules! stored_as_text {
    ($name:ty, to: |$value:ident| $to:expr, from: |$text:ident| $from:expr, what: $what:expr) => {
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
            String: ::sqlx::Encode<'q, DB>,
        {
            fn encode_by_ref(
                &self,
                buf: &mut <DB as ::sqlx::Database>::ArgumentBuffer<'q>,
            ) -> Result<::sqlx::encode::IsNull, ::sqlx::error::BoxDynError> {
                let $value = self;
                let text: String = $to;
                <String as ::sqlx::Encode<'q, DB>>::encode(text, buf)
            }
        }

        impl<'r, DB: ::sqlx::Database> ::sqlx::Decode<'r, DB> for $name
        where
            &'r str: ::sqlx::Decode<'r, DB>,
        {
            fn decode(
                value: <DB as ::sqlx::Database>::ValueRef<'r>,
            ) -> Result<Self, ::sqlx::error::BoxDynError> {
                let $text = <&'r str as ::sqlx::Decode<'r, DB>>::decode(value)?;
                let read: Option<$name> = $from;
                read.ok_or_else(|| format!("{} {:?} in the database", $what, $text).into())
            }
        }
    };
}

pub(crate) use stored_as_text;

/// Stores word types (`domain::words::Word`) as their word; the sandbox's words use it too.
macro_rules! text_column {
    ($($name:ty),+ $(,)?) => {
        $(
            $crate::db::words::stored_as_text!(
                $name,
                to: |value| <$name as $crate::domain::words::Word>::word(*value).to_owned(),
                from: |text| <$name as $crate::domain::words::Word>::from_word(text),
                what: format!("unknown {}", <$name as $crate::domain::words::Word>::WHAT)
            );
        )+
    };
}

pub(crate) use text_column;

use crate::domain::{
    AttemptStatus, CardBrand, Country, Currency, DeliveryStatus, Dialect, EventType, FailureCode,
    Mode, PaymentKind, PaymentStatus, PayoutApproval, PayoutFailure, PayoutStatus, ProviderCode, RefundStatus,
};

text_column!(
    Mode,
    Dialect,
    PaymentKind,
    PaymentStatus,
    AttemptStatus,
    RefundStatus,
    PayoutStatus,
    PayoutFailure,
    PayoutApproval,
    FailureCode,
    EventType,
    DeliveryStatus,
    ProviderCode,
    Country,
    Currency,
    CardBrand,
);

/// Dalal's prefixed ids are text columns too; a stored one without its prefix is a decoding
/// error.
macro_rules! id_column {
    ($($name:ty),+ $(,)?) => {
        $(
            stored_as_text!(
                $name,
                to: |value| value.as_str().to_owned(),
                from: |text| <$name>::parse(text),
                what: "an id without its prefix"
            );
        )+
    };
}

id_column!(
    crate::domain::AttemptId,
    crate::domain::RefundId,
    crate::domain::PayoutId,
    crate::domain::PayoutBatchId,
    crate::domain::EventId
);
