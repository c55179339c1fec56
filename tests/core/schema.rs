//! The SQLite schema (`migrations/`) and the PostgreSQL one (`migrations/postgres/`) are the same:
//! tables, columns (type, nullability, default, primary key), indexes (columns, uniqueness,
//! partial) and foreign keys, read from each database's own catalogue after its migrations ran.
//! CHECK constraints are not compared (SQLite keeps them only as text).

use crate::helpers::*;
use dalal::db::{self, Pool};
use std::collections::BTreeMap;

#[derive(Debug, PartialEq, Eq, Clone)]
struct Column {
    /// `integer` or `text`: BIGINT and INTEGER are one type to SQLite, and Dalal reads both as i64.
    kind: String,
    not_null: bool,
    default: Option<String>,
    primary_key: bool,
}

#[derive(Debug, PartialEq, Eq, Clone)]
struct Index {
    columns: Vec<String>,
    unique: bool,
    partial: bool,
}

#[derive(Debug, PartialEq, Default)]
struct Schema {
    columns: BTreeMap<(String, String), Column>,
    /// Named indexes, and those behind UNIQUE constraints (named by their columns: SQLite names
    /// those itself).
    indexes: BTreeMap<String, Index>,
    /// (table, column) → (table, column) it references.
    foreign_keys: BTreeMap<(String, String), (String, String)>,
}

fn kind(declared: &str) -> String {
    match declared.to_ascii_lowercase().as_str() {
        "integer" | "bigint" => "integer".into(),
        "text" => "text".into(),
        other => other.into(),
    }
}

/// Dalal's tables: not the migration tools' nor tower-sessions'.
fn ours(table: &str) -> bool {
    !table.starts_with("_sqlx") && !table.starts_with("sqlite_") && table != "tower_sessions"
}

/// A default as written, without PostgreSQL's cast.
fn default(value: Option<String>) -> Option<String> {
    value.map(|v| v.trim_end_matches("::text").to_owned())
}

fn unique_name(table: &str, columns: &[String]) -> String {
    format!("unique {table} ({})", columns.join(", "))
}

async fn sqlite_schema(pool: &Pool) -> Schema {
    let mut schema = Schema::default();
    let tables: Vec<(String,)> = dalal::on!(pool, |e| sqlx::query_as(
        "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
    )
    .fetch_all(e)
    .await)
    .unwrap();
    for (table,) in tables.into_iter().filter(|(t,)| ours(t)) {
        let columns: Vec<(String, String, i64, Option<String>, i64)> = dalal::on!(pool, |e| {
            sqlx::query_as(
                "SELECT name, type, \"notnull\", dflt_value, pk FROM pragma_table_info($1)",
            )
            .bind(&table)
            .fetch_all(e)
            .await
        })
        .unwrap();
        for (name, declared, not_null, dflt, pk) in columns {
            schema.columns.insert(
                (table.clone(), name),
                Column {
                    kind: kind(&declared),
                    // A primary key is never null, whatever SQLite's flag says.
                    not_null: not_null == 1 || pk > 0,
                    default: default(dflt),
                    primary_key: pk > 0,
                },
            );
        }
        let indexes: Vec<(String, i64, String, i64)> = dalal::on!(pool, |e| {
            sqlx::query_as("SELECT name, \"unique\", origin, partial FROM pragma_index_list($1)")
                .bind(&table)
                .fetch_all(e)
                .await
        })
        .unwrap();
        for (name, unique, origin, partial) in indexes {
            let columns: Vec<(String,)> = dalal::on!(pool, |e| {
                sqlx::query_as("SELECT name FROM pragma_index_info($1) ORDER BY seqno")
                    .bind(&name)
                    .fetch_all(e)
                    .await
            })
            .unwrap();
            let columns: Vec<String> = columns.into_iter().map(|(c,)| c).collect();
            let key = match origin.as_str() {
                "pk" => continue,
                "u" => unique_name(&table, &columns),
                _ => name,
            };
            schema.indexes.insert(
                key,
                Index {
                    columns,
                    unique: unique == 1,
                    partial: partial == 1,
                },
            );
        }
        let keys: Vec<(String, String, String)> = dalal::on!(pool, |e| {
            sqlx::query_as("SELECT \"from\", \"table\", \"to\" FROM pragma_foreign_key_list($1)")
                .bind(&table)
                .fetch_all(e)
                .await
        })
        .unwrap();
        for (from, to_table, to) in keys {
            schema
                .foreign_keys
                .insert((table.clone(), from), (to_table, to));
        }
    }
    schema
}

async fn postgres_schema(pool: &Pool) -> Schema {
    let mut schema = Schema::default();
    let columns: Vec<(String, String, String, String, Option<String>, bool)> = dalal::on!(pool, |e| {
        sqlx::query_as(
            "SELECT c.table_name::text, c.column_name::text, c.data_type::text, c.is_nullable::text,
                    c.column_default::text,
                    EXISTS (SELECT 1 FROM information_schema.table_constraints t
                            JOIN information_schema.key_column_usage k
                              ON k.constraint_name = t.constraint_name AND k.table_name = t.table_name
                            WHERE t.constraint_type = 'PRIMARY KEY' AND t.table_name = c.table_name
                              AND k.column_name = c.column_name)
             FROM information_schema.columns c WHERE c.table_schema = 'public'",
        )
        .fetch_all(e)
        .await
    })
    .unwrap();
    for (table, name, data_type, nullable, dflt, pk) in columns {
        if !ours(&table) {
            continue;
        }
        schema.columns.insert(
            (table, name),
            Column {
                kind: kind(&data_type),
                not_null: nullable == "NO",
                default: default(dflt),
                primary_key: pk,
            },
        );
    }
    // Columns come as one comma-separated text: the statement is compiled for SQLite too, which
    // has no arrays.
    let indexes: Vec<(String, String, bool, bool, bool, String, bool)> = dalal::on!(pool, |e| {
        sqlx::query_as(
            "SELECT t.relname::text, i.relname::text, x.indisunique, x.indisprimary,
                    x.indpred IS NOT NULL,
                    array_to_string(ARRAY(SELECT a.attname::text
                          FROM unnest(x.indkey) WITH ORDINALITY AS k(attnum, n)
                          JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum ORDER BY k.n), ','),
                    EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.oid AND c.contype = 'u')
             FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
             JOIN pg_namespace n ON n.oid = t.relnamespace WHERE n.nspname = 'public'",
        )
        .fetch_all(e)
        .await
    })
    .unwrap();
    for (table, name, unique, primary, partial, columns, constraint) in indexes {
        if primary || !ours(&table) {
            continue;
        }
        let columns: Vec<String> = columns.split(',').map(str::to_owned).collect();
        let key = if constraint {
            unique_name(&table, &columns)
        } else {
            name
        };
        schema.indexes.insert(
            key,
            Index {
                columns,
                unique,
                partial,
            },
        );
    }
    let keys: Vec<(String, String, String, String)> = dalal::on!(pool, |e| {
        sqlx::query_as(
            "SELECT k.table_name::text, k.column_name::text, u.table_name::text, u.column_name::text
             FROM information_schema.referential_constraints r
             JOIN information_schema.key_column_usage k ON k.constraint_name = r.constraint_name
             JOIN information_schema.constraint_column_usage u ON u.constraint_name = r.unique_constraint_name
             WHERE k.table_schema = 'public'",
        )
        .fetch_all(e)
        .await
    })
    .unwrap();
    for (table, column, to_table, to) in keys {
        schema.foreign_keys.insert((table, column), (to_table, to));
    }
    schema
}

async fn migrated(url: String) -> Pool {
    let pool = open_database(&url).await;
    db::migrate(&pool).await.unwrap();
    pool
}

#[tokio::test]
async fn postgres_schema_is_the_same_as_on_sqlite() {
    assert!(
        postgres_server().is_some(),
        "needs a PostgreSQL server in DALAL_TEST_POSTGRES: run it through ./.ci/postgres (./.ci/test does)"
    );
    let sqlite_dir = tempfile::tempdir().unwrap();
    let sqlite = migrated(format!("sqlite://{}/dalal.db", sqlite_dir.path().display())).await;
    let postgres_dir = tempfile::tempdir().unwrap();
    let postgres = migrated(database_url(postgres_dir.path())).await;
    let (lite, pg) = (
        sqlite_schema(&sqlite).await,
        postgres_schema(&postgres).await,
    );
    assert!(
        lite.columns.len() > 100,
        "the catalogue was read: {:?}",
        lite.columns.keys()
    );
    for (name, what) in [("columns", 0), ("indexes", 1), ("foreign keys", 2)] {
        let (only_lite, only_pg, differ): (Vec<String>, Vec<String>, Vec<String>) = match what {
            0 => diff(&lite.columns, &pg.columns),
            1 => diff(&lite.indexes, &pg.indexes),
            _ => diff(&lite.foreign_keys, &pg.foreign_keys),
        };
        assert!(
            only_lite.is_empty() && only_pg.is_empty() && differ.is_empty(),
            "{name}: only on SQLite {only_lite:#?}, only on PostgreSQL {only_pg:#?}, different {differ:#?}"
        );
    }
}

fn diff<K: Ord + std::fmt::Debug, V: PartialEq + std::fmt::Debug>(
    a: &BTreeMap<K, V>,
    b: &BTreeMap<K, V>,
) -> (Vec<String>, Vec<String>, Vec<String>) {
    let only_a = a
        .keys()
        .filter(|k| !b.contains_key(*k))
        .map(|k| format!("{k:?}"))
        .collect();
    let only_b = b
        .keys()
        .filter(|k| !a.contains_key(*k))
        .map(|k| format!("{k:?}"))
        .collect();
    let differ = a
        .iter()
        .filter_map(|(k, v)| {
            b.get(k)
                .filter(|w| *w != v)
                .map(|w| format!("{k:?}: {v:?} / {w:?}"))
        })
        .collect();
    (only_a, only_b, differ)
}
