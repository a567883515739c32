//! The WebSocket transport from the outside: the routes and the socket
//! served on a real port over a real SQLite file, real WebSocket clients
//! (tokio-tungstenite), and a second store on the same file playing the
//! daemon's part (accepting chats, replying as staff).

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use seshat_client::{texts, ChatToken, Client, Store};
use seshat_web::ws::options::DEFAULT_MAX_FRAME_BYTES;
use seshat_web::ws::{SocketOptions, Sockets};
use seshat_web::Options;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::{self, Message};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use crate::support::{naming_staff, TestServer, STAFF};

/// Longest wait for any one event; reached only when something is broken.
const DEADLINE: Duration = Duration::from_secs(20);

/// The routes at `/chat` and the socket at `/wc/connect`.
struct SocketServer {
    server: TestServer,
    sockets: Sockets,
    url: String,
}

impl SocketServer {
    async fn start() -> SocketServer {
        SocketServer::start_with(naming_staff("Alice Example"), SocketOptions::default()).await
    }

    async fn start_with(options: Options, socket_options: SocketOptions) -> SocketServer {
        let mut made = None;
        let server = TestServer::start_with(
            options,
            |path| Client::open(path).expect("open the database"),
            |app, chat| {
                let sockets = chat.sockets(socket_options);
                let app = app.route("/wc/connect", sockets.route());
                made = Some(sockets);
                app
            },
        )
        .await;
        let sockets = made.expect("sockets were made");
        SocketServer {
            url: format!("ws://{}/wc/connect", server.host),
            server,
            sockets,
        }
    }

    /// With rate limits of `per_minute`, and default socket options.
    async fn limited(per_minute: u32) -> SocketServer {
        let options = Options {
            rate_limit_per_minute: per_minute,
            ..Options::default()
        };
        SocketServer::start_with(options, SocketOptions::default()).await
    }

    async fn visitor(&self) -> Visitor {
        Visitor::connect(&self.url).await
    }

    /// A visitor with a started chat, its token and its numeric id; the
    /// events of the start are consumed.
    async fn visitor_with_chat(&self) -> (Visitor, String, i64) {
        let mut visitor = self.visitor().await;
        visitor.send(json!({"type": "start_chat"})).await;
        let started = visitor.wait_for_type("chat_started").await;
        let token = started["chat_id"].as_str().expect("chat_id").to_owned();
        visitor.wait_for_text(texts::CHAT_REQUESTED).await;
        let id = self.chat_id(&token);
        (visitor, token, id)
    }

    fn chat_id(&self, token: &str) -> i64 {
        self.server
            .staff
            .chat_by_token(&token.parse::<ChatToken>().expect("a token"))
            .expect("the chat exists")
            .id
    }

    fn reply(&self, text: &str) {
        let chat = self
            .server
            .staff
            .reply_from_staff(STAFF, text)
            .expect("reply");
        assert!(chat.is_some(), "{STAFF} is in no chat");
    }
}

type Stream = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// A visitor's WebSocket client.
struct Visitor {
    stream: Stream,
    /// Every event received, for failure messages.
    seen: Vec<Value>,
}

impl Visitor {
    async fn connect(request: impl IntoClientRequest + Unpin) -> Visitor {
        let (stream, _) = tokio::time::timeout(DEADLINE, tokio_tungstenite::connect_async(request))
            .await
            .expect("connect in time")
            .expect("the upgrade succeeds");
        Visitor {
            stream,
            seen: Vec::new(),
        }
    }

    async fn send(&mut self, command: Value) {
        self.send_frame(Message::text(command.to_string())).await;
    }

    async fn send_frame(&mut self, frame: Message) {
        tokio::time::timeout(DEADLINE, self.stream.send(frame))
            .await
            .expect("send in time")
            .expect("send a frame");
    }

    /// The next event; pings are answered by the library on the way.
    async fn next_event(&mut self) -> Value {
        loop {
            let frame = tokio::time::timeout(DEADLINE, self.stream.next())
                .await
                .unwrap_or_else(|_| panic!("no event in time; seen so far: {:?}", self.seen))
                .expect("the socket is open")
                .expect("a frame");
            match frame {
                Message::Text(text) => {
                    let event: Value = serde_json::from_str(&text).expect("events are JSON");
                    self.seen.push(event.clone());
                    return event;
                }
                Message::Ping(_) | Message::Pong(_) => continue,
                other => panic!("unexpected frame {other:?}; seen so far: {:?}", self.seen),
            }
        }
    }

    /// Skips events until one of type `kind`.
    async fn wait_for_type(&mut self, kind: &str) -> Value {
        loop {
            let event = self.next_event().await;
            if event["type"] == kind {
                return event;
            }
        }
    }

    /// Skips events until a `chat_out` with `text`.
    async fn wait_for_text(&mut self, text: &str) -> Value {
        loop {
            let event = self.next_event().await;
            if event["type"] == "chat_out" && event["msg_out"]["text"] == text {
                return event;
            }
        }
    }

    /// Every event up to and including the next of type `kind`.
    async fn events_until(&mut self, kind: &str) -> Vec<Value> {
        let mut events = Vec::new();
        loop {
            let event = self.next_event().await;
            let done = event["type"] == kind;
            events.push(event);
            if done {
                return events;
            }
        }
    }

    /// A request whose answer marks a point in the event stream: every
    /// event sent before it has arrived once the answer has.
    async fn round_trip(&mut self) -> Vec<Value> {
        self.send(json!({"type": "get_history", "before": "2999-01-01T00:00:00Z"}))
            .await;
        let mut events = self.events_until("history").await;
        events.pop();
        events
    }

    /// Sends `commands` in order and checks that none was refused.
    async fn send_accepted(&mut self, commands: impl IntoIterator<Item = Value>) {
        for command in commands {
            self.send(command).await;
        }
        let answered = self.round_trip().await;
        assert!(
            answered.iter().all(|event| event["type"] != "error"),
            "{answered:?}"
        );
    }

    /// Sends `command` and checks that it is refused with `code`.
    async fn send_refused(&mut self, command: Value, code: &str) {
        self.send(command).await;
        assert_eq!(self.wait_for_type("error").await["code"], code);
    }

    /// Waits for the server's close frame; returns its code.
    async fn close_code(&mut self) -> u16 {
        loop {
            let frame = tokio::time::timeout(DEADLINE, self.stream.next())
                .await
                .expect("the socket closes in time");
            match frame {
                Some(Ok(Message::Close(Some(close)))) => return u16::from(close.code),
                Some(Ok(Message::Close(None))) => return u16::from(CloseCode::Status),
                Some(Ok(_)) => continue,
                Some(Err(error)) => panic!("the socket broke instead of closing: {error}"),
                None => panic!("the socket ended without a close frame"),
            }
        }
    }
}

/// Waits for `condition`, checking every few milliseconds, and fails the
/// test with `what` if it does not hold within the deadline.
async fn wait_for(what: &str, condition: impl Fn() -> bool) {
    let give_up_at = tokio::time::Instant::now() + DEADLINE;
    while !condition() {
        assert!(
            tokio::time::Instant::now() < give_up_at,
            "timed out: {what}"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

/// `count` `send_msg` commands, "line 0", "line 1"...
fn numbered_lines(count: usize) -> impl Iterator<Item = Value> {
    (0..count).map(|n| json!({"type": "send_msg", "text": format!("line {n}")}))
}

fn texts_of(events: &[Value]) -> Vec<String> {
    events
        .iter()
        .filter(|event| event["type"] == "chat_out")
        .map(|event| event["msg_out"]["text"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn a_conversation_flows_both_ways_over_the_socket() {
    let server = SocketServer::start().await;
    let mut visitor = server.visitor().await;
    visitor
        .send(json!({"type": "start_chat", "message": "Do you ship to Mars?"}))
        .await;
    let started = visitor.next_event().await;
    assert_eq!(started["type"], "chat_started");
    let token = started["chat_id"].as_str().unwrap().to_owned();
    assert_eq!(token.len(), 24);
    assert!(token.bytes().all(|b| b.is_ascii_alphanumeric()));

    let requested = visitor.next_event().await;
    assert_eq!(requested["type"], "chat_out");
    assert_eq!(requested["msg_out"]["text"], texts::CHAT_REQUESTED);
    assert_eq!(requested["msg_out"]["origin"], "system");
    assert!(requested["msg_out"].get("user").is_none());
    assert_eq!(
        visitor.next_event().await,
        json!({"type": "chat_status", "status": "waiting"})
    );

    let id = server.chat_id(&token);
    let chat = server.server.staff.chat(id).unwrap().unwrap();
    assert_eq!(chat.visitor, "Anonymous");
    assert_eq!(chat.start_message.as_deref(), Some("Do you ship to Mars?"));

    server.server.accept(id);
    let accepted = visitor.wait_for_text(texts::CHAT_STARTED).await;
    assert_eq!(accepted["msg_out"]["origin"], "system");
    assert_eq!(
        visitor.next_event().await,
        json!({"type": "chat_status", "status": "open"})
    );

    visitor
        .send(json!({"type": "send_msg", "text": "Hello <b>staff</b>"}))
        .await;
    wait_for("the line reaches staff", || {
        server.server.staff_inbox(id) == ["Hello <b>staff</b>"]
    })
    .await;

    server.reply("Hi! How can I help?");
    let reply = visitor.next_event().await;
    assert_eq!(reply["type"], "chat_out");
    let message = &reply["msg_out"];
    assert_eq!(message["text"], "Hi! How can I help?");
    assert_eq!(message["origin"], "chat");
    assert_eq!(
        message["user"],
        json!({"name": "Alice Example", "email": STAFF})
    );
    assert!(message["id"].as_i64().unwrap() > accepted["msg_out"]["id"].as_i64().unwrap());
    let time = message["time"].as_str().unwrap();
    assert!(time.ends_with('Z') && time.contains('T'), "{time}");

    // Staff finish: the notice, then the status.
    server.server.staff.finish(STAFF).unwrap();
    visitor.wait_for_text(texts::CHAT_CLOSED).await;
    assert_eq!(
        visitor.next_event().await,
        json!({"type": "chat_status", "status": "closed"})
    );
    // Writing to a closed chat is not an error: the store tells the visitor.
    visitor
        .send(json!({"type": "send_msg", "text": "Still there?"}))
        .await;
    visitor.wait_for_text(texts::ALREADY_CLOSED).await;
}

#[tokio::test]
async fn a_staff_member_without_a_configured_name_is_named_by_the_jid() {
    let server = SocketServer::start_with(Options::default(), SocketOptions::default()).await;
    let (mut visitor, _, id) = server.visitor_with_chat().await;
    server.server.accept(id);
    server.reply("Hello");
    let reply = visitor.wait_for_text("Hello").await;
    assert_eq!(
        reply["msg_out"]["user"],
        json!({"name": "alice", "email": STAFF})
    );
}

#[tokio::test]
async fn unacknowledged_messages_come_again_after_a_reconnect_and_acknowledged_ones_do_not() {
    let server = SocketServer::start().await;
    let (mut visitor, token, id) = server.visitor_with_chat().await;
    server.server.accept(id);
    visitor.wait_for_text(texts::CHAT_STARTED).await;
    for n in 1..=4 {
        server.reply(&format!("reply {n}"));
    }
    let mut ids = Vec::new();
    for n in 1..=4 {
        let event = visitor.wait_for_text(&format!("reply {n}")).await;
        ids.push(event["msg_out"]["id"].as_i64().unwrap());
    }
    // The visitor acknowledges up to the second reply, then the line drops.
    visitor
        .send(json!({"type": "ack_chat", "msg_id": ids[1]}))
        .await;
    visitor.round_trip().await;
    drop(visitor);

    let mut again = server.visitor().await;
    again
        .send(json!({"type": "start_chat", "chat_id": token}))
        .await;
    assert_eq!(
        again.next_event().await,
        json!({"type": "chat_resumed", "chat_id": token, "email": ""})
    );
    let resent = again.round_trip().await;
    assert_eq!(texts_of(&resent), ["reply 3", "reply 4"], "{resent:?}");
    let resent_ids: Vec<i64> = resent
        .iter()
        .filter(|event| event["type"] == "chat_out")
        .map(|event| event["msg_out"]["id"].as_i64().unwrap())
        .collect();
    assert_eq!(resent_ids, ids[2..]);

    // Replies that come while the visitor is away wait for them too.
    again
        .send(json!({"type": "ack_chat", "msg_id": ids[3]}))
        .await;
    again.round_trip().await;
    drop(again);
    server.reply("while you were away");
    let mut third = server.visitor().await;
    third
        .send(json!({"type": "start_chat", "chat_id": token}))
        .await;
    let resent = third.round_trip().await;
    assert_eq!(texts_of(&resent), ["while you were away"], "{resent:?}");
    // Nothing is pending in the store once everything is acknowledged.
    let last = resent
        .iter()
        .find(|event| event["type"] == "chat_out")
        .unwrap()["msg_out"]["id"]
        .as_i64()
        .unwrap();
    third
        .send(json!({"type": "ack_chat", "msg_id": last}))
        .await;
    third.round_trip().await;
    let token: ChatToken = token.parse().unwrap();
    assert!(server
        .server
        .staff
        .peek_for_visitor(&token)
        .unwrap()
        .is_empty());
}

#[tokio::test]
async fn an_acknowledgement_never_covers_messages_queued_after_it() {
    let server = SocketServer::start().await;
    let (mut visitor, token, id) = server.visitor_with_chat().await;
    server.server.accept(id);
    let started = visitor.wait_for_text(texts::CHAT_STARTED).await;
    let started_id = started["msg_out"]["id"].as_i64().unwrap();
    // An id far ahead acknowledges what is there, not what comes later.
    visitor
        .send(json!({"type": "ack_chat", "msg_id": started_id + 1000}))
        .await;
    visitor.round_trip().await;
    let token: ChatToken = token.parse().unwrap();
    assert!(server
        .server
        .staff
        .peek_for_visitor(&token)
        .unwrap()
        .is_empty());
    server.reply("later");
    visitor.wait_for_text("later").await;
    assert_eq!(
        server.server.staff.peek_for_visitor(&token).unwrap().len(),
        1,
        "a reply queued after the acknowledgement was marked by it"
    );
}

#[tokio::test]
async fn start_chat_resumes_known_chats_and_starts_new_ones_otherwise() {
    let server = SocketServer::start().await;
    let (mut first, token, _) = server.visitor_with_chat().await;

    // A second start_chat on the same socket changes nothing.
    first
        .send(json!({"type": "start_chat", "chat_id": ChatToken::generate().to_string()}))
        .await;
    let refused = first.wait_for_type("error").await;
    assert_eq!(refused["code"], "already_started");
    first
        .send(json!({"type": "send_msg", "text": "still the first chat"}))
        .await;
    first.round_trip().await;
    let history = server
        .server
        .staff
        .history(&token.parse().unwrap(), None, 25)
        .unwrap();
    assert!(history.iter().any(|entry| matches!(entry,
        seshat_client::HistoryEntry::FromVisitor { text, .. } if text == "still the first chat")));

    // A well-formed token that names no chat starts a new one (as Chip).
    let mut stranger = server.visitor().await;
    let unknown = ChatToken::generate().to_string();
    stranger
        .send(json!({"type": "start_chat", "chat_id": unknown}))
        .await;
    let started = stranger.next_event().await;
    assert_eq!(started["type"], "chat_started");
    assert_ne!(started["chat_id"], unknown);
    assert_ne!(started["chat_id"], token.as_str());

    // A malformed one is refused, and the socket may still start a chat.
    let mut confused = server.visitor().await;
    confused
        .send(json!({"type": "start_chat", "chat_id": "../../etc/passwd"}))
        .await;
    let refused = confused.next_event().await;
    assert_eq!(refused["type"], "error");
    assert_eq!(refused["code"], "no_such_chat");
    confused
        .send(json!({"type": "start_chat", "chat_id": token}))
        .await;
    assert_eq!(confused.next_event().await["type"], "chat_resumed");
}

#[tokio::test]
async fn history_pages_backwards_newest_first_without_gaps() {
    let server = SocketServer::start().await;
    let (mut visitor, _, id) = server.visitor_with_chat().await;
    server.server.accept(id);
    for n in 0..20 {
        visitor
            .send(json!({"type": "send_msg", "text": format!("visitor {n}")}))
            .await;
        visitor.round_trip().await;
        server.reply(&format!("staff {n}"));
    }
    visitor.wait_for_text("staff 19").await;

    // Chip's first request: everything before now.
    let mut before = json!({"type": "get_history", "before": "2999-01-01T00:00:00Z"});
    let mut seen: Vec<String> = Vec::new();
    let mut pages = 0;
    loop {
        visitor.send(before.clone()).await;
        let page = visitor.wait_for_type("history").await;
        pages += 1;
        let entries = page["history"].as_array().unwrap();
        assert!(entries.len() <= 25);
        for entry in entries {
            let (kind, message) = entry.as_object().unwrap().iter().next().unwrap();
            let text = message["text"].as_str().unwrap();
            match kind.as_str() {
                "msg_in" => assert!(text.starts_with("visitor ")),
                "msg_out" => assert!(!text.starts_with("visitor ")),
                other => panic!("unknown entry {other}"),
            }
            seen.push(text.to_owned());
        }
        if page["has_more"] == false {
            break;
        }
        let oldest = entries
            .last()
            .unwrap()
            .as_object()
            .unwrap()
            .values()
            .next()
            .unwrap();
        before =
            json!({"type": "get_history", "before": oldest["time"], "before_id": oldest["id"]});
    }
    // 1 greeting, 1 "chat started", 40 lines: two pages, none twice.
    assert_eq!(pages, 2);
    assert_eq!(seen.len(), 42, "{seen:?}");
    assert_eq!(seen[0], "staff 19");
    assert_eq!(seen[1], "visitor 19");
    assert_eq!(seen.last().unwrap(), texts::CHAT_REQUESTED);
    let unique: std::collections::HashSet<_> = seen.iter().collect();
    assert_eq!(unique.len(), 42);

    // Chip's cursor, the time alone, excludes everything at that time.
    visitor
        .send(json!({"type": "get_history", "before": "2000-01-01T00:00:00Z"}))
        .await;
    let empty = visitor.wait_for_type("history").await;
    assert_eq!(
        empty,
        json!({"type": "history", "history": [], "has_more": false})
    );

    // A time that is not one is refused.
    visitor
        .send(json!({"type": "get_history", "before": "yesterday"}))
        .await;
    assert_eq!(
        visitor.wait_for_type("error").await["code"],
        "invalid_field"
    );
}

#[tokio::test]
async fn set_email_stores_a_valid_address_and_refuses_others() {
    let server = SocketServer::start().await;
    let (mut visitor, token, id) = server.visitor_with_chat().await;
    visitor
        .send(json!({"type": "set_email", "email": "not an address"}))
        .await;
    let refused = visitor.wait_for_type("error").await;
    assert_eq!(refused["code"], "invalid_email");
    assert_eq!(server.server.staff.chat(id).unwrap().unwrap().email, None);

    visitor
        .send(json!({"type": "set_email", "email": " ada@example.com "}))
        .await;
    visitor.round_trip().await;
    assert_eq!(
        server
            .server
            .staff
            .chat(id)
            .unwrap()
            .unwrap()
            .email
            .as_deref(),
        Some("ada@example.com")
    );
    drop(visitor);

    let mut again = server.visitor().await;
    again
        .send(json!({"type": "start_chat", "chat_id": token}))
        .await;
    assert_eq!(
        again.next_event().await,
        json!({"type": "chat_resumed", "chat_id": token, "email": "ada@example.com"})
    );
}

#[tokio::test]
async fn set_email_counts_against_the_write_budget() {
    let server = SocketServer::limited(3).await;
    let (mut visitor, _, id) = server.visitor_with_chat().await;
    visitor
        .send_accepted(
            (0..3).map(|n| json!({"type": "set_email", "email": format!("ada{n}@example.com")})),
        )
        .await;
    visitor
        .send_refused(
            json!({"type": "set_email", "email": "mallory@example.com"}),
            "rate_limited",
        )
        .await;
    let email = server.server.staff.chat(id).unwrap().unwrap().email;
    assert_eq!(email.as_deref(), Some("ada2@example.com"));
}

#[tokio::test]
async fn only_a_page_of_this_site_is_quoted_as_where_the_visitor_came_from() {
    let server = SocketServer::start().await;
    let own_page = format!("http://{}/pricing", server.server.host);
    for (referer, quoted) in [
        ("http://evil.example/call-555-0100".to_owned(), None),
        (
            own_page.clone(),
            Some(format!("Coming from page {own_page}")),
        ),
    ] {
        let mut request = server.url.as_str().into_client_request().unwrap();
        request
            .headers_mut()
            .insert("referer", referer.parse().unwrap());
        let mut visitor = Visitor::connect(request).await;
        visitor.send(json!({"type": "start_chat"})).await;
        let started = visitor.wait_for_type("chat_started").await;
        let id = server.chat_id(started["chat_id"].as_str().unwrap());
        let chat = server.server.staff.chat(id).unwrap().unwrap();
        assert_eq!(chat.start_message, quoted, "{referer}");
    }
}

#[tokio::test]
async fn bad_frames_are_answered_and_leave_every_socket_open() {
    let server = SocketServer::start().await;
    let (mut bystander, _, bystander_id) = server.visitor_with_chat().await;
    let mut sloppy = server.visitor().await;

    // Before a chat is started, only start_chat is taken.
    sloppy
        .send(json!({"type": "send_msg", "text": "too early"}))
        .await;
    assert_eq!(sloppy.next_event().await["code"], "not_started");

    sloppy.send_frame(Message::text("this is not JSON")).await;
    assert_eq!(sloppy.next_event().await["code"], "not_json");
    sloppy.send_frame(Message::text("[1, 2, 3]")).await;
    assert_eq!(sloppy.next_event().await["code"], "no_type");
    sloppy.send(json!({"type": "dance"})).await;
    let unknown = sloppy.next_event().await;
    assert_eq!(unknown["type"], "error");
    assert_eq!(unknown["code"], "unknown_type");
    sloppy
        .send_frame(Message::binary(vec![0u8, 159, 146, 150]))
        .await;
    assert_eq!(sloppy.next_event().await["code"], "binary_frame");

    sloppy.send(json!({"type": "start_chat"})).await;
    sloppy.wait_for_type("chat_started").await;
    for (command, code) in [
        (json!({"type": "send_msg"}), "missing_field"),
        (json!({"type": "send_msg", "text": 42}), "invalid_field"),
        (json!({"type": "ack_chat"}), "missing_field"),
        (
            json!({"type": "ack_chat", "msg_id": "seven"}),
            "invalid_field",
        ),
        (json!({"type": "get_history"}), "missing_field"),
        (json!({"type": "set_email"}), "missing_field"),
        (json!({"type": "send_msg", "text": "   "}), "invalid_text"),
        (
            json!({"type": "send_msg", "text": "a\u{0}b"}),
            "invalid_text",
        ),
        (
            json!({"type": "send_msg", "text": "é".repeat(2100)}),
            "too_large",
        ),
    ] {
        sloppy.send(command.clone()).await;
        let answer = sloppy.wait_for_type("error").await;
        assert_eq!(answer["code"], code, "{command}");
    }

    // The sloppy socket and the bystander's still work.
    sloppy
        .send(json!({"type": "send_msg", "text": "a proper line"}))
        .await;
    sloppy.round_trip().await;
    server.server.accept(bystander_id);
    server.reply("for the bystander");
    bystander.wait_for_text("for the bystander").await;
}

#[tokio::test]
async fn an_oversized_frame_closes_only_that_socket_with_1009() {
    let server = SocketServer::start().await;
    let (mut bystander, _, bystander_id) = server.visitor_with_chat().await;
    for size in [DEFAULT_MAX_FRAME_BYTES + 1, 1024 * 1024] {
        let (mut big, _, _) = server.visitor_with_chat().await;
        big.send_frame(Message::text("x".repeat(size))).await;
        assert_eq!(big.close_code().await, 1009, "a frame of {size} bytes");
    }
    // A frame right at the limit is read (and refused for its text).
    let (mut edge, _, _) = server.visitor_with_chat().await;
    let envelope = json!({"type": "send_msg", "text": ""}).to_string().len();
    let text = "x".repeat(DEFAULT_MAX_FRAME_BYTES - envelope);
    let at_limit = json!({"type": "send_msg", "text": text}).to_string();
    assert_eq!(at_limit.len(), DEFAULT_MAX_FRAME_BYTES);
    edge.send_frame(Message::text(at_limit)).await;
    assert_eq!(edge.wait_for_type("error").await["code"], "too_large");

    server.server.accept(bystander_id);
    server.reply("still here");
    bystander.wait_for_text("still here").await;
    wait_for("the oversized sockets are gone", || {
        server.sockets.open_count() == 2
    })
    .await;
}

#[tokio::test]
async fn a_silent_socket_is_dropped_and_a_live_one_kept() {
    let socket_options = SocketOptions {
        ping_interval: Duration::from_millis(50),
        silence_limit: Duration::from_millis(300),
        ..SocketOptions::default()
    };
    let server = SocketServer::start_with(Options::default(), socket_options).await;
    let (mut live, _, live_id) = server.visitor_with_chat().await;
    // A raw TCP connection that completes the upgrade and then never
    // reads again, so it never answers a ping: a phone gone out of range.
    let (silent, _) = tokio_tungstenite::connect_async(&server.url).await.unwrap();
    wait_for("both sockets are open", || server.sockets.open_count() == 2).await;

    // The live client answers pings as it reads; count the pings it sees.
    let mut pings = 0;
    while pings < 10 {
        match tokio::time::timeout(DEADLINE, live.stream.next()).await {
            Ok(Some(Ok(Message::Ping(_)))) => pings += 1,
            Ok(Some(Ok(_))) => {}
            other => panic!("the live socket failed: {other:?}"),
        }
    }
    // Ten pings at 50 ms span more than the 300 ms silence limit.
    wait_for("the silent socket is dropped", || {
        server.sockets.open_count() == 1
    })
    .await;
    server.server.accept(live_id);
    live.wait_for_text(texts::CHAT_STARTED).await;
    drop(silent);
}

#[tokio::test]
async fn close_all_closes_every_socket_with_1000_and_refuses_new_ones() {
    let server = SocketServer::start().await;
    let (mut first, _, _) = server.visitor_with_chat().await;
    let mut second = server.visitor().await;
    wait_for("both sockets are open", || server.sockets.open_count() == 2).await;
    let closer = server.sockets.clone();
    let closing = tokio::spawn(async move { closer.close_all(DEADLINE).await });
    assert_eq!(first.close_code().await, 1000);
    assert_eq!(second.close_code().await, 1000);
    assert_eq!(closing.await.unwrap(), 0, "sockets left open");
    match tokio_tungstenite::connect_async(&server.url).await {
        Err(tungstenite::Error::Http(response)) => assert_eq!(response.status(), 503),
        other => panic!("a socket was opened during shutdown: {other:?}"),
    }
}

#[tokio::test]
async fn sockets_from_other_sites_are_refused() {
    let server = SocketServer::start().await;
    let mut request = server.url.as_str().into_client_request().unwrap();
    request
        .headers_mut()
        .insert("origin", "https://evil.example".parse().unwrap());
    match tokio_tungstenite::connect_async(request).await {
        Err(tungstenite::Error::Http(response)) => assert_eq!(response.status(), 403),
        other => panic!("a cross-site socket was opened: {other:?}"),
    }
    let mut request = server.url.as_str().into_client_request().unwrap();
    let own = format!("http://{}", server.server.host);
    request.headers_mut().insert("origin", own.parse().unwrap());
    let (mut own_page, _) = tokio_tungstenite::connect_async(request).await.unwrap();
    own_page
        .send(Message::text(json!({"type": "start_chat"}).to_string()))
        .await
        .unwrap();
}

#[tokio::test]
async fn sends_over_the_rate_limit_are_refused() {
    let server = SocketServer::limited(3).await;
    let (mut visitor, _, id) = server.visitor_with_chat().await;
    visitor.send_accepted(numbered_lines(3)).await;
    visitor
        .send_refused(
            json!({"type": "send_msg", "text": "one too many"}),
            "rate_limited",
        )
        .await;
    let token: ChatToken = server.server.staff.token_of(id).unwrap();
    let history = server.server.staff.history(&token, None, 25).unwrap();
    let lines = history
        .iter()
        .filter(|entry| matches!(entry, seshat_client::HistoryEntry::FromVisitor { .. }))
        .count();
    assert_eq!(lines, 3);
}

#[tokio::test]
async fn a_socket_and_http_from_one_address_share_one_budget() {
    let server = SocketServer::limited(3).await;
    // Starts: two over HTTP and one over a socket use the budget up.
    server.server.start_chat().await;
    server.server.start_chat().await;
    let (mut visitor, token, _) = server.visitor_with_chat().await;
    let response = server
        .server
        .http
        .post(server.server.url("/start"))
        .form(&[("message", "Hello")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 429);
    let mut another = server.visitor().await;
    another
        .send_refused(json!({"type": "start_chat"}), "rate_limited")
        .await;

    // Lines: three over the socket use it up for the HTTP route too.
    visitor.send_accepted(numbered_lines(3)).await;
    let (status, _) = server.server.send(&token, "one more over HTTP").await;
    assert_eq!(status, 429);
    visitor
        .send_refused(
            json!({"type": "send_msg", "text": "one more over the socket"}),
            "rate_limited",
        )
        .await;
}

#[tokio::test]
async fn both_transports_share_one_delivery_mark() {
    let server = SocketServer::start().await;
    let (mut socket, token, id) = server.visitor_with_chat().await;
    server.server.accept(id);
    socket.wait_for_text(texts::CHAT_STARTED).await;
    server.reply("seen by both");
    let pushed = socket.wait_for_text("seen by both").await;
    let pushed_id = pushed["msg_out"]["id"].as_i64().unwrap();

    // Pushed but not acknowledged: the long poll still has it.
    let (status, body) = server.server.receive(&token, &[("after", "0")]).await;
    assert_eq!(status, 200);
    assert!(TestServer::texts(&body).contains(&"seen by both".to_owned()));
    // With the same time: one formatter, exact to the stored number.
    let polled = body["messages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|message| message["id"] == pushed_id)
        .unwrap_or_else(|| panic!("not in the long poll: {body}"));
    assert_eq!(polled["time"], pushed["msg_out"]["time"], "{body}");
    // The long poll acknowledges it; a new socket no longer sends it.
    let after = pushed_id.to_string();
    server.server.receive(&token, &[("after", &after)]).await;
    drop(socket);
    let mut again = server.visitor().await;
    again
        .send(json!({"type": "start_chat", "chat_id": token}))
        .await;
    let resent = again.round_trip().await;
    assert!(texts_of(&resent).is_empty(), "{resent:?}");

    // The other way round: acknowledged on the socket, gone from the poll.
    server.reply("acknowledged on the socket");
    let pushed = again.wait_for_text("acknowledged on the socket").await;
    again
        .send(json!({"type": "ack_chat", "msg_id": pushed["msg_out"]["id"]}))
        .await;
    again.round_trip().await;
    let (_, body) = server.server.receive(&token, &[("after", &after)]).await;
    assert!(TestServer::texts(&body).is_empty(), "{body}");
    // Every message, delivered or not, is still in the history.
    again
        .send(json!({"type": "get_history", "before": "2999-01-01T00:00:00Z"}))
        .await;
    let history = again.wait_for_type("history").await;
    let texts: Vec<&str> = history["history"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|entry| entry["msg_out"]["text"].as_str())
        .collect();
    assert_eq!(&texts[..2], ["acknowledged on the socket", "seen by both"]);
}
