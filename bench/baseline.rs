//! The benchmark's baseline: a minimal actix-web server answering `GET /api/v1/dossiers/{code}`
//! with a constant JSON body of a given size, on the same number of workers as tracuu. It shows
//! what the HTTP stack alone costs on this machine, so tracuu's figures can be read as ratios.
//!
//! It runs on the same allocator as tracuu (mimalloc on transparent huge pages), so that the
//! ratio measures tracuu's own work and not a difference of allocators.
//!
//! Usage: `bench-baseline PORT BODY_BYTES [WORKERS]`.

use actix_web::http::header;
use actix_web::{web, App, HttpResponse, HttpServer};

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::io::Result<()> {
    tracuu::memory::allow_huge_pages();
    actix_web::rt::System::new().block_on(serve())
}

async fn serve() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let port: u16 = args.next().and_then(|a| a.parse().ok()).unwrap_or(18081);
    let size: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(1200);
    let workers: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(0);
    // A JSON object of exactly `size` bytes: {"pad":"xxxx..."}.
    let pad = size.saturating_sub(r#"{"pad":""}"#.len());
    let body = web::Bytes::from(format!(r#"{{"pad":"{}"}}"#, "x".repeat(pad)));
    let mut server = HttpServer::new(move || {
        let body = body.clone();
        App::new().route(
            "/api/v1/dossiers/{code}",
            web::get().to(move || {
                let body = body.clone();
                async move {
                    HttpResponse::Ok()
                        .insert_header((header::CONTENT_TYPE, "application/json; charset=utf-8"))
                        .insert_header((header::CACHE_CONTROL, "no-store"))
                        .body(body)
                }
            }),
        )
    })
    .bind(("127.0.0.1", port))?;
    if workers > 0 {
        server = server.workers(workers);
    }
    server.run().await
}
