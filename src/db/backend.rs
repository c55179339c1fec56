//! The two databases Dalal runs on, behind one pool type. Statements are written once and
//! compiled for both (`db::on!`); the few that must differ are named in `Backend`'s methods, so
//! that every statement that differs between SQLite and PostgreSQL is in this file. (Besides
//! statements: each has its migrations folder, SQLite its busy handler and checkpoints, and
//! PostgreSQL a lock timeout, in `db.rs`; SQLite's hot inserts go through its group commit,
//! `writer.rs`.)

use super::writer::Writer;
use sqlx::{PgConnection, PgPool, Postgres, Sqlite, SqliteConnection, SqlitePool};

/// The database, shared by every request and worker of this process.
#[derive(Clone, Debug)]
pub enum Pool {
    /// One process owns the file: SQLite's single writer serialises writes. The hot inserts go
    /// through `Writer`, which commits concurrent ones together.
    Sqlite(SqlitePool, Writer),
    /// Several Dalal instances may share it: row locks, `SKIP LOCKED` and leases keep them apart.
    Postgres(PgPool),
}

/// An open transaction, committed with `commit` (dropped, it rolls back).
pub enum Tx<'c> {
    Sqlite(sqlx::Transaction<'c, Sqlite>),
    Postgres(sqlx::Transaction<'c, Postgres>),
}

/// Where a statement runs: a pool, or an open transaction. Built from `&Pool` or `&mut Tx`.
pub enum Exec<'a> {
    Sqlite(&'a SqlitePool),
    SqliteTx(&'a mut SqliteConnection),
    Postgres(&'a PgPool),
    PostgresTx(&'a mut PgConnection),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// The backend a `database.url` names.
    pub fn of_url(url: &str) -> Self {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Backend::Postgres
        } else {
            Backend::Sqlite
        }
    }
}

/// What PostgreSQL's keyed inserts (`insert_keyed_payment`, `insert_claimed_payment`) write once
/// their `payment` CTE has the id: the first attempt (`$28`, when a provider session opened) and
/// the move to `processing` (`$37`, when a push is already on the customer's phone).
macro_rules! keyed_payment_rows {
    () => {
        "attempt AS (
            INSERT INTO payment_attempts (id, payment_id, provider, status, customer_phone, created_at,
                updated_at, provider_reference, provider_status, launch_url, deep_links, next_check_at,
                gateway, routing_reason)
            SELECT $28, id, $9, $29, $10, $20, $20, $30, $31, $32, $33, $34, $35, $36
            FROM payment WHERE $28 IS NOT NULL
         ), transition AS (
            INSERT INTO payment_transitions (payment_id, from_status, to_status, reason, at)
            SELECT id, 'pending', $5, $37, $20 FROM payment WHERE $37 IS NOT NULL
         )
         SELECT id FROM payment"
    };
}

/// The statements that differ between the two databases, by name.
impl Backend {
    /// Ends the `SELECT` that picks the rows a worker leases (due webhook deliveries, attempts due
    /// a status check, rows to prune). PostgreSQL: rows another instance is leasing at this moment
    /// are skipped rather than waited for, and never leased twice (without it, two instances'
    /// `UPDATE … WHERE id IN (SELECT …)` could both take a row). SQLite: nothing, its single
    /// writer runs one such statement at a time.
    pub fn skip_locked(self) -> &'static str {
        match self {
            Backend::Sqlite => "",
            Backend::Postgres => " FOR UPDATE SKIP LOCKED",
        }
    }

    /// `db::payments::insert_keyed`: a payment, its idempotency record and perhaps its first
    /// attempt in one statement, answering the payment's id (`$1`…`$36`, the same binds on both).
    /// SQLite: an insert into the `keyed_payment_inserts` view, whose trigger writes the three rows,
    /// then the id found by checkout token in a second statement sent with the first (an insert
    /// into a view returns no row). PostgreSQL: data-modifying CTEs, no view needed.
    pub fn insert_keyed_payment(self) -> &'static str {
        match self {
            Backend::Sqlite => {
                "INSERT INTO keyed_payment_inserts (merchant_id, mode, checkout_token, kind, status, amount,
                    currency, country, provider, customer_phone, customer_name, customer_email, description,
                    external_reference, callback_url, return_url, cancel_url, metadata, expires_at, created_at,
                    card_brand, dialect, method, idempotency_key, request_hash, response_status, response_body,
                    attempt_id, attempt_status, provider_reference, provider_status, launch_url, deep_links,
                    next_check_at, gateway, routing_reason, transition_reason)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19,
                    $20, $21, $22, $23, $24, $25, $26, $27, $28, $29, $30, $31, $32, $33, $34, $35, $36, $37);
                 SELECT id FROM payments WHERE checkout_token = $3"
            }
            Backend::Postgres => {
                concat!(
                    "WITH payment AS (
                    INSERT INTO payments (merchant_id, mode, checkout_token, kind, status, amount, currency,
                        country, provider, customer_phone, customer_name, customer_email, description,
                        external_reference, callback_url, return_url, cancel_url, metadata, expires_at,
                        created_at, updated_at, card_brand, dialect, method, status_reason)
                    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18,
                        $19, $20, $20, $21, $22, $23, $37)
                    RETURNING id
                 ), record AS (
                    INSERT INTO idempotency_keys (merchant_id, idempotency_key, request_hash, response_status,
                        response_body, created_at, payment_id)
                    SELECT $1, $24, $25, $26, $27, $20, id FROM payment
                 ), ",
                    keyed_payment_rows!()
                )
            }
        }
    }

    /// PostgreSQL's `insert_keyed_payment` for a key the request claimed before calling its
    /// provider (so that instances never open two sessions for one key): the claimed record is
    /// completed with the payment's id, drawn from its sequence first, and the payment (with its
    /// attempt and transition) is inserted only if that record was still waiting for this
    /// request's answer. No row answered: nothing stored. One round trip after the provider's
    /// answer, instead of a transaction's six.
    pub fn insert_claimed_payment(self) -> &'static str {
        concat!(
            "WITH claimed AS (
            UPDATE idempotency_keys SET response_status = $26, response_body = $27,
                payment_id = nextval(pg_get_serial_sequence('payments', 'id'))
            WHERE merchant_id = $1 AND idempotency_key = $24 AND request_hash = $25
                AND response_status IS NULL
            RETURNING payment_id AS id
         ), payment AS (
            INSERT INTO payments (id, merchant_id, mode, checkout_token, kind, status, amount, currency,
                country, provider, customer_phone, customer_name, customer_email, description,
                external_reference, callback_url, return_url, cancel_url, metadata, expires_at,
                created_at, updated_at, card_brand, dialect, method, status_reason)
            SELECT id, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18,
                $19, $20, $20, $21, $22, $23, $37
            FROM claimed
            RETURNING id
         ), ",
            keyed_payment_rows!()
        )
    }
}

impl Pool {
    pub fn backend(&self) -> Backend {
        match self {
            Pool::Sqlite(..) => Backend::Sqlite,
            Pool::Postgres(_) => Backend::Postgres,
        }
    }

    pub async fn begin(&self) -> Result<Tx<'static>, sqlx::Error> {
        Ok(match self {
            Pool::Sqlite(pool, _) => Tx::Sqlite(pool.begin().await?),
            Pool::Postgres(pool) => Tx::Postgres(pool.begin().await?),
        })
    }

    /// Closes every connection (at shutdown, once the workers have stopped).
    pub async fn close(&self) {
        match self {
            Pool::Sqlite(pool, writer) => {
                writer.close().await;
                pool.close().await
            }
            Pool::Postgres(pool) => pool.close().await,
        }
    }
}

impl Tx<'_> {
    pub async fn commit(self) -> Result<(), sqlx::Error> {
        match self {
            Tx::Sqlite(tx) => tx.commit().await,
            Tx::Postgres(tx) => tx.commit().await,
        }
    }

    pub async fn rollback(self) -> Result<(), sqlx::Error> {
        match self {
            Tx::Sqlite(tx) => tx.rollback().await,
            Tx::Postgres(tx) => tx.rollback().await,
        }
    }
}

impl<'a> From<&'a Pool> for Exec<'a> {
    fn from(pool: &'a Pool) -> Self {
        match pool {
            Pool::Sqlite(pool, _) => Exec::Sqlite(pool),
            Pool::Postgres(pool) => Exec::Postgres(pool),
        }
    }
}

impl<'a, 'c> From<&'a mut Tx<'c>> for Exec<'a> {
    fn from(tx: &'a mut Tx<'c>) -> Self {
        match tx {
            Tx::Sqlite(tx) => Exec::SqliteTx(tx),
            Tx::Postgres(tx) => Exec::PostgresTx(tx),
        }
    }
}

/// The values bound to a statement, owned and in `$n` order, for either database: a statement
/// the SQLite `Writer` runs later, on its own connection, cannot borrow the caller's strings.
#[derive(Default)]
pub struct Values(Vec<Value>);

enum Value {
    Text(Option<String>),
    Integer(Option<i64>),
}

impl Values {
    pub fn text<'a>(mut self, value: impl Into<Option<&'a str>>) -> Self {
        self.0.push(Value::Text(value.into().map(str::to_owned)));
        self
    }

    pub fn integer(mut self, value: impl Into<Option<i64>>) -> Self {
        self.0.push(Value::Integer(value.into()));
        self
    }

    /// Adds copies of the values after those `arguments` holds (the SQLite writer may run a
    /// statement twice: in its batch, then alone); how many.
    pub fn add_to<'q, A>(&self, arguments: &mut A) -> Result<usize, sqlx::Error>
    where
        A: sqlx::Arguments<'q>,
        Option<String>: sqlx::Encode<'q, A::Database> + sqlx::Type<A::Database>,
        Option<i64>: sqlx::Encode<'q, A::Database> + sqlx::Type<A::Database>,
    {
        for value in &self.0 {
            match value {
                Value::Text(text) => arguments.add(text.clone()),
                Value::Integer(integer) => arguments.add(*integer),
            }
            .map_err(sqlx::Error::Encode)?;
        }
        Ok(self.0.len())
    }

    pub fn postgres(&self) -> Result<sqlx::postgres::PgArguments, sqlx::Error> {
        let mut arguments = sqlx::postgres::PgArguments::default();
        self.add_to(&mut arguments)?;
        Ok(arguments)
    }
}
