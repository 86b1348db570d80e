//! A fake image host on loopback for `trendtap thumbnails`: a small HTTP/1.1 server (keep-alive,
//! one task per connection) written for the cases wiremock cannot serve: a body sent in part and
//! held until the test releases it, a body cut short of its Content-Length, a body without a
//! length; and for what only the server can measure: the downloads in flight at once, the
//! connections opened, the conditional headers received.

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use sha2::{Digest, Sha256};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Notify;

/// The Last-Modified of every image served.
pub const LAST_MODIFIED: &str = "Wed, 21 Oct 2015 07:28:00 GMT";

/// One answer to one request of a path.
#[derive(Debug, Clone)]
pub enum Reply {
    /// 200 `image/jpeg` with an ETag and Last-Modified; 304 when If-None-Match names the ETag.
    Image {
        /// The body.
        body: Vec<u8>,
        /// The ETag (quoted).
        etag: String,
    },
    /// A bare status, with a Retry-After when given.
    Status(u16, Option<u32>),
    /// 200 with an HTML error page, as a proxy or a captive portal sends.
    Html,
    /// 200 `image/jpeg` announcing `declared` bytes, sending `sent`, then closing.
    CutShort {
        /// Content-Length.
        declared: usize,
        /// Bytes actually sent.
        sent: usize,
    },
    /// 200 `image/jpeg` without Content-Length (the body ends when the connection closes).
    Unsized(Vec<u8>),
    /// 200 `image/jpeg`: the first half of the body, then the rest once [`ImageHost::release`]
    /// is called.
    Held(Vec<u8>),
}

/// A request as received.
#[derive(Debug, Clone)]
pub struct Seen {
    /// The path.
    pub path: String,
    /// Its headers, names in lowercase.
    pub headers: HashMap<String, String>,
}

#[derive(Default)]
struct State {
    /// Each path's answers in order; the last one answers every later request.
    routes: Mutex<HashMap<String, VecDeque<Reply>>>,
    seen: Mutex<Vec<Seen>>,
    in_flight: AtomicUsize,
    max_in_flight: AtomicUsize,
    connections: AtomicUsize,
    released: AtomicBool,
    changed: Notify,
    /// Hold the first answers until this many requests are in flight at once.
    barrier: Mutex<Option<usize>>,
}

/// A running fake image host.
pub struct ImageHost {
    addr: SocketAddr,
    state: Arc<State>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for ImageHost {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl ImageHost {
    /// Starts a host that answers 404 to every path until told otherwise.
    pub async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let state = Arc::new(State::default());
        let accepting = state.clone();
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                accepting.connections.fetch_add(1, Ordering::SeqCst);
                tokio::spawn(connection(stream, accepting.clone()));
            }
        });
        ImageHost { addr, state, task }
    }

    /// The URL of `path` (which starts with `/`).
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// Answers the requests of `path` with `replies`, in order, the last one for good.
    pub fn serve(&self, path: &str, replies: Vec<Reply>) {
        assert!(!replies.is_empty());
        let mut routes = self.state.routes.lock().unwrap();
        routes.insert(path.to_owned(), replies.into());
    }

    /// Holds the first answers until `n` requests are in flight at once (then a little longer,
    /// so that a request beyond `n` would be seen), or 10 s have passed.
    pub fn hold_until_in_flight(&self, n: usize) {
        *self.state.barrier.lock().unwrap() = Some(n);
    }

    /// Sends the rest of every [`Reply::Held`] body.
    pub fn release(&self) {
        self.state.released.store(true, Ordering::SeqCst);
        self.state.changed.notify_waiters();
    }

    /// Every request received so far.
    pub fn requests(&self) -> Vec<Seen> {
        self.state.seen.lock().unwrap().clone()
    }

    /// Requests received for `path`.
    pub fn requests_for(&self, path: &str) -> usize {
        self.requests().iter().filter(|r| r.path == path).count()
    }

    /// The most requests in flight at once: from a request's arrival to its answer's last byte.
    pub fn max_in_flight(&self) -> usize {
        self.state.max_in_flight.load(Ordering::SeqCst)
    }

    /// TCP connections accepted.
    pub fn connections(&self) -> usize {
        self.state.connections.load(Ordering::SeqCst)
    }
}

/// A JPEG-looking body of `size` bytes, different for each `seed`.
pub fn jpeg(seed: &str, size: usize) -> Vec<u8> {
    let mut body = vec![0xFF, 0xD8, 0xFF, 0xE0];
    while body.len() < size {
        body.extend_from_slice(seed.as_bytes());
        body.push(b'.');
    }
    body.truncate(size);
    body
}

/// Lowercase hex SHA-256.
pub fn sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Serves one connection's requests until it closes or an answer closes it.
async fn connection(mut stream: TcpStream, state: Arc<State>) {
    let mut buf = Vec::new();
    loop {
        let head = loop {
            if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                let head: Vec<u8> = buf.drain(..end + 4).collect();
                break String::from_utf8_lossy(&head).into_owned();
            }
            let mut chunk = [0u8; 4096];
            match stream.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
            }
        };
        let seen = parse(&head);
        let now = state.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        state.max_in_flight.fetch_max(now, Ordering::SeqCst);
        state.changed.notify_waiters();
        state.seen.lock().unwrap().push(seen.clone());
        wait_for_barrier(&state).await;
        let reply = next_reply(&state, &seen.path);
        let keep_open = answer(&mut stream, &state, &seen, reply).await;
        state.in_flight.fetch_sub(1, Ordering::SeqCst);
        if !keep_open {
            return;
        }
    }
}

fn parse(head: &str) -> Seen {
    let mut lines = head.split("\r\n");
    let path = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .unwrap_or("/")
        .to_owned();
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    Seen { path, headers }
}

fn next_reply(state: &State, path: &str) -> Reply {
    let mut routes = state.routes.lock().unwrap();
    match routes.get_mut(path) {
        Some(replies) if replies.len() > 1 => replies.pop_front().unwrap(),
        Some(replies) => replies[0].clone(),
        None => Reply::Status(404, None),
    }
}

async fn wait_for_barrier(state: &State) {
    let Some(n) = *state.barrier.lock().unwrap() else {
        return;
    };
    let reached = async {
        loop {
            let notified = state.changed.notified();
            if state.in_flight.load(Ordering::SeqCst) >= n {
                return;
            }
            notified.await;
        }
    };
    let _ = tokio::time::timeout(Duration::from_secs(10), reached).await;
    // Long enough for a request beyond the bound to arrive, if the client sent one.
    tokio::time::sleep(Duration::from_millis(200)).await;
    *state.barrier.lock().unwrap() = None;
}

/// Writes the answer; returns whether the connection stays open.
async fn answer(stream: &mut TcpStream, state: &State, seen: &Seen, reply: Reply) -> bool {
    let image = |length: Option<usize>, extra: &str| {
        let length = length.map_or(String::new(), |n| format!("Content-Length: {n}\r\n"));
        format!("HTTP/1.1 200 OK\r\nContent-Type: image/jpeg\r\n{length}{extra}\r\n")
    };
    let (head, body, close): (String, Vec<u8>, bool) = match reply {
        Reply::Image { body, etag } => {
            if seen.headers.get("if-none-match") == Some(&etag) {
                let head = format!("HTTP/1.1 304 Not Modified\r\nETag: {etag}\r\n\r\n");
                (head, Vec::new(), false)
            } else {
                let extra = format!("ETag: {etag}\r\nLast-Modified: {LAST_MODIFIED}\r\n");
                (image(Some(body.len()), &extra), body, false)
            }
        }
        Reply::Status(status, retry_after) => {
            let extra = retry_after.map_or(String::new(), |s| format!("Retry-After: {s}\r\n"));
            let head = format!("HTTP/1.1 {status} Whatever\r\nContent-Length: 0\r\n{extra}\r\n");
            (head, Vec::new(), false)
        }
        Reply::Html => {
            let body = b"<!DOCTYPE html><html><title>Error</title><p>Try again later</p></html>";
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\n\r\n",
                body.len()
            );
            (head, body.to_vec(), false)
        }
        Reply::CutShort { declared, sent } => (
            image(Some(declared), "Connection: close\r\n"),
            jpeg("cut", sent),
            true,
        ),
        Reply::Unsized(body) => (image(None, "Connection: close\r\n"), body, true),
        Reply::Held(body) => {
            let half = body.len() / 2;
            if write(
                stream,
                image(Some(body.len()), "").as_bytes(),
                &body[..half],
            )
            .await
            .is_err()
            {
                return false;
            }
            while !state.released.load(Ordering::SeqCst) {
                let notified = state.changed.notified();
                if state.released.load(Ordering::SeqCst) {
                    break;
                }
                notified.await;
            }
            return stream.write_all(&body[half..]).await.is_ok();
        }
    };
    let written = write(stream, head.as_bytes(), &body).await.is_ok();
    written && !close
}

async fn write(stream: &mut TcpStream, head: &[u8], body: &[u8]) -> std::io::Result<()> {
    stream.write_all(head).await?;
    stream.write_all(body).await?;
    stream.flush().await
}
