//! Staff accounts, sessions, roles and CSRF: shared by every console (questions and feedback
//! today; the hotline console and receipt printing later). A handler takes a [`StaffSession`]
//! (an actix extractor) and checks the role it needs with [`StaffSession::require`]; an agency
//! officer's [`StaffSession::scope`] is their agency, and every intake query takes that scope.

pub mod agencies;
pub mod audit;
pub mod password;
pub mod routes;
pub mod throttle;
pub mod tokens;

use actix_web::HttpRequest;
use chrono::{Duration, Utc};
use deadpool_postgres::{GenericClient, Pool};
use serde::Serialize;

use crate::config::StaffSettings;
use crate::db;
use crate::error::{AppError, Code};
use crate::lookup::guard::ClientKey;

/// What a staff member may do. A closed set: adding a role is a code change on purpose.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Staff accounts and catalog edits (routing rules).
    Administrator,
    /// Head of the one-stop desk: classifies and forwards every item, acts on all of them.
    DeskHead,
    /// An agency's focal officer: only their own agency's items.
    AgencyOfficer,
    /// A 1022 hotline operator (the hotline console).
    Operator,
}

impl Role {
    /// Every role.
    pub const ALL: [Role; 4] = [
        Role::Administrator,
        Role::DeskHead,
        Role::AgencyOfficer,
        Role::Operator,
    ];

    /// Parses the stored name.
    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == raw)
    }

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Administrator => "administrator",
            Role::DeskHead => "desk_head",
            Role::AgencyOfficer => "agency_officer",
            Role::Operator => "operator",
        }
    }

    /// The Vietnamese name.
    pub fn label(self) -> &'static str {
        match self {
            Role::Administrator => "Quản trị hệ thống",
            Role::DeskHead => "Phụ trách Bộ phận Một cửa",
            Role::AgencyOfficer => "Cán bộ đầu mối cơ quan",
            Role::Operator => "Điện thoại viên 1022",
        }
    }
}

/// A logged-in staff member, from the session cookie.
#[derive(Debug, Clone)]
pub struct StaffSession {
    pub account_id: i64,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    /// The agency of an agency officer.
    pub agency_code: Option<String>,
    /// That agency's name.
    pub agency_name: Option<String>,
    /// The token every form of this session must carry.
    pub csrf_token: String,
}

impl StaffSession {
    /// Fails with `forbidden` unless the session has one of `roles`.
    pub fn require(&self, roles: &[Role]) -> Result<(), AppError> {
        if roles.contains(&self.role) {
            Ok(())
        } else {
            Err(AppError::new(Code::Forbidden))
        }
    }

    /// The agency this session is confined to (`None`: every agency).
    pub fn scope(&self) -> Option<&str> {
        match self.role {
            Role::AgencyOfficer => self.agency_code.as_deref(),
            _ => None,
        }
    }

    /// Fails with `csrf_rejected` unless `submitted` is this session's token.
    pub fn check_csrf(&self, submitted: &str) -> Result<(), AppError> {
        if tokens::tokens_equal(&self.csrf_token, submitted) {
            Ok(())
        } else {
            Err(AppError::new(Code::CsrfRejected))
        }
    }

    /// Who did it, for history rows.
    pub fn actor_label(&self) -> String {
        format!("{} ({})", self.display_name, self.role.label())
    }
}

/// A connection from `pool`; a pool that cannot give one makes the service unavailable.
async fn connect(pool: &Pool) -> Result<deadpool_postgres::Object, AppError> {
    pool.get()
        .await
        .map_err(|e| AppError::unavailable(Some(e.into())))
}

/// The session named by the request's cookie if it has one of `roles`; `login_required` or
/// `forbidden` otherwise.
pub async fn authorise(
    req: &HttpRequest,
    pool: &Pool,
    roles: &[Role],
) -> Result<StaffSession, AppError> {
    let session = authenticate(req, pool).await?;
    session.require(roles)?;
    Ok(session)
}

/// The session named by the request's cookie, or `login_required`.
pub async fn authenticate(req: &HttpRequest, pool: &Pool) -> Result<StaffSession, AppError> {
    let Some(cookie) = req.cookie(tokens::SESSION_COOKIE) else {
        return Err(AppError::new(Code::LoginRequired));
    };
    let client = pool
        .get()
        .await
        .map_err(|e| AppError::unavailable(Some(e.into())))?;
    let found = db::staff::find_session(&client, &tokens::token_hash(cookie.value()))
        .await
        .map_err(AppError::internal)?;
    let session = found.ok_or_else(|| AppError::new(Code::LoginRequired))?;
    let role = Role::parse(&session.account.role)
        .ok_or_else(|| AppError::internal(anyhow::anyhow!("unknown stored role")))?;
    Ok(StaffSession {
        account_id: session.account.id,
        username: session.account.username,
        display_name: session.account.display_name,
        role,
        agency_code: session.account.agency_code,
        agency_name: session.agency_name,
        csrf_token: session.csrf_token,
    })
}

/// A new session: the cookie value (never stored) and the CSRF token.
pub struct NewSession {
    pub cookie_value: String,
    pub csrf_token: String,
}

/// Checks a username and password from `client` and opens a session. The login limits come
/// first ([`throttle`]): a refused attempt answers `login_throttled` and checks no password. Unknown
/// users, inactive accounts and wrong passwords all answer `invalid_credentials` after the same
/// hashing work, and count alike; no account is ever locked.
pub async fn log_in(
    pool: &Pool,
    settings: &StaffSettings,
    limits: &throttle::LoginThrottle,
    client: &ClientKey,
    username: &str,
    password: &str,
) -> Result<NewSession, AppError> {
    let key = throttle::username_key(username);
    let admitted = limits.admit(&key, client).map_err(|refusal| {
        tracing::warn!(
            staff.login_limit = refusal.limit(),
            "staff login refused by the {} limit",
            refusal.limit()
        );
        AppError {
            retry_after: Some(refusal.wait().max(std::time::Duration::from_secs(1))),
            ..AppError::new(Code::LoginThrottled)
        }
    })?;
    if let Some(delay) = admitted.delay {
        tokio::time::sleep(delay).await;
    }
    let db_client = pool
        .get()
        .await
        .map_err(|e| AppError::unavailable(Some(e.into())))?;
    let username = username.trim().to_lowercase();
    let account = db::staff::find_account_by_username(&db_client, &username)
        .await
        .map_err(AppError::internal)?
        .filter(|a| a.active);
    let permit = limits.hashing_permit().await;
    // Unknown and inactive usernames cost the same work, so timing does not tell them apart.
    let hash = account
        .as_ref()
        .map_or_else(|| dummy_hash().to_owned(), |a| a.password_hash.clone());
    let valid = password::verify_password_blocking(password.to_owned(), hash).await;
    drop(permit);
    let account = match account {
        Some(account) if valid => account,
        account => {
            limits.failed(&key, client);
            if let Some(account) = account {
                tracing::warn!(
                    staff.account_id = account.id,
                    "failed staff login for account {}",
                    account.id
                );
            }
            return Err(AppError::new(Code::InvalidCredentials));
        }
    };
    limits.succeeded(&key, client);
    let session = NewSession {
        cookie_value: tokens::random_token(),
        csrf_token: tokens::random_token(),
    };
    db::staff::insert_session(
        &db_client,
        &tokens::token_hash(&session.cookie_value),
        account.id,
        &session.csrf_token,
        Utc::now() + Duration::minutes(settings.session_minutes),
    )
    .await
    .map_err(AppError::internal)?;
    tracing::info!(
        staff.account_id = account.id,
        "staff login for account {}",
        account.id
    );
    Ok(session)
}

/// Makes the hash unknown usernames are checked against. Start-up calls it on a blocking thread,
/// so that the first unknown username costs no more time than a known one.
pub fn prepare_dummy_hash() {
    let _ = dummy_hash();
}

fn dummy_hash() -> &'static str {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| password::hash_password("tracuu dummy password").unwrap_or_default())
}

/// Ends the session named by the request's cookie, if any.
pub async fn log_out(req: &HttpRequest, pool: &Pool) -> Result<(), AppError> {
    if let Some(cookie) = req.cookie(tokens::SESSION_COOKIE) {
        let client = pool
            .get()
            .await
            .map_err(|e| AppError::unavailable(Some(e.into())))?;
        db::staff::delete_session(&client, &tokens::token_hash(cookie.value()))
            .await
            .map_err(AppError::internal)?;
    }
    Ok(())
}

/// A validated new account.
#[derive(Debug, Clone)]
pub struct AccountInput {
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub agency_code: Option<String>,
    pub password: String,
}

impl AccountInput {
    /// Validates raw fields; the error is a Vietnamese message naming the field.
    pub fn parse(
        username: &str,
        display_name: &str,
        role: &str,
        agency_code: Option<&str>,
        password: &str,
    ) -> Result<Self, String> {
        let username = username.trim().to_lowercase();
        let valid_username = (3..=64).contains(&username.len())
            && username.chars().all(|c| {
                c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-')
            });
        if !valid_username {
            return Err(
                "Tên đăng nhập: 3–64 ký tự gồm chữ thường không dấu, chữ số, dấu chấm, gạch dưới, gạch ngang."
                    .to_owned(),
            );
        }
        let display_name = crate::domain::text::clean_line(display_name);
        if display_name.is_empty() || display_name.chars().count() > 100 {
            return Err("Họ tên cán bộ: 1–100 ký tự.".to_owned());
        }
        let role = Role::parse(role.trim()).ok_or_else(|| "Vai trò không hợp lệ.".to_owned())?;
        let agency_code = agency_code
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(|c| {
                crate::domain::AgencyCode::parse(c)
                    .map(|a| a.as_str().to_owned())
                    .map_err(|e| e.message())
            })
            .transpose()?;
        if role == Role::AgencyOfficer && agency_code.is_none() {
            return Err("Cán bộ đầu mối cần có mã cơ quan.".to_owned());
        }
        password::check_policy(password)?;
        Ok(Self {
            username,
            display_name,
            role,
            agency_code,
            password: password.to_owned(),
        })
    }
}

/// Creates an account (CLI and administrator console); the error message is Vietnamese.
pub async fn create_account(
    client: &impl GenericClient,
    input: &AccountInput,
) -> Result<i64, String> {
    if let Some(code) = &input.agency_code {
        match db::intake::agency_exists(client, code).await {
            Ok(true) => {}
            Ok(false) => return Err(format!("Cơ quan {code} không có trong danh mục.")),
            Err(e) => return Err(format!("Lỗi cơ sở dữ liệu: {e}")),
        }
    }
    let hash = password::hash_password_blocking(input.password.clone())
        .await
        .map_err(|e| e.to_string())?;
    let account = db::staff::NewAccount {
        username: &input.username,
        display_name: &input.display_name,
        role: input.role.as_str(),
        agency_code: input.agency_code.as_deref(),
        password_hash: &hash,
    };
    match db::staff::insert_account(client, &account).await {
        Ok(Some(id)) => Ok(id),
        Ok(None) => Err(format!("Tên đăng nhập {} đã có.", input.username)),
        Err(e) => Err(format!("Lỗi cơ sở dữ liệu: {e}")),
    }
}

/// Every account, by username (the administrator's list).
pub async fn list_accounts(pool: &Pool) -> Result<Vec<db::staff::AccountRow>, AppError> {
    let client = connect(pool).await?;
    db::staff::list_accounts(&client)
        .await
        .map_err(AppError::internal)
}

/// Changes an account's name, role, agency and active flag, and its password when `new_password`
/// is given. Every session of the account ends, so a change
/// of role takes effect at once. `Ok(Err(message))` is a refusal in Vietnamese for the form (an
/// agency not in the catalog); an unknown account is `route_not_found`.
pub async fn update_account(
    pool: &Pool,
    id: i64,
    account: &AccountInput,
    active: bool,
    new_password: Option<&str>,
) -> Result<Result<(), String>, AppError> {
    let hash = match new_password {
        Some(p) => Some(
            password::hash_password_blocking(p.to_owned())
                .await
                .map_err(AppError::internal)?,
        ),
        None => None,
    };
    let client = connect(pool).await?;
    if let Some(code) = &account.agency_code {
        if !db::intake::agency_exists(&client, code)
            .await
            .map_err(AppError::internal)?
        {
            return Ok(Err(format!("Cơ quan {code} không có trong danh mục.")));
        }
    }
    let found = db::staff::update_account(
        &client,
        id,
        &account.display_name,
        account.role.as_str(),
        account.agency_code.as_deref(),
        active,
        hash.as_deref(),
    )
    .await
    .map_err(AppError::internal)?;
    if !found {
        return Err(AppError::with_message(
            Code::RouteNotFound,
            "Không có tài khoản này.",
        ));
    }
    db::staff::delete_account_sessions(&client, id)
        .await
        .map_err(AppError::internal)?;
    Ok(Ok(()))
}
