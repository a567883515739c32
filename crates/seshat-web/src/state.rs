//! What every handler shares: the client, the options and the rate limits.

use std::time::Instant;

use seshat_client::{ChatToken, Client};

use crate::client_address::ClientAddress;
use crate::error::WebError;
use crate::options::Options;
use crate::rate_limit::RateLimiter;

/// Shared by all requests through an `Arc`.
pub struct AppState {
    /// The store, through its async API.
    pub client: Client,
    /// The application's choices.
    pub options: Options,
    /// Chats started per client address; `None` when limits are off.
    start_limit: Option<RateLimiter<ClientAddress>>,
    /// Messages sent per chat; `None` when limits are off.
    send_limit: Option<RateLimiter<ChatToken>>,
}

impl AppState {
    /// State for `client` with `options`.
    pub fn new(client: Client, options: Options) -> Self {
        AppState {
            start_limit: RateLimiter::new(options.rate_limit_per_minute),
            send_limit: RateLimiter::new(options.rate_limit_per_minute),
            client,
            options,
        }
    }

    /// Counts a chat start by `address`, or says how long to wait.
    pub fn allow_start(&self, address: ClientAddress) -> Result<(), WebError> {
        allow(self.start_limit.as_ref(), address)
    }

    /// Counts a message sent in the chat `token` names, or says how long to wait.
    pub fn allow_send(&self, token: &ChatToken) -> Result<(), WebError> {
        allow(self.send_limit.as_ref(), token.clone())
    }
}

fn allow<K: std::hash::Hash + Eq>(
    limiter: Option<&RateLimiter<K>>,
    key: K,
) -> Result<(), WebError> {
    match limiter {
        Some(limiter) => limiter
            .check(key, Instant::now())
            .map_err(|retry_after| WebError::RateLimited { retry_after }),
        None => Ok(()),
    }
}
