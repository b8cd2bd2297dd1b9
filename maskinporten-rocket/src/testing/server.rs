//! A small HTTP/1.1 server on 127.0.0.1 for the stand-ins: enough of the
//! protocol for reqwest (Content-Length bodies, keep-alive), with hooks to
//! answer slowly or wrongly on command.

use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

/// Requests larger than this are cut off: the stand-ins only ever receive
/// small GETs and token POSTs.
const MAX_REQUEST_BYTES: usize = 256 * 1024;

/// A request as the stand-ins see it.
pub(crate) struct Request {
    pub(crate) method: String,
    pub(crate) path: String,
    pub(crate) content_type: Option<String>,
    pub(crate) body: Vec<u8>,
}

/// An answer: status, content type and body.
pub(crate) struct Answer {
    pub(crate) status: u16,
    pub(crate) content_type: &'static str,
    pub(crate) body: Vec<u8>,
}

impl Answer {
    pub(crate) fn json(value: &serde_json::Value) -> Answer {
        Answer {
            status: 200,
            content_type: "application/json",
            body: value.to_string().into_bytes(),
        }
    }

    pub(crate) fn status(status: u16, body: &str) -> Answer {
        Answer {
            status,
            content_type: "text/plain",
            body: body.as_bytes().to_vec(),
        }
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

/// A running server; stops accepting when dropped.
pub(crate) struct Server {
    addr: SocketAddr,
    accept: JoinHandle<()>,
}

impl Server {
    pub(crate) async fn start(handler: Handler) -> std::io::Result<Server> {
        let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
        let addr = listener.local_addr()?;
        let accept = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(serve(stream, handler.clone()));
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

/// Serves requests on one connection until the client closes it (HTTP/1.1
/// keep-alive, as reqwest's pool expects of Texas).
async fn serve(mut stream: TcpStream, handler: Handler) {
    let mut buf = Vec::new();
    while let Some(request) = read_request(&mut stream, &mut buf).await {
        let answer = handler(request).await;
        let reason = match answer.status {
            200 => "OK",
            404 => "Not Found",
            500 => "Internal Server Error",
            _ => "Status",
        };
        let head = format!(
            "HTTP/1.1 {} {reason}\r\ncontent-type: {}\r\ncontent-length: {}\r\n\r\n",
            answer.status,
            answer.content_type,
            answer.body.len()
        );
        let mut response = head.into_bytes();
        response.extend_from_slice(&answer.body);
        if stream.write_all(&response).await.is_err() {
            return;
        }
    }
}

/// Reads one request from `stream`; `buf` keeps bytes already read that
/// belong to the next request.
async fn read_request(stream: &mut TcpStream, buf: &mut Vec<u8>) -> Option<Request> {
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        if let Some(pos) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break pos;
        }
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 || buf.len() + n > MAX_REQUEST_BYTES {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let mut request_line = lines.next()?.split(' ');
    let (method, path) = (
        request_line.next()?.to_owned(),
        request_line.next()?.to_owned(),
    );
    let mut content_length = 0usize;
    let mut content_type = None;
    for line in lines {
        let (name, value) = line.split_once(':')?;
        let value = value.trim();
        if name.eq_ignore_ascii_case("content-length") {
            content_length = value.parse().ok()?;
        } else if name.eq_ignore_ascii_case("content-type") {
            content_type = Some(value.to_owned());
        }
    }
    if content_length > MAX_REQUEST_BYTES {
        return None;
    }
    let body_start = head_end + 4;
    while buf.len() < body_start + content_length {
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    let body = buf[body_start..body_start + content_length].to_vec();
    buf.drain(..body_start + content_length);
    Some(Request {
        method,
        path,
        content_type,
        body,
    })
}
