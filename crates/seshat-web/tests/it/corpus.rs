//! The bad-input corpus against the web side: every HTTP route and every
//! WebSocket command fed the hostile values of [`seshat_testkit::hostile`],
//! and rows another program wrote into the database. Each answer must be
//! a clear refusal (4xx, an `error` event) or the documented answer, in
//! time; a bystander chat started first must be unchanged afterwards, and
//! no chat may appear except through a valid start.

use std::path::Path;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use seshat_client::{Client, Store};
use seshat_testkit::hostile::{self, HUGE_LEN};
use seshat_web::ws::SocketOptions;
use seshat_web::Options;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::Message;

use crate::support::{self, TestServer, REQUEST_DEADLINE};

/// What the bystander and their staff member wrote: no answer to anyone
/// else may contain it.
const BYSTANDER_LINE: &str = "the bystander's private line";
const STAFF_LINE: &str = "the staff member's private answer";

/// Longest wait for one WebSocket event; reached only when broken.
const EVENT_DEADLINE: Duration = Duration::from_secs(20);

/// The routes at `/chat`, the socket at `/wc/connect`, without rate
/// limits (so that a refusal is about the input, not its volume), and a
/// bystander's chat in the middle of a conversation.
struct Corpus {
    server: TestServer,
    socket_url: String,
    bystander_token: String,
    bystander_id: i64,
    /// The bystander's rows before the corpus ran.
    bystander_rows: Vec<String>,
}

impl Corpus {
    async fn start() -> Corpus {
        let options = Options {
            rate_limit_per_minute: 0,
            ..Options::default()
        };
        let server = TestServer::start_with(
            options,
            |path| Client::open(path).expect("open the database"),
            |app, chat| {
                app.route(
                    "/wc/connect",
                    chat.sockets(SocketOptions::default()).route(),
                )
            },
        )
        .await;
        let (token, id) = server.start_chat().await;
        server.accept(id);
        assert_eq!(server.send(&token, BYSTANDER_LINE).await.0, 200);
        server
            .staff
            .reply_from_staff(support::STAFF, STAFF_LINE)
            .expect("reply");
        let bystander_rows = rows_of_chat(&server.db_path, id);
        Corpus {
            socket_url: format!("ws://{}/wc/connect", server.host),
            bystander_token: token,
            bystander_id: id,
            bystander_rows,
            server,
        }
    }

    /// Fails unless the bystander's chat and messages are exactly as
    /// before and the database holds `chats` chats.
    fn assert_undisturbed(&self, chats: i64) {
        assert_eq!(
            rows_of_chat(&self.server.db_path, self.bystander_id),
            self.bystander_rows,
            "the bystander's chat changed"
        );
        assert_eq!(
            chat_count(&self.server.db_path),
            chats,
            "chats appeared without a valid start"
        );
    }

    /// Fails if `answer` shows anything of the bystander's chat.
    fn assert_no_leak(&self, what: &str, answer: &str) {
        for secret in [BYSTANDER_LINE, STAFF_LINE, &self.bystander_token] {
            assert!(!answer.contains(secret), "{what} leaked {secret:?}");
        }
    }

    /// Sends `request`; fails unless it is answered in time with a status
    /// below 500 that does not leak the bystander. Returns the status.
    async fn answer(&self, what: &str, request: reqwest::RequestBuilder) -> u16 {
        let response = request
            .send()
            .await
            .unwrap_or_else(|error| panic!("{what}: no answer: {error}"));
        let status = response.status().as_u16();
        let body = response.text().await.unwrap_or_default();
        assert!(status < 500, "{what}: {status} {body}");
        self.assert_no_leak(what, &body);
        status
    }

    /// Like [`Corpus::answer`], and the status must be a 4xx.
    async fn refused(&self, what: &str, request: reqwest::RequestBuilder) {
        let status = self.answer(what, request).await;
        assert!((400..500).contains(&status), "{what}: {status}, not a 4xx");
    }

    /// A raw HTTP/1.1 request (bytes no URL type lets through); the status
    /// code of the answer.
    async fn raw_request(&self, request: &[u8]) -> u16 {
        let exchange = async {
            let mut stream = tokio::net::TcpStream::connect(&self.server.host)
                .await
                .expect("connect");
            stream.write_all(request).await.expect("write");
            let mut answer = Vec::new();
            stream.read_to_end(&mut answer).await.expect("read");
            answer
        };
        let answer = tokio::time::timeout(REQUEST_DEADLINE, exchange)
            .await
            .expect("a raw request was answered in time");
        let answer = String::from_utf8_lossy(&answer);
        self.assert_no_leak("a raw request", &answer);
        answer
            .strip_prefix("HTTP/1.1 ")
            .and_then(|rest| rest.get(..3))
            .and_then(|code| code.parse().ok())
            .unwrap_or_else(|| panic!("not an HTTP answer: {answer:?}"))
    }
}

/// Every column of the chat and of each of its messages, as text.
fn rows_of_chat(db: &Path, chat_id: i64) -> Vec<String> {
    let connection = rusqlite::Connection::open(db).expect("open the database");
    let mut rows = Vec::new();
    for query in [
        "SELECT * FROM chat WHERE chatid = ?1",
        "SELECT * FROM localmessagequeue WHERE chatid = ?1 ORDER BY messageid",
        "SELECT * FROM remotemessagequeue WHERE chatid = ?1 ORDER BY messageid",
    ] {
        let mut statement = connection.prepare(query).expect("prepare");
        let columns = statement.column_count();
        let mut found = statement.query([chat_id]).expect("query");
        while let Some(row) = found.next().expect("row") {
            let values: Vec<String> = (0..columns)
                .map(|column| format!("{:?}", row.get_ref(column).expect("column")))
                .collect();
            rows.push(values.join(" | "));
        }
    }
    rows
}

fn chat_count(db: &Path) -> i64 {
    rusqlite::Connection::open(db)
        .expect("open the database")
        .query_row("SELECT count(*) FROM chat", [], |row| row.get(0))
        .expect("count the chats")
}

/// Percent-encodes every byte but letters and digits, so that any text or
/// byte string becomes one path segment or form value.
fn escape(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|byte| match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' => char::from(*byte).to_string(),
            _ => format!("%{byte:02X}"),
        })
        .collect()
}

/// A form body of one field, for hostile values reqwest would not send.
fn form(http: &reqwest::Client, url: String, body: Vec<u8>) -> reqwest::RequestBuilder {
    http.post(url)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
}

#[tokio::test]
async fn every_http_route_refuses_hostile_input_and_disturbs_no_other_chat() {
    let corpus = Corpus::start().await;
    let server = &corpus.server;
    let http = &server.http;
    // The attacker's own chat, with a staff answer kept pending (read with
    // `after`), so that long polls on it answer at once.
    let (own, own_id) = server.start_chat().await;
    // Another staff member than the bystander's: one handles one chat.
    let other_staff = "bob@example.test";
    server.staff.accept(own_id, other_staff).expect("accept");
    server
        .staff
        .reply_from_staff(other_staff, "pending")
        .expect("reply");
    let mut chats = 2;

    for hostile in hostile::texts() {
        let what = |route: &str| format!("{route} with {}", hostile.label);
        let value = escape(hostile.text.as_bytes());
        let status = corpus
            .answer(
                &what("POST /start"),
                form(
                    http,
                    server.url("/start"),
                    format!("name={value}&message={value}").into_bytes(),
                ),
            )
            .await;
        if status == 200 {
            chats += 1;
        }
        let status = corpus
            .answer(
                &what("POST /start as the email address"),
                form(
                    http,
                    server.url("/start"),
                    format!("message=Hello&email={value}").into_bytes(),
                ),
            )
            .await;
        if status == 200 {
            chats += 1;
        }
        corpus
            .answer(
                &what("POST /sendmessage (own chat)"),
                form(
                    http,
                    server.url(&format!("/sendmessage/{own}")),
                    format!("text={value}").into_bytes(),
                ),
            )
            .await;
        if hostile.text.len() < 60_000 {
            // Longer paths are refused by the HTTP layer, below.
            for route in ["sendmessage", "end"] {
                corpus
                    .refused(
                        &what(&format!("POST /{route} with it as the token")),
                        form(
                            http,
                            server.url(&format!("/{route}/{value}")),
                            b"text=x".to_vec(),
                        ),
                    )
                    .await;
            }
            corpus
                .refused(
                    &what("GET /recvmessage with it as the token"),
                    http.get(server.url(&format!("/recvmessage/{value}?wait=1&after=0"))),
                )
                .await;
        }
        if hostile.text.len() < 4096 {
            for route in ["", "/available"] {
                let status = corpus
                    .answer(
                        &what(&format!("GET {route}?query")),
                        http.get(server.url(&format!("{route}?{value}={value}"))),
                    )
                    .await;
                assert_eq!(status, 200, "{}", what(route));
            }
            corpus
                .refused(
                    &what("GET /recvmessage (own chat) with it as after"),
                    http.get(server.url(&format!("/recvmessage/{own}?after={value}"))),
                )
                .await;
        }
    }

    // Numbers: `wait` is seconds (0 and up), `after` a message id; what
    // does not parse is a 400, what does is answered at once: a message
    // is pending, and `after = -1` keeps it so until the `after` round
    // (which acknowledges it) runs without waiting.
    let numbers = hostile::numbers();
    let wait_queries = numbers.iter().map(|number| {
        let query = format!("wait={}&after=-1", escape(number.as_bytes()));
        ("wait", number, number.parse::<u64>().is_ok(), query)
    });
    let after_queries = numbers.iter().map(|number| {
        let query = format!("wait=0&after={}", escape(number.as_bytes()));
        ("after", number, number.parse::<i64>().is_ok(), query)
    });
    for (field, number, parses, query) in wait_queries.chain(after_queries) {
        let what = format!("GET /recvmessage with {field} = {number:?}");
        let status = corpus
            .answer(
                &what,
                http.get(server.url(&format!("/recvmessage/{own}?{query}"))),
            )
            .await;
        assert_eq!(status, if parses { 200 } else { 400 }, "{what}");
    }
    for number in &numbers {
        for route in ["sendmessage", "end"] {
            corpus
                .refused(
                    &format!("POST /{route} with the token {number:?}"),
                    form(
                        http,
                        server.url(&format!("/{route}/{}", escape(number.as_bytes()))),
                        b"text=x".to_vec(),
                    ),
                )
                .await;
        }
    }

    // Bytes that are not UTF-8, in form bodies (raw and percent-encoded),
    // queries and paths (percent-encoded and raw).
    for (label, bytes) in hostile::invalid_utf8() {
        let raw_field = |name: &str| [format!("{name}=").into_bytes(), bytes.clone()].concat();
        for body in [
            raw_field("message"),
            format!("message={}", escape(&bytes)).into_bytes(),
            raw_field("email"),
            format!("email={}", escape(&bytes)).into_bytes(),
        ] {
            corpus
                .refused(
                    &format!("POST /start with {label}"),
                    form(http, server.url("/start"), body),
                )
                .await;
        }
        for body in [
            raw_field("text"),
            format!("text={}", escape(&bytes)).into_bytes(),
        ] {
            corpus
                .refused(
                    &format!("POST /sendmessage with {label}"),
                    form(http, server.url(&format!("/sendmessage/{own}")), body),
                )
                .await;
        }
        corpus
            .refused(
                &format!("GET /recvmessage with {label} in the query"),
                http.get(server.url(&format!("/recvmessage/{own}?wait={}", escape(&bytes)))),
            )
            .await;
        for route in ["recvmessage", "sendmessage", "end"] {
            let method = if route == "recvmessage" {
                "GET"
            } else {
                "POST"
            };
            for path in [escape(&bytes).into_bytes(), bytes.clone()] {
                let request = [
                    format!("{method} /chat/{route}/").into_bytes(),
                    path,
                    format!(
                        " HTTP/1.1\r\nHost: {}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n",
                        server.host
                    )
                    .into_bytes(),
                ]
                .concat();
                let status = corpus.raw_request(&request).await;
                assert!(
                    (400..500).contains(&status),
                    "{method} /{route} with {label} in the path: {status}"
                );
            }
        }
    }

    // Bodies of a megabyte on every route that reads one, and bodies of
    // the wrong type.
    let huge = format!("text={}", "x".repeat(HUGE_LEN)).into_bytes();
    for route in ["/start".to_owned(), format!("/sendmessage/{own}")] {
        corpus
            .refused(
                &format!("1 MB to POST {route}"),
                form(http, server.url(&route), huge.clone()),
            )
            .await;
        corpus
            .refused(
                &format!("JSON to POST {route}"),
                http.post(server.url(&route)).json(&json!({"text": "hi"})),
            )
            .await;
    }
    corpus
        .refused(
            "1 MB to POST /end with a bogus token",
            form(
                http,
                server.url(&format!("/end/{}", "A".repeat(24))),
                huge.clone(),
            ),
        )
        .await;

    corpus.assert_undisturbed(chats);
    assert_eq!(
        server
            .receive(&corpus.bystander_token, &[("after", "0")])
            .await
            .0,
        200,
        "the bystander still reads their chat"
    );
}

/// A visitor's socket in the corpus: every event it was sent is checked
/// against the documented set and for leaks.
struct Socket<'a> {
    corpus: &'a Corpus,
    stream: tokio_tungstenite::WebSocketStream<
        tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>,
    >,
}

/// Every event type the README's WebSocket section documents.
const EVENT_TYPES: &[&str] = &[
    "chat_started",
    "chat_resumed",
    "chat_out",
    "history",
    "chat_status",
    "error",
];

/// The type of the marker command [`Socket::exchange`] sends.
const MARKER: &str = "corpus-marker";

impl<'a> Socket<'a> {
    async fn open(corpus: &'a Corpus) -> Socket<'a> {
        let (stream, _) = tokio::time::timeout(
            EVENT_DEADLINE,
            tokio_tungstenite::connect_async(corpus.socket_url.as_str()),
        )
        .await
        .expect("connect in time")
        .expect("the upgrade succeeds");
        Socket { corpus, stream }
    }

    async fn send_frame(&mut self, frame: Message) {
        tokio::time::timeout(EVENT_DEADLINE, self.stream.send(frame))
            .await
            .expect("send in time")
            .expect("send a frame");
    }

    /// The next frame other than a ping or pong.
    async fn next_frame(&mut self) -> Message {
        loop {
            let frame = tokio::time::timeout(EVENT_DEADLINE, self.stream.next())
                .await
                .expect("an answer in time")
                .expect("the socket is open")
                .expect("a frame");
            if !matches!(frame, Message::Ping(_) | Message::Pong(_)) {
                return frame;
            }
        }
    }

    /// Sends `frame` and a marker after it (a command of an unknown type,
    /// refused by name); returns every event that came before the
    /// marker's refusal, which proves the socket is still usable. Each is
    /// of a documented type and leaks nothing.
    async fn exchange(&mut self, frame: Message) -> Vec<Value> {
        self.send_frame(frame).await;
        self.send_frame(Message::text(json!({"type": MARKER}).to_string()))
            .await;
        let mut events = Vec::new();
        loop {
            let Message::Text(text) = self.next_frame().await else {
                panic!("a frame that is not an event; events so far: {events:?}");
            };
            self.corpus.assert_no_leak("a WebSocket event", &text);
            let event: Value = serde_json::from_str(&text).expect("events are JSON");
            let kind = event["type"].as_str().unwrap_or_default();
            assert!(EVENT_TYPES.contains(&kind), "undocumented {event}");
            if event["code"] == "unknown_type"
                && event["error"]
                    .as_str()
                    .is_some_and(|error| error.contains(MARKER))
            {
                return events;
            }
            events.push(event);
        }
    }

    /// [`Socket::exchange`] of a text frame.
    async fn exchange_text(&mut self, text: impl Into<String>) -> Vec<Value> {
        self.exchange(Message::text(text.into())).await
    }

    /// Sends a frame over the size limit; the server must close the
    /// socket with 1009 (message too big), as the README says, and the
    /// client, still sending the rest of the frame when the server closes,
    /// must receive that close frame, not a reset.
    async fn send_too_big(mut self, frame: String) {
        tokio::time::timeout(EVENT_DEADLINE, self.stream.send(Message::text(frame)))
            .await
            .expect("send in time")
            .expect("the whole frame is sent; the server closes without a reset");
        loop {
            let next = tokio::time::timeout(EVENT_DEADLINE, self.stream.next())
                .await
                .expect("closed in time");
            match next {
                Some(Ok(Message::Close(Some(close)))) => {
                    assert_eq!(close.code, CloseCode::Size);
                    return;
                }
                Some(Ok(Message::Text(text))) => {
                    self.corpus.assert_no_leak("a WebSocket event", &text)
                }
                Some(Ok(Message::Ping(_) | Message::Pong(_))) => {}
                other => panic!("expected a close with 1009, got {other:?}"),
            }
        }
    }
}

/// The error codes among `events`.
fn error_codes(events: &[Value]) -> Vec<&str> {
    events
        .iter()
        .filter(|event| event["type"] == "error")
        .filter_map(|event| event["code"].as_str())
        .collect()
}

/// Whether a frame of `text` would exceed the socket's frame limit.
fn too_big(text: &str) -> bool {
    text.len() > seshat_web::ws::options::DEFAULT_MAX_FRAME_BYTES
}

#[tokio::test]
async fn every_websocket_command_refuses_hostile_input_and_keeps_the_socket() {
    let corpus = Corpus::start().await;
    let mut chats = 2;
    let mut bare = Socket::open(&corpus).await;
    let mut own = Socket::open(&corpus).await;
    let started = own
        .exchange_text(json!({"type": "start_chat"}).to_string())
        .await;
    assert_eq!(started[0]["type"], "chat_started", "{started:?}");

    for hostile in hostile::texts() {
        let label = &hostile.label;
        let text = hostile.text.as_str();
        let commands = [
            json!({"type": "send_msg", "text": text}),
            json!({"type": "set_email", "email": text}),
            json!({"type": "get_history", "before": text}),
            json!({"type": "start_chat", "chat_id": text}),
        ];
        if too_big(text) {
            for command in commands.iter().chain([&json!({"type": text})]) {
                Socket::open(&corpus)
                    .await
                    .send_too_big(command.to_string())
                    .await;
            }
            Socket::open(&corpus)
                .await
                .send_too_big(text.to_owned())
                .await;
            continue;
        }

        // Garbage frames: the text itself, and as a command type.
        let events = bare.exchange_text(text).await;
        assert_eq!(error_codes(&events), ["not_json"], "{label} as a frame");
        let events = bare.exchange_text(json!({"type": text}).to_string()).await;
        assert_eq!(error_codes(&events), ["unknown_type"], "{label} as a type");

        // Before any chat, every command but start_chat is refused.
        for command in &commands[..3] {
            let events = bare.exchange_text(command.to_string()).await;
            assert_eq!(error_codes(&events), ["not_started"], "{label}: {command}");
        }

        // start_chat naming no chat, or with the text as the first line.
        let events = bare.exchange_text(commands[3].to_string()).await;
        assert_eq!(error_codes(&events), ["no_such_chat"], "{label} as chat_id");
        let mut starter = Socket::open(&corpus).await;
        let events = starter
            .exchange_text(json!({"type": "start_chat", "message": text}).to_string())
            .await;
        if events[0]["type"] == "chat_started" {
            chats += 1;
        } else {
            assert_eq!(
                error_codes(&events).len(),
                1,
                "{label} as message: {events:?}"
            );
        }

        // In a chat: sent or refused, never anything undocumented.
        let events = own.exchange_text(commands[0].to_string()).await;
        assert!(error_codes(&events).len() <= 1, "{label} sent: {events:?}");
        let events = own.exchange_text(commands[1].to_string()).await;
        assert_eq!(error_codes(&events), ["invalid_email"], "{label} as email");
        let events = own.exchange_text(commands[2].to_string()).await;
        assert_eq!(error_codes(&events), ["invalid_field"], "{label} as before");
        let events = own.exchange_text(commands[3].to_string()).await;
        assert_eq!(error_codes(&events), ["already_started"], "{label} again");
    }

    // Numbers as JSON: beyond i64, fractions, and what is not JSON at all.
    for number in hostile::numbers() {
        let expected: &[&str] = match serde_json::from_str::<Value>(number) {
            Err(_) => &["not_json"],
            Ok(value) if value.is_i64() => &[],
            Ok(_) => &["invalid_field"],
        };
        let ack = format!(r#"{{"type":"ack_chat","msg_id":{number}}}"#);
        let events = own.exchange_text(ack).await;
        assert_eq!(error_codes(&events), expected, "ack_chat {number:?}");
        let history = format!(
            r#"{{"type":"get_history","before":"2999-01-01T00:00:00Z","before_id":{number}}}"#
        );
        let events = own.exchange_text(history).await;
        assert_eq!(error_codes(&events), expected, "before_id {number:?}");
    }

    // A binary frame, and lone surrogates as JSON escapes (the only way
    // to put one in a text frame).
    let events = own.exchange(Message::binary(vec![0xFF, 0x00])).await;
    assert_eq!(error_codes(&events), ["binary_frame"], "{events:?}");
    for escape in [r"\ud800", r"\udfff", r"\udc00\ud800"] {
        let frame = format!(r#"{{"type":"send_msg","text":"{escape}"}}"#);
        let events = own.exchange_text(frame).await;
        assert_eq!(error_codes(&events), ["not_json"], "{escape}");
    }

    corpus.assert_undisturbed(chats);
}

#[tokio::test]
async fn rows_another_program_wrote_are_served_when_they_can_be() {
    let corpus = Corpus::start().await;
    let server = &corpus.server;
    let (own, own_id) = server.start_chat().await;
    server
        .staff
        .accept(own_id, "bob@example.test")
        .expect("accept");
    let writer = rusqlite::Connection::open(&server.db_path).expect("open the database");
    writer
        .busy_timeout(Duration::from_secs(10))
        .expect("busy timeout");
    let huge = "z".repeat(HUGE_LEN);
    // Visitor-bound rows as another program might write them; SQLite
    // keeps whatever type a writer gives.
    for (id, message) in [
        ("-7", "'a row with a negative id'".to_owned()),
        ("NULL", "NULL".to_owned()),
        ("NULL", "'before \u{1} after \u{FFFF}'".to_owned()),
        ("NULL", "CAST(X'61FF62' AS TEXT)".to_owned()),
        ("NULL", "X'FF00'".to_owned()),
        ("NULL", "42".to_owned()),
        ("NULL", format!("'{huge}'")),
    ] {
        writer
            .execute_batch(&format!(
                "INSERT INTO remotemessagequeue (messageid, posttime, sendtime, chatid, message) \
                 VALUES ({id}, strftime('%s','now'), NULL, {own_id}, {message})"
            ))
            .expect("insert a visitor-bound row");
    }
    let odd_tokens = ["Tok98aaaaaaaaaaaaaaaaaaa", "Tok99aaaaaaaaaaaaaaaaaaa"];
    writer
        .execute_batch(&format!(
            "INSERT INTO chat (chatid, remoteuser, status, token) VALUES \
             (98, X'FF', NULL, '{}'), (99, NULL, 99, '{}'), (97, NULL, 0, NULL)",
            odd_tokens[0], odd_tokens[1]
        ))
        .expect("insert chat rows");

    let (status, body) = server.receive(&own, &[("after", "0")]).await;
    assert_eq!(status, 200, "{body}");
    let texts = TestServer::texts(&body);
    // (The row with a negative id counts as acknowledged by `after=0`,
    // which the contract says to start with; it breaks nothing.)
    // JSON carries any character, so XML-invalid text comes as written.
    for expected in [
        "before \u{1} after \u{FFFF}",
        "a\u{FFFD}b",
        "42",
        huge.as_str(),
    ] {
        assert!(
            texts.iter().any(|text| text == expected),
            "{:?} not among {} messages",
            expected.chars().take(40).collect::<String>(),
            texts.len()
        );
    }
    // The odd chats: answered as over, from the long poll and the socket.
    for token in odd_tokens {
        let (status, body) = server.receive(token, &[("wait", "0")]).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["status"], "closed", "{body}");
    }
    let mut socket = Socket::open(&corpus).await;
    let events = socket
        .exchange_text(json!({"type": "start_chat", "chat_id": own}).to_string())
        .await;
    assert_eq!(events[0]["type"], "chat_resumed", "{events:?}");
    let events = socket
        .exchange_text(json!({"type": "get_history", "before": "2999-01-01T00:00:00Z"}).to_string())
        .await;
    assert!(error_codes(&events).is_empty(), "{events:?}");
    let available = corpus
        .answer("GET /available", server.http.get(server.url("/available")))
        .await;
    assert_eq!(available, 200);
    assert_eq!(
        rows_of_chat(&server.db_path, corpus.bystander_id),
        corpus.bystander_rows
    );
}
