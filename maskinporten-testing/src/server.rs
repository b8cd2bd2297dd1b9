//! The HTTP side the stand-ins share: hyper's HTTP/1.1 server on 127.0.0.1,
//! with hooks to answer slowly or wrongly on command.

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::header::{AUTHORIZATION, CONTENT_TYPE, HeaderName, HeaderValue, ORIGIN};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Response, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::task::{JoinHandle, JoinSet};

/// Bodies larger than this are refused: the stand-ins only ever receive
/// small GETs and introspection POSTs.
const MAX_BODY_BYTES: usize = 256 * 1024;

/// A request as the stand-ins see it.
pub(crate) struct Request {
    pub(crate) method: hyper::Method,
    pub(crate) path: String,
    pub(crate) content_type: Option<String>,
    /// `Authorization`, for the token endpoint's HTTP Basic clients.
    pub(crate) authorization: Option<String>,
    /// `Origin`, for the token endpoint's CORS answers.
    pub(crate) origin: Option<String>,
    pub(crate) body: Bytes,
}

/// An answer: status, content type and body.
pub(crate) struct Answer {
    pub(crate) status: u16,
    pub(crate) content_type: &'static str,
    pub(crate) body: Vec<u8>,
    /// Headers beyond `Content-Type` (CORS, `Cache-Control`, `Allow`).
    pub(crate) headers: Vec<(&'static str, String)>,
}

impl Answer {
    pub(crate) fn json(value: &serde_json::Value) -> Answer {
        Answer {
            status: 200,
            content_type: "application/json",
            body: value.to_string().into_bytes(),
            headers: Vec::new(),
        }
    }

    pub(crate) fn status(status: u16, body: &str) -> Answer {
        Answer {
            status,
            content_type: "text/plain",
            body: body.as_bytes().to_vec(),
            headers: Vec::new(),
        }
    }

    /// The same answer with one more header.
    pub(crate) fn with_header(mut self, name: &'static str, value: impl Into<String>) -> Answer {
        self.headers.push((name, value.into()));
        self
    }

    fn into_response(self) -> Response<Full<Bytes>> {
        let mut response = Response::new(Full::new(Bytes::from(self.body)));
        // A status a test asks for outside 100..=999 cannot be sent; 500
        // is the nearest honest failure.
        *response.status_mut() =
            StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        response
            .headers_mut()
            .insert(CONTENT_TYPE, HeaderValue::from_static(self.content_type));
        for (name, value) in self.headers {
            // The values are ours or an echoed `Origin`, which hyper already
            // accepted as a header value; one that is not is left out.
            if let Ok(value) = HeaderValue::from_str(&value) {
                response
                    .headers_mut()
                    .append(HeaderName::from_static(name), value);
            }
        }
        response
    }
}

/// A failure a stand-in can be told to show, for the tests of what happens
/// when the issuer or Texas misbehaves.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Fault {
    None,
    Status(u16),
    Garbage,
    /// 200 with this JSON body, whatever was asked.
    Json(String),
    Stall(Duration),
}

/// The fault a stand-in shows now; changed by the test at any time.
pub(crate) struct Faults(Mutex<Fault>);

impl Faults {
    pub(crate) fn new() -> Faults {
        Faults(Mutex::new(Fault::None))
    }

    pub(crate) fn set(&self, fault: Fault) {
        // A test that panicked while holding the lock already failed; the
        // fault inside is still a valid value.
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = fault;
    }

    /// Shows the current fault: `Some(answer)` replaces the normal answer,
    /// `None` lets it through (after the stall, if one is set).
    pub(crate) async fn apply(&self) -> Option<Answer> {
        let fault = self.0.lock().unwrap_or_else(|e| e.into_inner()).clone();
        match fault {
            Fault::None => None,
            Fault::Status(code) => Some(Answer::status(code, "failing on purpose")),
            Fault::Garbage => Some(Answer::status(200, "<html>not json")),
            Fault::Json(body) => Some(Answer {
                status: 200,
                content_type: "application/json",
                body: body.into_bytes(),
                headers: Vec::new(),
            }),
            Fault::Stall(delay) => {
                tokio::time::sleep(delay).await;
                None
            }
        }
    }
}

pub(crate) type Handler =
    Arc<dyn Fn(Request) -> Pin<Box<dyn Future<Output = Answer> + Send>> + Send + Sync>;

/// A running server. Dropping it stops accepting and closes every open
/// connection, so a dropped stand-in is gone as a real outage would be.
pub(crate) struct Server {
    addr: SocketAddr,
    accept: JoinHandle<()>,
}

impl Server {
    /// Serves `handler` on `127.0.0.1:port` (0: any free port).
    pub(crate) async fn start(port: u16, handler: Handler) -> std::io::Result<Server> {
        let listener = TcpListener::bind(("127.0.0.1", port)).await?;
        let addr = listener.local_addr()?;
        let accept = tokio::spawn(async move {
            // Owned by this task: aborting it drops the set, which aborts
            // every connection with it.
            let mut connections = JoinSet::new();
            loop {
                tokio::select! {
                    accepted = listener.accept() => {
                        // An accept error is about one connection (the
                        // client went away, too many open files for a
                        // moment); the listener itself is still good.
                        let Ok((stream, _)) = accepted else { continue };
                        connections.spawn(serve(stream, handler.clone()));
                    }
                    // Reap finished connections so the set does not grow
                    // over a long `maskinporten-stand-in` session.
                    Some(_) = connections.join_next(), if !connections.is_empty() => {}
                }
            }
        });
        Ok(Server { addr, accept })
    }

    pub(crate) fn addr(&self) -> SocketAddr {
        self.addr
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.accept.abort();
    }
}

/// Serves one connection with HTTP/1.1 keep-alive, as reqwest's pool
/// expects of the issuer and of Texas.
async fn serve(stream: tokio::net::TcpStream, handler: Handler) {
    let service = service_fn(move |request: hyper::Request<Incoming>| {
        let handler = handler.clone();
        async move {
            let answer = match read(request).await {
                Some(request) => handler(request).await,
                None => Answer::status(413, "request body too large or cut off"),
            };
            Ok::<_, Infallible>(answer.into_response())
        }
    });
    // A connection error is the client's business (it hung up mid-request);
    // the next connection is served as usual.
    let _ = http1::Builder::new()
        .serve_connection(TokioIo::new(stream), service)
        .await;
}

/// The parts of a request the stand-ins look at, with the body read whole.
async fn read(request: hyper::Request<Incoming>) -> Option<Request> {
    let (parts, body) = request.into_parts();
    let body = Limited::new(body, MAX_BODY_BYTES)
        .collect()
        .await
        .ok()?
        .to_bytes();
    let header = |name| {
        parts
            .headers
            .get(name)
            .and_then(|v: &HeaderValue| v.to_str().ok())
            .map(str::to_owned)
    };
    Some(Request {
        method: parts.method.clone(),
        path: parts.uri.path().to_owned(),
        content_type: header(CONTENT_TYPE),
        authorization: header(AUTHORIZATION),
        origin: header(ORIGIN),
        body,
    })
}
