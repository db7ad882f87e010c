//! The SMS corpus (tests/data/sms_corpus.tsv): texts as citizens write them, with and without
//! diacritics, in GSM-7 and UCS-2, each sent through the real inbound endpoint on the test
//! database and compared with the exact reply the file gives. Rows run in order (subscriptions
//! and ratings change what later rows see).

use crate::helpers::TestApp;
use crate::sms_inbound::{spawn_sms_app, SMS_SECRET};
use tracuu::domain::sms::gsm7::is_gsm7;

const CORPUS: &str = "tests/data/sms_corpus.tsv";

/// One row of the corpus.
#[derive(Debug, Clone)]
pub struct Row {
    pub id: String,
    pub from: String,
    pub charset: String,
    pub kannel: bool,
    /// The text with its line breaks.
    pub text: String,
    pub reply: String,
}

fn unescape(field: &str) -> String {
    field.replace("\\r", "\r").replace("\\n", "\n")
}

/// The corpus's rows (comments and the column line left out).
pub fn corpus() -> Vec<Row> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(CORPUS);
    let file = std::fs::read_to_string(&path).expect("the SMS corpus");
    file.lines()
        .filter(|line| !line.starts_with('#') && !line.starts_with("id\t") && !line.is_empty())
        .map(|line| {
            let fields: Vec<&str> = line.split('\t').collect();
            assert_eq!(fields.len(), 6, "six tab-separated columns: {line:?}");
            Row {
                id: fields[0].to_owned(),
                from: fields[1].to_owned(),
                charset: fields[2].to_owned(),
                kannel: fields[3] == "yes",
                text: unescape(fields[4]),
                reply: fields[5].to_owned(),
            }
        })
        .collect()
}

/// The bytes of the text in the row's charset, and Kannel's `coding` and `charset` for them.
fn encoded(row: &Row) -> (Vec<u8>, &'static str, &'static str) {
    match row.charset.as_str() {
        "gsm7" => {
            assert!(is_gsm7(&row.text), "{}: a GSM-7 text", row.id);
            (row.text.as_bytes().to_vec(), "0", "UTF-8")
        }
        "ucs2" => (
            row.text.encode_utf16().flat_map(u16::to_be_bytes).collect(),
            "2",
            "UTF-16BE",
        ),
        "utf8" => (row.text.as_bytes().to_vec(), "2", "UTF-8"),
        "latin1" => (
            row.text
                .chars()
                .map(|c| u8::try_from(u32::from(c)).expect("a Latin-1 text"))
                .collect(),
            "0",
            "ISO-8859-1",
        ),
        other => panic!("{}: unknown charset {other}", row.id),
    }
}

fn percent(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("%{b:02X}")).collect()
}

/// The sender of a row: its own phone for a citizen, or the applicant's of a dossier.
pub async fn sender(app: &TestApp, row: &Row, index: usize) -> String {
    match row.from.strip_prefix("applicant:") {
        Some(code) => app
            .db
            .client()
            .await
            .query_one(
                "SELECT applicant_phone FROM dossiers WHERE code = $1",
                &[&code],
            )
            .await
            .unwrap_or_else(|e| panic!("{}: dossier {code}: {e}", row.id))
            .get(0),
        None => {
            assert_eq!(row.from, "citizen", "{}", row.id);
            format!("09123{index:05}")
        }
    }
}

#[tokio::test]
async fn every_text_of_the_corpus_gets_its_exact_reply() {
    // Arrange
    let rows = corpus();
    assert!(rows.len() >= 60, "at least 60 texts: {}", rows.len());
    for charset in ["gsm7", "ucs2"] {
        assert!(
            rows.iter().filter(|r| r.charset == charset).count() >= 10,
            "texts in {charset}"
        );
    }
    let app = spawn_sms_app().await;

    // Act
    let mut replies = Vec::with_capacity(rows.len());
    for (index, row) in rows.iter().enumerate() {
        let from = sender(&app, row, index).await;
        let (bytes, coding, charset) = encoded(row);
        let url = format!(
            "{}/sms/v1/kannel/{SMS_SECRET}/inbound?from={}&to=8088&id=corpus-{index}&coding={coding}&charset={charset}&text={}",
            app.address,
            percent(from.as_bytes()),
            percent(&bytes)
        );
        let response = app.http.get(url).send().await.expect("request");
        assert_eq!(response.status().as_u16(), 200, "{}", row.id);
        replies.push(response.text().await.expect("reply"));
    }

    // Assert (or, with TRACUU_WRITE_CORPUS=1, write the replies into the file for review)
    if std::env::var("TRACUU_WRITE_CORPUS").is_ok_and(|v| v == "1") {
        write_replies(&replies);
        return;
    }
    let mut wrong = Vec::new();
    for (row, reply) in rows.iter().zip(&replies) {
        if reply != &row.reply {
            wrong.push(format!(
                "{} {:?}\n  expected {:?}\n  got      {:?}",
                row.id, row.text, row.reply, reply
            ));
        }
        assert!(is_gsm7(reply), "{}: unaccented GSM-7: {reply}", row.id);
        assert!(
            reply.chars().count() <= 160,
            "{}: one segment: {reply}",
            row.id
        );
    }
    assert!(
        wrong.is_empty(),
        "{} replies differ:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
    let recorded = app
        .recorded("SELECT count(*) FROM sms_inbound", rows.len() as i64)
        .await;
    assert_eq!(recorded, rows.len() as i64, "every text recorded");
}

/// Rewrites the reply column with `replies` (rows in file order).
fn write_replies(replies: &[String]) {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(CORPUS);
    let file = std::fs::read_to_string(&path).expect("the SMS corpus");
    let mut next = replies.iter();
    let lines: Vec<String> = file
        .lines()
        .map(|line| {
            if line.starts_with('#') || line.starts_with("id\t") || line.is_empty() {
                return line.to_owned();
            }
            let mut fields: Vec<&str> = line.split('\t').collect();
            let reply = next.next().expect("a reply per row");
            fields[5] = reply;
            fields.join("\t")
        })
        .collect();
    std::fs::write(&path, lines.join("\n") + "\n").expect("write the corpus");
}
