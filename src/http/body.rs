//! Reading a request body with a size limit.

use actix_web::web;
use bytes::BytesMut;
use futures_util::StreamExt;

use crate::error::{AppError, Code};

/// Reads a request body up to `limit` bytes.
pub async fn read_body(mut payload: web::Payload, limit: usize) -> Result<BytesMut, AppError> {
    let mut body = BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|_| AppError::new(Code::InvalidInput))?;
        if body.len() + chunk.len() > limit {
            return Err(AppError::new(Code::PayloadTooLarge));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}
