//! One visitor's long poll as the widget makes it:
//! `GET chat/recvmessage/{token}?wait=SECONDS&after=LAST`, where `LAST` is
//! the last message id shown, so each request acknowledges what the one
//! before it returned.

use serde_json::Value;

/// A visitor's long poll on one chat.
pub struct LongPoll {
    http: reqwest::Client,
    /// `http://HOST:PORT/chat/recvmessage/TOKEN`.
    url: String,
    /// The last message id shown.
    after: i64,
}

impl LongPoll {
    /// The long poll of the chat with web token `token` on the app at
    /// `base` (`http://HOST:PORT/`), whose visitor has shown messages up
    /// to id `after`.
    pub fn new(http: reqwest::Client, base: &str, token: &str, after: i64) -> LongPoll {
        LongPoll {
            http,
            url: format!("{base}chat/recvmessage/{token}"),
            after,
        }
    }

    /// One request waiting up to `wait` seconds; returns the messages it
    /// answered (possibly none) and remembers the last one as shown.
    pub async fn poll(&mut self, wait: u64) -> Result<Vec<Value>, String> {
        let url = format!("{}?wait={wait}&after={}", self.url, self.after);
        let response = self
            .http
            .get(url)
            .send()
            .await
            .map_err(|error| error.to_string())?;
        let status = response.status();
        let body = response.text().await.map_err(|error| error.to_string())?;
        if !status.is_success() {
            return Err(format!("{status}: {body}"));
        }
        let answer: Value = serde_json::from_str(&body).map_err(|error| error.to_string())?;
        let messages = answer["messages"].as_array().cloned().unwrap_or_default();
        if let Some(last) = messages.last().and_then(|message| message["id"].as_i64()) {
            self.after = last;
        }
        Ok(messages)
    }
}
