//! A batch sent as CSV (RFC 4180): a header row naming the columns, one payout per row. The
//! separator is the comma, or the semicolon that French spreadsheets write; fields may be
//! quoted (`"Ndiaye, Awa"`, `""` for a quote inside).

/// The rows of `text`, each a list of fields; blank lines are skipped.
pub fn rows(text: &str) -> Result<Vec<Vec<String>>, String> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let first = text.lines().next().unwrap_or("");
    let separator = if first.contains(';') && !first.contains(',') { ';' } else { ',' };
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            '"' if quoted => quoted = false,
            '"' if field.is_empty() => quoted = true,
            c if quoted => field.push(c),
            c if c == separator => row.push(std::mem::take(&mut field)),
            '\r' => {}
            '\n' => {
                row.push(std::mem::take(&mut field));
                if row.iter().any(|f| !f.trim().is_empty()) {
                    rows.push(std::mem::take(&mut row));
                } else {
                    row.clear();
                }
            }
            c => field.push(c),
        }
    }
    if quoted {
        return Err("Le fichier CSV a un guillemet ouvert qui n'est jamais fermé".to_owned());
    }
    row.push(field);
    if row.iter().any(|f| !f.trim().is_empty()) {
        rows.push(row);
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commas_semicolons_and_quotes_are_read() {
        let rows = rows("amount,name\r\n5000,\"Ndiaye, Awa\"\n\n7000,\"Le \"\"chef\"\"\"\n").unwrap();
        assert_eq!(rows, [["amount", "name"], ["5000", "Ndiaye, Awa"], ["7000", "Le \"chef\""]]);
        let rows = super::rows("amount;name\n5000;Awa").unwrap();
        assert_eq!(rows[1], ["5000", "Awa"]);
        assert!(super::rows("a\n\"open").is_err());
    }
}
