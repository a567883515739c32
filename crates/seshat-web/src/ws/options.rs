//! What an application may tune about the WebSocket transport.

use std::time::Duration;

/// Default for [`SocketOptions::max_frame_bytes`], the same as the HTTP
/// routes' body limit. Chip allows 4096 bytes, but then the longest line
/// the store accepts (4096 bytes of UTF-8) would not fit once wrapped in
/// JSON, and JSON escaping (`\"`, `\n`) can double it.
pub const DEFAULT_MAX_FRAME_BYTES: usize = crate::options::DEFAULT_MAX_BODY_BYTES;
/// Default for [`SocketOptions::ping_interval`] (Chip's).
pub const DEFAULT_PING_INTERVAL: Duration = Duration::from_secs(30);
/// Default for [`SocketOptions::silence_limit`] (Chip's pong wait).
pub const DEFAULT_SILENCE_LIMIT: Duration = Duration::from_secs(60);
/// Default for [`SocketOptions::write_timeout`] (Chip's).
pub const DEFAULT_WRITE_TIMEOUT: Duration = Duration::from_secs(15);

/// How the sockets behave. The rate limits, proxy header, staff names and
/// the rest are the routes' [`crate::Options`], shared by both transports.
#[derive(Debug, Clone)]
pub struct SocketOptions {
    /// Largest frame (and message) a visitor may send, in bytes; a larger
    /// one closes that socket with code 1009 (message too big).
    pub max_frame_bytes: usize,
    /// How often the server pings each socket.
    pub ping_interval: Duration,
    /// A socket from which nothing (not even a pong) has arrived for this
    /// long is dropped: the visitor's network is gone.
    pub silence_limit: Duration,
    /// A write that takes longer than this drops the socket: the visitor
    /// stopped reading, and the server will not buffer for them forever.
    pub write_timeout: Duration,
}

impl Default for SocketOptions {
    fn default() -> Self {
        SocketOptions {
            max_frame_bytes: DEFAULT_MAX_FRAME_BYTES,
            ping_interval: DEFAULT_PING_INTERVAL,
            silence_limit: DEFAULT_SILENCE_LIMIT,
            write_timeout: DEFAULT_WRITE_TIMEOUT,
        }
    }
}
