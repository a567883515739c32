//! A real HTTP server over a real SQLite file, a real HTTP client, and a
//! second store on the same file standing in for the daemon.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use seshat_client::{Client, SqliteStore, Store, Topic};
use seshat_web::{Options, StaffNames, WebChat};
use tokio::sync::oneshot;

/// A staff member's bare JID, as the daemon would record it.
pub const STAFF: &str = "alice@example.test";

/// Default options, except that [`STAFF`] is shown to visitors as `name`
/// (the `staff_names` setting).
pub fn naming_staff(name: &str) -> Options {
    let mut staff_names = StaffNames::default();
    staff_names.insert(STAFF, name);
    Options {
        staff_names,
        ..Options::default()
    }
}

/// Every request gives up after this long, so that a hung server fails the
/// test instead of hanging it. Long polls in these tests wait at most 30 s
/// on the server, so an answer that comes only at the server's own time
/// limit fails too.
pub const REQUEST_DEADLINE: Duration = Duration::from_secs(20);

/// The routes served on a free loopback port, over their own database.
pub struct TestServer {
    /// `http://127.0.0.1:PORT/chat`, where the routes are nested.
    pub base: String,
    /// `127.0.0.1:PORT`, as browsers send it in `Host`.
    pub host: String,
    /// A plain HTTP client with a deadline on every request.
    pub http: reqwest::Client,
    /// A second store on the same file: the daemon's side of the database.
    pub staff: Arc<SqliteStore>,
    /// The routes' own client, to watch who waits on it.
    pub web: Client,
    /// Where the database lives; removed with the server.
    pub db_path: PathBuf,
    stop: Option<oneshot::Sender<()>>,
    _dir: tempfile::TempDir,
}

impl TestServer {
    /// Routes with `options` over a fresh database.
    pub async fn start(options: Options) -> TestServer {
        Self::start_with(
            options,
            |path| Client::open(path).expect("open the database"),
            |router, _| router,
        )
        .await
    }

    /// Like [`TestServer::start`], letting the test open the routes' client
    /// on the database path (`open_client`) and wrap the application
    /// around the nested routes (`wrap_app`, given the app that nests
    /// them at `/chat` and the [`WebChat`] they come from, for its sockets).
    pub async fn start_with(
        options: Options,
        open_client: impl FnOnce(&Path) -> Client,
        wrap_app: impl FnOnce(Router, &WebChat) -> Router,
    ) -> TestServer {
        let dir = tempfile::tempdir().expect("temporary directory");
        let db_path = dir.path().join("seshat.db");
        let client = open_client(&db_path);
        let web = client.clone();
        let staff = Arc::new(SqliteStore::open(&db_path).expect("open a second store"));
        let chat = WebChat::new(client, options);
        let app = wrap_app(Router::new().nest("/chat", chat.router()), &chat);

        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind a loopback port");
        let address = listener.local_addr().expect("local address");
        let (stop, stopped) = oneshot::channel::<()>();
        tokio::spawn(async move {
            axum::serve(
                seshat_web::listener::for_chat(listener),
                app.into_make_service_with_connect_info::<SocketAddr>(),
            )
            .with_graceful_shutdown(async {
                let _ = stopped.await;
            })
            .await
            .expect("serve");
        });
        TestServer {
            base: format!("http://{address}/chat"),
            host: address.to_string(),
            http: reqwest::Client::builder()
                .timeout(REQUEST_DEADLINE)
                .build()
                .expect("HTTP client"),
            staff,
            web,
            db_path,
            stop: Some(stop),
            _dir: dir,
        }
    }

    /// The full URL of a path under the routes, such as `/start`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Starts a chat through the API; returns (token, chat id).
    pub async fn start_chat(&self) -> (String, i64) {
        let response = self
            .http
            .post(self.url("/start"))
            .form(&[("message", "Hello")])
            .send()
            .await
            .expect("POST /start");
        assert_eq!(response.status(), 200);
        let body: serde_json::Value = response.json().await.expect("JSON");
        (
            body["token"].as_str().expect("token").to_owned(),
            body["chatid"].as_i64().expect("chatid"),
        )
    }

    /// `GET /recvmessage/{token}` with a query; returns (status code, JSON).
    pub async fn receive(&self, token: &str, query: &[(&str, &str)]) -> (u16, serde_json::Value) {
        let response = self
            .http
            .get(self.url(&format!("/recvmessage/{token}")))
            .query(query)
            .send()
            .await
            .expect("GET /recvmessage");
        let status = response.status().as_u16();
        (status, response.json().await.expect("JSON"))
    }

    /// `POST /sendmessage/{token}` with `text`; returns (status code, JSON).
    pub async fn send(&self, token: &str, text: &str) -> (u16, serde_json::Value) {
        let response = self
            .http
            .post(self.url(&format!("/sendmessage/{token}")))
            .form(&[("text", text)])
            .send()
            .await
            .expect("POST /sendmessage");
        let status = response.status().as_u16();
        (status, response.json().await.expect("JSON"))
    }

    /// The texts of the messages in a `recvmessage` answer.
    pub fn texts(body: &serde_json::Value) -> Vec<String> {
        body["messages"]
            .as_array()
            .expect("messages array")
            .iter()
            .map(|message| message["text"].as_str().expect("text").to_owned())
            .collect()
    }

    /// Waits until `waiters` requests or sockets wait for chat `id` (a
    /// long poll that found nothing, a socket on the chat), failing the
    /// test after a generous deadline.
    pub async fn until_waiting(&self, id: i64, waiters: usize) {
        let wakeups = self.web.store().wakeups();
        let give_up_at = tokio::time::Instant::now() + Duration::from_secs(10);
        while wakeups.waiters(Topic::Chat(id)) < waiters {
            assert!(
                tokio::time::Instant::now() < give_up_at,
                "chat {id} never had {waiters} waiters"
            );
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }

    /// How many waiters the routes' store has woken so far.
    pub fn woken(&self) -> u64 {
        self.web.store().wakeups().woken()
    }

    /// The staff member accepts chat `id`, as `!ACCEPT id` would.
    pub fn accept(&self, id: i64) {
        let outcome = self.staff.accept(id, STAFF).expect("accept");
        assert!(
            matches!(outcome, seshat_client::AcceptOutcome::Accepted(_)),
            "{outcome:?}"
        );
    }

    /// What staff have been sent, undelivered, as the daemon would read it.
    pub fn staff_inbox(&self, chat_id: i64) -> Vec<String> {
        self.staff
            .staff_bound(1000)
            .expect("staff_bound")
            .into_iter()
            .filter(|message| message.chat_id == chat_id)
            .map(|message| message.text)
            .collect()
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}
