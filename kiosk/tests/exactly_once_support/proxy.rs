//! A fault-injecting HTTP/1.1 proxy between the kiosk and the hall, on 127.0.0.1:0.
//!
//! It reads each request whole (head and `Content-Length` body), then does what its
//! [`Fault`] says: pass it on, refuse connections, answer 500 itself, hold it past the
//! kiosk's timeout before passing it on, answer an HTML error page of its own (as a reverse
//! proxy or captive portal would), or pass it on and then drop the connection without
//! the answer (the hall stored it, the kiosk never heard). One request per connection
//! (`connection: close` both ways), so every request meets the fault in force when it came.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

use super::rng::SplitMix;

/// What the proxy does to the requests it gets.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Fault {
    /// Passes requests and answers through.
    Pass,
    /// Closes its listening socket: connections are refused.
    Stopped,
    /// Answers `500 Internal Server Error` itself; the hall sees nothing.
    Http500,
    /// Holds each request this long, then passes it on (the hall gets it late).
    Slow(Duration),
    /// Passes the request on, reads the hall's answer, and resets the kiosk's connection.
    DropResponse,
    /// Answers this status itself with an HTML page (not the hall's JSON error body); the
    /// hall sees nothing.
    HtmlPage(u16),
    /// Passes the request on (the hall stores it), then answers the kiosk with this status
    /// and an HTML page instead of the hall's answer: a gateway that failed on the way back.
    HtmlAfterHall(u16),
    /// Picks one of the others per request with the proxy's seeded generator
    /// (half pass, the rest 500, slow and dropped answers).
    Chaos(Duration),
}

/// What the proxy did so far.
#[derive(Debug, Default)]
pub struct Counters {
    /// Requests passed on to the hall (including slowed and dropped ones).
    pub forwarded: AtomicU64,
    /// Requests answered 500 by the proxy.
    pub http500: AtomicU64,
    /// Requests answered with an HTML error page by the proxy.
    pub html_pages: AtomicU64,
    /// Requests held past the kiosk's timeout.
    pub slowed: AtomicU64,
    /// Answers of the hall thrown away.
    pub dropped: AtomicU64,
    /// Requests that found the hall down (connection refused upstream).
    pub upstream_down: AtomicU64,
    /// Requests being handled now.
    pub in_flight: AtomicU64,
}

impl Counters {
    /// A counter's value.
    pub fn get(counter: &AtomicU64) -> u64 {
        counter.load(Ordering::SeqCst)
    }
}

struct Shared {
    upstream: SocketAddr,
    fault: watch::Receiver<Fault>,
    rng: Mutex<SplitMix>,
    counters: Counters,
}

/// The running proxy; stops when dropped.
pub struct FaultProxy {
    /// Where the kiosk should send its requests.
    pub addr: SocketAddr,
    set: watch::Sender<Fault>,
    shared: Arc<Shared>,
    task: tokio::task::JoinHandle<()>,
}

impl std::fmt::Debug for FaultProxy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FaultProxy")
            .field("addr", &self.addr)
            .field("fault", &*self.set.borrow())
            .finish()
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Never wait on a socket longer than this.
const IO_LIMIT: Duration = Duration::from_secs(30);
const HEAD_LIMIT: usize = 64 * 1024;

impl FaultProxy {
    /// Starts a proxy to `upstream` passing everything; `seed` drives [`Fault::Chaos`].
    pub async fn start(upstream: SocketAddr, seed: u64) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind the proxy");
        let addr = listener.local_addr().expect("proxy address");
        let (set, fault) = watch::channel(Fault::Pass);
        let shared = Arc::new(Shared {
            upstream,
            fault,
            rng: Mutex::new(SplitMix::new(seed)),
            counters: Counters::default(),
        });
        let task = tokio::spawn(accept_loop(listener, addr, shared.clone()));
        FaultProxy {
            addr,
            set,
            shared,
            task,
        }
    }

    /// The base URL the kiosk should use.
    pub fn url(&self) -> String {
        format!("http://{}/", self.addr)
    }

    /// Changes what happens to the next requests.
    pub fn set(&self, fault: Fault) {
        self.set.send_replace(fault);
    }

    /// What the proxy did so far.
    pub fn counters(&self) -> &Counters {
        &self.shared.counters
    }

    /// Waits until no request is held or being passed on (slowed ones reach the hall late).
    pub async fn settle(&self) {
        for _ in 0..600 {
            if Counters::get(&self.shared.counters.in_flight) == 0 {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("the proxy still has requests in flight after 30 s");
    }
}

async fn accept_loop(listener: TcpListener, addr: SocketAddr, shared: Arc<Shared>) {
    let mut fault = shared.fault.clone();
    let mut listener = Some(listener);
    loop {
        if *fault.borrow_and_update() == Fault::Stopped {
            listener = None; // closed: the kernel refuses connections
            if fault.changed().await.is_err() {
                return;
            }
            continue;
        }
        let active = match &listener {
            Some(l) => l,
            None => {
                listener = Some(rebind(addr).await);
                continue;
            }
        };
        tokio::select! {
            accepted = active.accept() => {
                if let Ok((stream, _)) = accepted {
                    tokio::spawn(handle(stream, shared.clone()));
                }
            }
            changed = fault.changed() => {
                if changed.is_err() {
                    return;
                }
            }
        }
    }
}

async fn rebind(addr: SocketAddr) -> TcpListener {
    for _ in 0..50 {
        if let Ok(listener) = TcpListener::bind(addr).await {
            return listener;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("cannot bind the proxy to {addr} again");
}

/// Decrements `in_flight` however the handler ends.
struct InFlight<'a>(&'a AtomicU64);

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

async fn handle(mut client: TcpStream, shared: Arc<Shared>) {
    let counters = &shared.counters;
    counters.in_flight.fetch_add(1, Ordering::SeqCst);
    let _guard = InFlight(&counters.in_flight);
    let Ok(Ok(request)) = tokio::time::timeout(IO_LIMIT, read_request(&mut client)).await else {
        return;
    };
    let mut fault = *shared.fault.borrow();
    if let Fault::Chaos(slow) = fault {
        let draw = shared
            .rng
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .below(8);
        fault = match draw {
            0 => Fault::Http500,
            1 => Fault::Slow(slow),
            2 | 3 => Fault::DropResponse,
            _ => Fault::Pass,
        };
    }
    match fault {
        Fault::Stopped => reset(client),
        Fault::Http500 => {
            counters.http500.fetch_add(1, Ordering::SeqCst);
            let body = "injected by the test proxy";
            let answer = format!(
                "HTTP/1.1 500 Internal Server Error\r\ncontent-type: text/plain\r\n\
                 content-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = client.write_all(answer.as_bytes()).await;
            let _ = client.shutdown().await;
        }
        Fault::HtmlPage(status) => {
            counters.html_pages.fetch_add(1, Ordering::SeqCst);
            html_page(client, status).await;
        }
        Fault::HtmlAfterHall(status) => {
            counters.html_pages.fetch_add(1, Ordering::SeqCst);
            relay(client, &request, &shared, After::Html(status)).await;
        }
        Fault::Slow(delay) => {
            counters.slowed.fetch_add(1, Ordering::SeqCst);
            tokio::time::sleep(delay).await;
            relay(client, &request, &shared, After::Answer).await;
        }
        Fault::DropResponse => relay(client, &request, &shared, After::Drop).await,
        Fault::Pass | Fault::Chaos(_) => relay(client, &request, &shared, After::Answer).await,
    }
}

/// Passes `request` to the hall and its answer back (or drops the answer).
/// An HTML error page of a proxy, in place of any answer of the hall.
async fn html_page(mut client: TcpStream, status: u16) {
    let body = format!(
        "<html><head><title>{status}</title></head><body><h1>{status}</h1>\
         <hr><center>nginx</center></body></html>"
    );
    let answer = format!(
        "HTTP/1.1 {status} Proxy Says No\r\ncontent-type: text/html\r\n\
         content-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = client.write_all(answer.as_bytes()).await;
    let _ = client.shutdown().await;
}

/// What the kiosk gets once the hall has answered.
#[derive(Clone, Copy)]
enum After {
    /// The hall's answer.
    Answer,
    /// Nothing: the connection is reset.
    Drop,
    /// A proxy's HTML page with this status.
    Html(u16),
}

async fn relay(mut client: TcpStream, request: &[u8], shared: &Shared, after: After) {
    let counters = &shared.counters;
    let Ok(Ok(mut upstream)) =
        tokio::time::timeout(IO_LIMIT, TcpStream::connect(shared.upstream)).await
    else {
        counters.upstream_down.fetch_add(1, Ordering::SeqCst);
        reset(client);
        return;
    };
    counters.forwarded.fetch_add(1, Ordering::SeqCst);
    let exchange = async {
        upstream.write_all(request).await?;
        let mut answer = Vec::new();
        upstream.read_to_end(&mut answer).await?;
        Ok::<_, std::io::Error>(answer)
    };
    let answer = match tokio::time::timeout(IO_LIMIT, exchange).await {
        Ok(Ok(answer)) if !answer.is_empty() => answer,
        _ => {
            reset(client);
            return;
        }
    };
    match after {
        After::Answer => {}
        After::Drop => {
            counters.dropped.fetch_add(1, Ordering::SeqCst);
            reset(client);
            return;
        }
        After::Html(status) => return html_page(client, status).await,
    }
    let _ = client.write_all(&answer).await;
    let _ = client.shutdown().await;
}

/// Closes with a reset, as a crashed peer or a cut line would.
fn reset(stream: TcpStream) {
    // Deprecated because a non-zero linger blocks on drop; a zero linger resets at once.
    #[allow(deprecated)]
    let _ = stream.set_linger(Some(Duration::ZERO));
    drop(stream);
}

/// Reads one request and returns it rewritten with `connection: close`.
async fn read_request(client: &mut TcpStream) -> std::io::Result<Vec<u8>> {
    let invalid =
        |what: &str| std::io::Error::new(std::io::ErrorKind::InvalidData, what.to_owned());
    let mut buf = Vec::with_capacity(4096);
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        if buf.len() > HEAD_LIMIT {
            return Err(invalid("request head too large"));
        }
        let mut chunk = [0u8; 4096];
        let n = client.read(&mut chunk).await?;
        if n == 0 {
            return Err(invalid("closed before the request head ended"));
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = std::str::from_utf8(&buf[..head_end]).map_err(|_| invalid("head not UTF-8"))?;
    let mut lines = head.split("\r\n").filter(|l| !l.is_empty());
    let request_line = lines.next().ok_or_else(|| invalid("no request line"))?;
    let mut out = format!("{request_line}\r\n");
    let mut length = 0usize;
    for line in lines {
        let (name, value) = line.split_once(':').ok_or_else(|| invalid("bad header"))?;
        let name_lower = name.trim().to_ascii_lowercase();
        match name_lower.as_str() {
            "connection" | "keep-alive" => continue,
            "transfer-encoding" => return Err(invalid("chunked bodies are not supported")),
            "content-length" => {
                length = value
                    .trim()
                    .parse()
                    .map_err(|_| invalid("bad content-length"))?;
            }
            _ => {}
        }
        out.push_str(line);
        out.push_str("\r\n");
    }
    out.push_str("connection: close\r\n\r\n");
    let mut body = buf[head_end..].to_vec();
    while body.len() < length {
        let mut chunk = vec![0u8; length - body.len()];
        let n = client.read(&mut chunk).await?;
        if n == 0 {
            return Err(invalid("closed before the body ended"));
        }
        body.extend_from_slice(&chunk[..n]);
    }
    let mut request = out.into_bytes();
    request.extend_from_slice(&body);
    Ok(request)
}
