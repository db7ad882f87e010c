//! Who may mint QR codes and print receipts for arbitrary codes: never an anonymous request.
//! [`PrintAccess`] is the one guard every print endpoint takes. Today it accepts the sync feed's
//! credentials (the main store signs its GET like a push, see [`crate::sync::auth`]); a staff
//! session becomes a second accepted credential by adding one check and one [`Credential`]
//! variant here, without touching the handlers.

use std::future::{ready, Ready};

use actix_web::dev::Payload;
use actix_web::{web, FromRequest, HttpRequest};

use super::QrState;
use crate::error::{AppError, Code};
use crate::sync::auth::{AuthError, SIGNATURE_HEADER, TIMESTAMP_HEADER};

/// The credential a print request was accepted with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Credential {
    /// Signed with a sync secret (the main dossier store).
    SyncFeed,
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
    /// Checks the request's credentials.
    pub fn check(req: &HttpRequest) -> Result<Self, AppError> {
        let state = req
            .app_data::<web::Data<QrState>>()
            .ok_or_else(|| AppError::internal(anyhow::anyhow!("QR state is not registered")))?;
        // A staff session, once the staff console exists, is checked here first.
        let header_text = |name: &str| req.headers().get(name).and_then(|v| v.to_str().ok());
        let (timestamp, signature) = (header_text(TIMESTAMP_HEADER), header_text(SIGNATURE_HEADER));
        if timestamp.is_none() && signature.is_none() {
            return Err(AppError::new(Code::CredentialsRequired));
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
    type Future = Ready<Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(Self::check(req))
    }
}
