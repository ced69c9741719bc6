//! HTTP/1.1 over hyper: the accept loop, the connection limits, graceful shutdown, and the
//! same connection handling over an in-memory pipe (for fuzzing and tests).
//!
//! hyper does the framing: an invalid or repeated `Content-Length` with differing values, a
//! bad chunk, a header section over [`MAX_HEAD_BYTES`] or with more than [`MAX_HEADERS`]
//! fields is a 400 (or 431) and the connection is closed. A request asking for an upgrade
//! is answered as any other request: the endpoint never switches protocols.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::sync::{Semaphore, watch};

use crate::server::routes::{Shared, handle};

/// The most bytes of a request line and headers (hyper's read buffer).
pub const MAX_HEAD_BYTES: usize = 64 * 1024;
/// The most header fields in a request.
pub const MAX_HEADERS: usize = 100;
/// How long a client may take to send a request's head once it has started.
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(30);
/// How long a client may take to send a request's body.
pub const BODY_READ_TIMEOUT: Duration = Duration::from_secs(60);
/// The most connections served at once; more wait in the listen queue.
pub const MAX_CONNECTIONS: usize = 1024;
/// How long shutdown waits for requests in flight.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

fn builder() -> http1::Builder {
    let mut b = http1::Builder::new();
    b.timer(TokioTimer::new())
        .header_read_timeout(HEADER_READ_TIMEOUT)
        .max_headers(MAX_HEADERS)
        .max_buf_size(MAX_HEAD_BYTES)
        .keep_alive(true);
    b
}

/// Accepts and serves connections until `stop` turns true, then lets requests in flight
/// finish (for at most [`SHUTDOWN_GRACE`]).
pub(crate) async fn serve(
    listener: TcpListener,
    shared: Arc<Shared>,
    mut stop: watch::Receiver<bool>,
) {
    let graceful = GracefulShutdown::new();
    let permits = Arc::new(Semaphore::new(MAX_CONNECTIONS));
    let builder = builder();
    loop {
        let permit = tokio::select! {
            p = Arc::clone(&permits).acquire_owned() => p.expect("the semaphore is never closed"),
            _ = stop.changed() => break,
        };
        let stream = tokio::select! {
            r = listener.accept() => match r {
                Ok((stream, _)) => stream,
                // Out of file descriptors and the like: wait, then accept again.
                Err(_) => {
                    tokio::time::sleep(Duration::from_millis(20)).await;
                    continue;
                }
            },
            _ = stop.changed() => break,
        };
        let _ = stream.set_nodelay(true);
        let shared = Arc::clone(&shared);
        let conn = builder.serve_connection(
            TokioIo::new(stream),
            service_fn(move |req| {
                let shared = Arc::clone(&shared);
                async move { Ok::<_, Infallible>(handle(shared, req).await) }
            }),
        );
        let conn = graceful.watch(conn);
        tokio::spawn(async move {
            // A connection error (bad framing, timeout, client gone) only ends that
            // connection; hyper has answered it when it could.
            let _ = conn.await;
            drop(permit);
        });
    }
    drop(listener);
    tokio::select! {
        () = graceful.shutdown() => {}
        () = tokio::time::sleep(SHUTDOWN_GRACE) => {}
    }
}

/// Serves the bytes of `request` (one or more requests) as a connection would, and gives
/// what was written back, up to the point the connection was closed.
pub(crate) async fn answer_raw(shared: Arc<Shared>, request: Vec<u8>) -> Vec<u8> {
    let (client, server) = tokio::io::duplex(64 * 1024);
    let mut b = builder();
    // The pipe is closed for writing once the request is in: still answer it.
    b.half_close(true);
    let conn = b.serve_connection(
        TokioIo::new(server),
        service_fn(move |req| {
            let shared = Arc::clone(&shared);
            async move { Ok::<_, Infallible>(handle(shared, req).await) }
        }),
    );
    let served = tokio::spawn(conn);
    let (mut read, mut write) = tokio::io::split(client);
    let writer = tokio::spawn(async move {
        let _ = write.write_all(&request).await;
        let _ = write.shutdown().await;
    });
    let mut out = Vec::new();
    let _ = tokio::time::timeout(HEADER_READ_TIMEOUT, read.read_to_end(&mut out)).await;
    writer.abort();
    served.abort();
    out
}
