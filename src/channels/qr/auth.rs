//! Who may mint QR codes and print receipts for arbitrary codes: never an anonymous request.
//! [`PrintAccess`] is the one guard every print endpoint takes. It accepts the sync feed's
//! credentials (the main store signs its GET like a push, see [`crate::sync::auth`]) or the
//! session of a staff member who serves citizens (desk head, agency officer, hotline operator).

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest};

use super::QrState;
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

/// Proof that the request may mint QR codes and print receipts. Extracting it fails with
/// `credentials_required` (no credential offered) or the signature error (a credential offered
/// but wrong); handlers that answer in HTML take `Result<PrintAccess, AppError>` and render it.
#[derive(Debug, Clone, Copy)]
pub struct PrintAccess {
    /// How the caller was recognised.
    pub credential: Credential,
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
            return Ok(Self {
                credential: Credential::Staff(session.account_id),
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
        })
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
