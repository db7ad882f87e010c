//! Who may mint QR codes and print receipts for arbitrary codes: never an anonymous request.
//! [`PrintAccess`] is the one guard every print endpoint takes. It accepts the sync feed's
//! credentials (the main store signs its GET like a push, see [`crate::sync::auth`]) or the
//! session of a staff member who serves citizens (desk head, agency officer, hotline operator).
//! An agency officer prints only their own agency's dossiers ([`PrintAccess::allows`]); the others
//! print any.

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest};

use super::QrState;
use crate::domain::DossierCode;
use crate::error::{AppError, Code};
use crate::http::{app_data, AppState};
use crate::staff::{tokens::SESSION_COOKIE, Role};
use crate::sync::auth::{AuthError, SIGNATURE_HEADER, TIMESTAMP_HEADER};

/// Staff roles that print receipts: the administrator manages accounts and sees no dossiers.
const PRINTING_ROLES: [Role; 3] = [Role::DeskHead, Role::AgencyOfficer, Role::Operator];

/// The credential a print request was accepted with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Credential {
    /// Signed with a sync secret (the main dossier store).
    SyncFeed,
    /// A logged-in staff member's session (this account).
    Staff(i64),
}

/// Which dossiers a print credential covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PrintScope {
    /// Every dossier: the sync feed, desk heads and hotline operators.
    All,
    /// The dossiers this agency received or handles: an agency officer's.
    Agency(String),
}

/// Proof that the request may mint QR codes and print receipts. Extracting it fails with
/// `credentials_required` (no credential offered) or the signature error (a credential offered
/// but wrong); handlers that answer in HTML take `Result<PrintAccess, AppError>` and render it.
#[derive(Debug, Clone)]
pub struct PrintAccess {
    /// How the caller was recognised.
    pub credential: Credential,
    /// The dossiers it may print.
    pub scope: PrintScope,
}

impl PrintAccess {
    /// Checks the request's credentials: a signature when one is offered, else a staff session.
    pub async fn check(req: &HttpRequest) -> Result<Self, AppError> {
        let state = app_data::<QrState>(req)?;
        let header_text = |name: &str| req.headers().get(name).and_then(|v| v.to_str().ok());
        let (timestamp, signature) = (header_text(TIMESTAMP_HEADER), header_text(SIGNATURE_HEADER));
        if timestamp.is_none() && signature.is_none() {
            if req.cookie(SESSION_COOKIE).is_none() {
                return Err(AppError::new(Code::CredentialsRequired));
            }
            let app = app_data::<AppState>(req)?;
            let session = crate::staff::authorise(req, &app.pool, &PRINTING_ROLES).await?;
            let scope = match session.role {
                // An officer without an agency (the schema forbids one) prints nothing.
                Role::AgencyOfficer => PrintScope::Agency(
                    session
                        .agency_code
                        .ok_or_else(|| AppError::new(Code::Forbidden))?,
                ),
                _ => PrintScope::All,
            };
            return Ok(Self {
                credential: Credential::Staff(session.account_id),
                scope,
            });
        }
        let path_and_query = req
            .uri()
            .path_and_query()
            .map_or_else(|| req.path(), |pq| pq.as_str());
        state
            .verifier
            .verify_request(
                timestamp,
                signature,
                req.method().as_str(),
                path_and_query,
                chrono::Utc::now().timestamp(),
            )
            .map_err(|error| {
                tracing::warn!(qr.auth = %error, "print request refused: {error}");
                // Without a sync secret there is no credential to offer: not a push's 403.
                AppError::new(match error {
                    AuthError::Disabled => Code::CredentialsRequired,
                    other => other.code(),
                })
            })?;
        Ok(Self {
            credential: Credential::SyncFeed,
            scope: PrintScope::All,
        })
    }

    /// Whether this credential covers every dossier (no dossier needs to be read to decide).
    pub fn covers_all(&self) -> bool {
        self.scope == PrintScope::All
    }

    /// Fails with `forbidden`, naming the dossier, unless this credential may print the dossier
    /// `code`, received by `receiving_agency` and handled by `handling_agency`: an agency officer
    /// prints the dossiers their agency received or handles.
    pub fn allows(
        &self,
        code: &DossierCode,
        receiving_agency: &str,
        handling_agency: &str,
    ) -> Result<(), AppError> {
        match &self.scope {
            PrintScope::All => Ok(()),
            PrintScope::Agency(own) if own == receiving_agency || own == handling_agency => Ok(()),
            PrintScope::Agency(_) => Err(AppError::with_message(
                Code::Forbidden,
                format!(
                    "Hồ sơ {code} không do cơ quan của bạn tiếp nhận hay giải quyết. Cán bộ đầu \
                     mối chỉ in giấy tiếp nhận và mã QR của hồ sơ thuộc cơ quan mình."
                ),
            )),
        }
    }
}

impl FromRequest for PrintAccess {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, AppError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move { Self::check(&req).await })
    }
}
