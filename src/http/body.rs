//! Reading a request body with a size limit. [`read_limited`] says what went wrong in its own
//! terms, so each channel can answer with its own error; [`read_body`] is the answer most
//! channels give (invalid input, or too large with the default message).

use actix_web::error::PayloadError;
use actix_web::web;
use bytes::BytesMut;
use futures_util::StreamExt;

use crate::error::{AppError, Code};

/// Why a body could not be read.
#[derive(Debug)]
pub enum BodyError {
    /// It grew past the limit; reading stopped there.
    TooLarge,
    /// The stream broke (e.g. a malformed chunk or a dropped connection).
    Broken(PayloadError),
}

/// Reads a request body up to `limit` bytes, stopping as soon as it would pass the limit.
pub async fn read_limited(mut payload: web::Payload, limit: usize) -> Result<BytesMut, BodyError> {
    let mut body = BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(BodyError::Broken)?;
        if body.len() + chunk.len() > limit {
            return Err(BodyError::TooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// Reads a request body up to `limit` bytes: a broken stream is invalid input, a body past the
/// limit is too large (each with its default message).
pub async fn read_body(payload: web::Payload, limit: usize) -> Result<BytesMut, AppError> {
    read_limited(payload, limit)
        .await
        .map_err(|error| match error {
            BodyError::TooLarge => AppError::new(Code::PayloadTooLarge),
            BodyError::Broken(_) => AppError::new(Code::InvalidInput),
        })
}
