//! A visitor without a browser: `POST /chat/start`, `POST
//! /chat/sendmessage` and long polls on `GET /chat/recvmessage`, as the
//! widget talks, including its answer to `503 Service Unavailable`: wait
//! for `Retry-After`, then try again.

use std::time::{Duration, Instant};

use serde_json::Value;

use crate::deployment::DEADLINE;

/// One visitor's chat, over plain HTTP.
pub struct HttpVisitor {
    http: reqwest::Client,
    /// The web app the visitor talks to now, such as `http://127.0.0.1:PORT/`.
    site: String,
    /// The chat's token.
    pub token: String,
    /// The newest message id seen, for `after=`.
    last_id: i64,
    /// Every message text the visitor received, in order.
    pub received: Vec<String>,
}

impl HttpVisitor {
    /// Starts a chat on the web app at `site` with `message` as its first line.
    pub async fn start(site: &str, message: &str) -> HttpVisitor {
        let http = reqwest::Client::new();
        let response = http
            .post(format!("{site}chat/start"))
            .form(&[("message", message)])
            .send()
            .await
            .expect("POST /chat/start");
        assert_eq!(response.status(), 200);
        let body: Value = response.json().await.expect("JSON");
        HttpVisitor {
            http,
            site: site.to_owned(),
            token: body["token"].as_str().expect("token").to_owned(),
            last_id: 0,
            received: Vec::new(),
        }
    }

    /// Goes on with the same chat on the web app at `site` (another host
    /// behind the same load balancer, say).
    pub fn move_to(&mut self, site: &str) {
        self.site = site.to_owned();
    }

    /// Sends `text` to staff, trying again after a 503 as the widget does.
    pub async fn say(&self, text: &str) {
        let give_up_at = Instant::now() + DEADLINE;
        loop {
            let response = self
                .http
                .post(format!("{}chat/sendmessage/{}", self.site, self.token))
                .form(&[("text", text)])
                .send()
                .await
                .expect("POST /chat/sendmessage");
            match response.status().as_u16() {
                200 => return,
                503 if Instant::now() < give_up_at => retry_after(&response).await,
                status => panic!("sending {text:?}: {status} {:?}", response.text().await),
            }
        }
    }

    /// The same chat in a second tab, on the web app at `site`: it shares
    /// the token, and sees messages from the newest this one has seen.
    pub fn also_on(&self, site: &str) -> HttpVisitor {
        HttpVisitor {
            http: self.http.clone(),
            site: site.to_owned(),
            token: self.token.clone(),
            last_id: self.last_id,
            received: Vec::new(),
        }
    }

    /// Long-polls until a message with exactly `text` arrives, and returns
    /// when its answer was read.
    pub async fn wait_for(&mut self, text: &str) -> Instant {
        let give_up_at = Instant::now() + DEADLINE;
        while Instant::now() < give_up_at {
            let response = self
                .http
                .get(format!("{}chat/recvmessage/{}", self.site, self.token))
                .query(&[("wait", "10"), ("after", &self.last_id.to_string())])
                .send()
                .await
                .expect("GET /chat/recvmessage");
            if response.status() == 503 {
                retry_after(&response).await;
                continue;
            }
            assert_eq!(response.status(), 200, "GET /chat/recvmessage");
            let body: Value = response.json().await.expect("JSON");
            let mut arrived = false;
            for message in body["messages"].as_array().expect("messages") {
                self.last_id = message["id"].as_i64().expect("id");
                let message = message["text"].as_str().expect("text").to_owned();
                arrived |= message == text;
                self.received.push(message);
            }
            if arrived {
                return Instant::now();
            }
        }
        panic!("{text:?} never arrived; got {:?}", self.received);
    }
}

/// Waits as long as a 503's `Retry-After` asks (whole seconds; 1 if absent).
async fn retry_after(response: &reqwest::Response) {
    let seconds = response
        .headers()
        .get("retry-after")
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse().ok())
        .unwrap_or(1u64);
    tokio::time::sleep(Duration::from_secs(seconds.min(5))).await;
}
