//! Staff accounts and their sessions. Session ids are stored as SHA-256 hashes; the cookie holds
//! the only copy of the id itself.

use chrono::{DateTime, Utc};
use deadpool_postgres::GenericClient;
use tokio_postgres::Row;

/// A staff account as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountRow {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: String,
    pub agency_code: Option<String>,
    pub password_hash: String,
    pub active: bool,
}

// The columns `failed_logins` and `locked_until` of V7 are no longer read or written (logins are
// throttled in memory, never locked: decision 0041); a later migration may drop them.
const ACCOUNT_COLUMNS: &str =
    "id, username, display_name, role, agency_code, password_hash, active";

impl From<&Row> for AccountRow {
    fn from(r: &Row) -> Self {
        Self {
            id: r.get(0),
            username: r.get(1),
            display_name: r.get(2),
            role: r.get(3),
            agency_code: r.get(4),
            password_hash: r.get(5),
            active: r.get(6),
        }
    }
}

/// A new account.
#[derive(Debug, Clone)]
pub struct NewAccount<'a> {
    pub username: &'a str,
    pub display_name: &'a str,
    pub role: &'a str,
    pub agency_code: Option<&'a str>,
    pub password_hash: &'a str,
}

const INSERT_ACCOUNT: &str = "
INSERT INTO staff_accounts (username, display_name, role, agency_code, password_hash)
VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (username) DO NOTHING RETURNING id";

/// Creates an account; `None` when the username is taken.
pub async fn insert_account(
    client: &impl GenericClient,
    account: &NewAccount<'_>,
) -> anyhow::Result<Option<i64>> {
    let statement = client.prepare_cached(INSERT_ACCOUNT).await?;
    Ok(client
        .query_opt(
            &statement,
            &[
                &account.username,
                &account.display_name,
                &account.role,
                &account.agency_code,
                &account.password_hash,
            ],
        )
        .await?
        .map(|r| r.get(0)))
}

/// The account with this username.
pub async fn find_account_by_username(
    client: &impl GenericClient,
    username: &str,
) -> anyhow::Result<Option<AccountRow>> {
    let sql = format!("SELECT {ACCOUNT_COLUMNS} FROM staff_accounts WHERE username = $1");
    let statement = client.prepare_cached(&sql).await?;
    Ok(client
        .query_opt(&statement, &[&username])
        .await?
        .as_ref()
        .map(AccountRow::from))
}

/// Every account, by username.
pub async fn list_accounts(client: &impl GenericClient) -> anyhow::Result<Vec<AccountRow>> {
    let sql = format!("SELECT {ACCOUNT_COLUMNS} FROM staff_accounts ORDER BY username");
    let statement = client.prepare_cached(&sql).await?;
    Ok(client
        .query(&statement, &[])
        .await?
        .iter()
        .map(AccountRow::from)
        .collect())
}

const UPDATE_ACCOUNT: &str = "
UPDATE staff_accounts SET display_name = $2, role = $3, agency_code = $4, active = $5,
    password_hash = COALESCE($6, password_hash)
WHERE id = $1";

/// Changes an account (and its password when `password_hash` is given); returns whether it
/// exists.
pub async fn update_account(
    client: &impl GenericClient,
    id: i64,
    display_name: &str,
    role: &str,
    agency_code: Option<&str>,
    active: bool,
    password_hash: Option<&str>,
) -> anyhow::Result<bool> {
    let statement = client.prepare_cached(UPDATE_ACCOUNT).await?;
    Ok(client
        .execute(
            &statement,
            &[
                &id,
                &display_name,
                &role,
                &agency_code,
                &active,
                &password_hash,
            ],
        )
        .await?
        == 1)
}

const INSERT_SESSION: &str = "
INSERT INTO staff_sessions (id_hash, account_id, csrf_token, expires_at) VALUES ($1, $2, $3, $4)";

/// Stores a session by the hash of its id.
pub async fn insert_session(
    client: &impl GenericClient,
    id_hash: &[u8],
    account_id: i64,
    csrf_token: &str,
    expires_at: DateTime<Utc>,
) -> anyhow::Result<()> {
    let statement = client.prepare_cached(INSERT_SESSION).await?;
    client
        .execute(
            &statement,
            &[&id_hash, &account_id, &csrf_token, &expires_at],
        )
        .await?;
    Ok(())
}

/// A live session with its account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRow {
    pub csrf_token: String,
    pub account: AccountRow,
    /// The name of the account's agency, for the console's header.
    pub agency_name: Option<String>,
}

/// The unexpired session with this id hash whose account is active.
pub async fn find_session(
    client: &impl GenericClient,
    id_hash: &[u8],
) -> anyhow::Result<Option<SessionRow>> {
    let sql = format!(
        "SELECT s.csrf_token, {}, g.name FROM staff_sessions s
           JOIN staff_accounts a ON a.id = s.account_id
           LEFT JOIN agencies g ON g.code = a.agency_code
         WHERE s.id_hash = $1 AND s.expires_at > now() AND a.active",
        ACCOUNT_COLUMNS
            .split(',')
            .map(|c| format!("a.{}", c.trim()))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let statement = client.prepare_cached(&sql).await?;
    let Some(row) = client.query_opt(&statement, &[&id_hash]).await? else {
        return Ok(None);
    };
    Ok(Some(SessionRow {
        csrf_token: row.get(0),
        account: AccountRow {
            id: row.get(1),
            username: row.get(2),
            display_name: row.get(3),
            role: row.get(4),
            agency_code: row.get(5),
            password_hash: row.get(6),
            active: row.get(7),
        },
        agency_name: row.get(8),
    }))
}

const DELETE_SESSION: &str = "DELETE FROM staff_sessions WHERE id_hash = $1";

/// Ends a session; returns whether it existed.
pub async fn delete_session(client: &impl GenericClient, id_hash: &[u8]) -> anyhow::Result<bool> {
    let statement = client.prepare_cached(DELETE_SESSION).await?;
    Ok(client.execute(&statement, &[&id_hash]).await? == 1)
}

const DELETE_ACCOUNT_SESSIONS: &str = "DELETE FROM staff_sessions WHERE account_id = $1";

/// Ends every session of an account (role change, deactivation, password reset).
pub async fn delete_account_sessions(
    client: &impl GenericClient,
    account_id: i64,
) -> anyhow::Result<u64> {
    let statement = client.prepare_cached(DELETE_ACCOUNT_SESSIONS).await?;
    Ok(client.execute(&statement, &[&account_id]).await?)
}

const DELETE_EXPIRED_SESSIONS: &str = "DELETE FROM staff_sessions WHERE expires_at <= now()";

/// Forgets expired sessions.
pub async fn delete_expired_sessions(client: &impl GenericClient) -> anyhow::Result<u64> {
    let statement = client.prepare_cached(DELETE_EXPIRED_SESSIONS).await?;
    Ok(client.execute(&statement, &[]).await?)
}
