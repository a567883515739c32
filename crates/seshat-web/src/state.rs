//! What every handler of both transports shares: the client, the options
//! and the rate limits.

use std::time::Instant;

use seshat_client::{ChatStatus, ChatToken, Client};

use crate::client_address::ClientAddress;
use crate::error::WebError;
use crate::metrics::WebMetrics;
use crate::options::Options;
use crate::rate_limit::RateLimiter;

/// Shared through an `Arc` by every request and socket of one
/// [`crate::WebChat`], so that a visitor has one budget whichever
/// transport they use.
pub struct AppState {
    /// The store, through its async API.
    pub client: Client,
    /// The application's choices.
    pub options: Options,
    /// Chats started per client address; `None` when limits are off.
    start_limit: Option<RateLimiter<ClientAddress>>,
    /// Messages sent, chats ended and (on the socket) email addresses set,
    /// per client address; `None` when limits are off. Keyed on the address, never on the token in the
    /// request: a token is only checked later, and each guessed token
    /// would otherwise bring a fresh budget.
    write_limit: Option<RateLimiter<ClientAddress>>,
    /// What `/metrics` shows.
    pub metrics: WebMetrics,
}

impl AppState {
    /// State for `client` with `options`.
    pub fn new(client: Client, options: Options) -> Self {
        AppState {
            start_limit: RateLimiter::new(options.rate_limit_per_minute),
            write_limit: RateLimiter::new(options.rate_limit_per_minute),
            client,
            options,
            metrics: WebMetrics::default(),
        }
    }

    /// Counts a chat start by `address`, or says how long to wait.
    pub fn allow_start(&self, address: ClientAddress) -> Result<(), WebError> {
        allow(self.start_limit.as_ref(), address).inspect_err(|_| self.metrics.rate_limited())
    }

    /// Counts a write to a chat (a message, an end, an email address) by
    /// `address`, or says how long to wait.
    pub fn allow_write(&self, address: ClientAddress) -> Result<(), WebError> {
        allow(self.write_limit.as_ref(), address).inspect_err(|_| self.metrics.rate_limited())
    }

    /// The status of the chat `token` names, by a read: a request with an
    /// unknown token is answered from this and never waits for the write
    /// lock, which the daemon and every other visitor need.
    pub async fn status_of(&self, token: &ChatToken) -> Result<ChatStatus, WebError> {
        Ok(self.client.status(token).await?)
    }
}

fn allow(limiter: Option<&RateLimiter<ClientAddress>>, key: ClientAddress) -> Result<(), WebError> {
    match limiter {
        Some(limiter) => limiter
            .check(key, Instant::now())
            .map_err(|retry_after| WebError::RateLimited { retry_after }),
        None => Ok(()),
    }
}
