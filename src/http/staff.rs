//! The signed-in staff member as a handler argument: `StaffSession` read from the request's
//! session cookie through the staff service.

use std::future::Future;
use std::pin::Pin;

use actix_web::{FromRequest, HttpRequest};

use super::{app_data, AppState};
use crate::error::AppError;
use crate::staff::{authenticate, StaffSession};

impl FromRequest for StaffSession {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let state = app_data::<AppState>(&req)?;
            authenticate(&req, &state.pool).await
        })
    }
}
