//! Reading a request body with a size limit and within a time limit. [`read_limited`] says what
//! went wrong in its own terms, so each channel can answer with its own error; [`read_body`] is
//! the answer most channels give (invalid input, too large, too slow with the default message).
//! [`limit_body_time`] puts the time limits on every request that has a body.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use actix_web::body::MessageBody;
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::error::PayloadError;
use actix_web::http::header;
use actix_web::middleware::Next;
use actix_web::{web, HttpMessage};
use bytes::{Bytes, BytesMut};
use futures_util::{Stream, StreamExt};
use tokio::time::{sleep, Instant, Sleep};

use crate::error::{AppError, Code};

/// Why a body could not be read.
#[derive(Debug)]
pub enum BodyError {
    /// It grew past the limit; reading stopped there.
    TooLarge,
    /// The body paused too long, or took too long as a whole ([`limit_body_time`]).
    TimedOut,
    /// The stream broke (e.g. a malformed chunk or a dropped connection).
    Broken(PayloadError),
}

/// Reads a request body up to `limit` bytes, stopping as soon as it would pass the limit.
pub async fn read_limited(payload: web::Payload, limit: usize) -> Result<BytesMut, BodyError> {
    read_limited_sized(payload, limit, None).await
}

/// [`read_limited`] into a buffer made for the `declared` length (at most `limit`), so that a large
/// body is not copied as its buffer grows (nor held twice while it does).
pub async fn read_limited_sized(
    mut payload: web::Payload,
    limit: usize,
    declared: Option<u64>,
) -> Result<BytesMut, BodyError> {
    let capacity = declared.map_or(0, |length| {
        usize::try_from(length).unwrap_or(limit).min(limit)
    });
    let mut body = BytesMut::with_capacity(capacity);
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|error| match error {
            PayloadError::Io(io) if io.kind() == std::io::ErrorKind::TimedOut => {
                BodyError::TimedOut
            }
            other => BodyError::Broken(other),
        })?;
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
            BodyError::TimedOut => AppError::new(Code::BodyTimeout),
            BodyError::Broken(_) => AppError::new(Code::InvalidInput),
        })
}

/// A request body that fails with "timed out" when it pauses longer than `idle` between two
/// pieces or takes longer than `total` as a whole, so a client that sends a head and a few bytes
/// cannot hold a connection and a worker's attention.
struct TimedBody {
    inner: Payload,
    idle: Duration,
    pause: Pin<Box<Sleep>>,
    whole: Pin<Box<Sleep>>,
    done: bool,
}

impl TimedBody {
    fn new(inner: Payload, idle: Duration, total: Duration) -> Self {
        Self {
            inner,
            idle,
            pause: Box::pin(sleep(idle)),
            whole: Box::pin(sleep(total)),
            done: false,
        }
    }
}

impl Stream for TimedBody {
    type Item = Result<Bytes, PayloadError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        if self.done {
            return Poll::Ready(None);
        }
        if let Poll::Ready(item) = Pin::new(&mut self.inner).poll_next(cx) {
            let next = Instant::now() + self.idle;
            self.pause.as_mut().reset(next);
            return Poll::Ready(item);
        }
        let paused = self.pause.as_mut().poll(cx).is_ready();
        let overrun = self.whole.as_mut().poll(cx).is_ready();
        if paused || overrun {
            self.done = true;
            let error = std::io::Error::new(
                std::io::ErrorKind::TimedOut,
                "the request body arrived too slowly",
            );
            return Poll::Ready(Some(Err(PayloadError::Io(error))));
        }
        Poll::Pending
    }
}

/// Middleware: every request that announces a body reads it within the time limits of the
/// settings (`http.body_idle_timeout_secs`, `http.body_total_timeout_secs`).
pub async fn limit_body_time(
    mut req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let has_body = req.headers().contains_key(header::CONTENT_LENGTH)
        || req.headers().contains_key(header::TRANSFER_ENCODING);
    let limits = req.app_data::<web::Data<super::AppState>>().map(|state| {
        let http = &state.settings.http;
        (
            Duration::from_secs(http.body_idle_timeout_secs),
            Duration::from_secs(http.body_total_timeout_secs),
        )
    });
    if let (true, Some((idle, total))) = (has_body, limits) {
        let inner = req.take_payload();
        let timed: Pin<Box<dyn Stream<Item = Result<Bytes, PayloadError>>>> =
            Box::pin(TimedBody::new(inner, idle, total));
        req.set_payload(Payload::from(timed));
    }
    next.call(req).await
}

/// The largest body a request to `path` may carry: a sync push's limit under `/sync/`, otherwise
/// the larger of the general and the questions-and-feedback limits.
pub fn body_limit_for(path: &str, settings: &crate::config::Settings) -> usize {
    if path.starts_with("/sync/") {
        settings.sync.max_body_bytes
    } else {
        settings
            .http
            .max_body_bytes
            .max(settings.intake.max_request_bytes)
    }
}

/// The answer to `Expect: 100-continue`, before any body is sent: `Ok` to invite the body, or the
/// `413` a body of the declared length would get anyway, so the client never sends it.
pub fn expect_continue(
    request: actix_http::Request,
    settings: &crate::config::Settings,
) -> Result<actix_http::Request, actix_http::Response<actix_web::body::BoxBody>> {
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    let limit = body_limit_for(request.path(), settings);
    match declared {
        Some(length) if length > limit as u64 => {
            let error = AppError::with_message(
                Code::PayloadTooLarge,
                format!("Dữ liệu gửi lên vượt quá {limit} byte."),
            );
            Err(actix_web::ResponseError::error_response(&error).into())
        }
        _ => Ok(request),
    }
}
