//! The sandbox as a server among others: it must survive clients that misbehave. Slow clients get a
//! deadline for their headers (which is also how long an idle keep-alive connection is kept) and for
//! their body; the number of open connections is capped (past it, new ones wait in the kernel's
//! backlog); and running out of file descriptors makes the accept loop back off instead of spinning.

use super::{serve_one, Running, Sandbox};
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;

/// How much a client may take from the sandbox.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Limits {
    /// The request line and headers must arrive within this; also an idle keep-alive connection's life.
    pub header_timeout: Duration,
    /// The body must arrive within this once the headers have.
    pub body_timeout: Duration,
    /// Connections served at once.
    pub max_connections: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            header_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(30),
            max_connections: 512,
        }
    }
}

/// How long the accept loop waits after an error that says the process or system is out of
/// resources (file descriptors, memory): the next accept would fail the same way at once.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(100);

/// Serves the sandbox on `addr` (port 0 for any free one).
pub async fn start(sandbox: Arc<Sandbox>, addr: SocketAddr) -> std::io::Result<Running> {
    let listener = TcpListener::bind(addr).await?;
    let addr = listener.local_addr()?;
    let answer_key = sandbox.answer_key().clone();
    let task = tokio::spawn(accept_loop(listener, sandbox));
    Ok(Running {
        addr,
        answer_key,
        task,
    })
}

async fn accept_loop(listener: TcpListener, sandbox: Arc<Sandbox>) {
    let limits = sandbox.options.limits;
    let slots = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let mut said_out_of_resources = false;
    loop {
        // A slot first: past the cap, connections wait in the backlog instead of being served badly.
        let Ok(slot) = slots.clone().acquire_owned().await else {
            return;
        };
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            Err(e) if out_of_resources(&e) => {
                if !said_out_of_resources && sandbox.options.log {
                    eprintln!("sandbox: cannot accept connections ({e}); backing off");
                }
                said_out_of_resources = true;
                tokio::time::sleep(ACCEPT_BACKOFF).await;
                continue;
            }
            // A connection that was reset before it was accepted: nothing to do.
            Err(_) => continue,
        };
        said_out_of_resources = false;
        let sandbox = sandbox.clone();
        tokio::spawn(async move {
            let service =
                service_fn(move |req| serve_one(sandbox.clone(), req, limits.body_timeout));
            let _ = hyper::server::conn::http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(limits.header_timeout)
                .serve_connection(TokioIo::new(stream), service)
                .await;
            drop(slot);
        });
    }
}

/// Errors that say the process or the system is out of something an accept needs.
#[cfg(unix)]
fn out_of_resources(e: &std::io::Error) -> bool {
    matches!(
        e.raw_os_error(),
        Some(libc::EMFILE | libc::ENFILE | libc::ENOBUFS | libc::ENOMEM)
    )
}

#[cfg(not(unix))]
fn out_of_resources(e: &std::io::Error) -> bool {
    e.kind() == std::io::ErrorKind::OutOfMemory
}
