//! What a web application may tune: rate limits, body size, where the
//! widget's files are served, how to find the visitor's address, and the
//! names visitors see for staff.

use axum::http::HeaderName;
use seshat_client::StaffNames;

/// Default for [`Options::rate_limit_per_minute`]: enough for a fast typist
/// writing short lines, far too few for a script flooding staff.
pub const DEFAULT_RATE_LIMIT_PER_MINUTE: u32 = 30;

/// Default for [`Options::max_body_bytes`]. A message may hold 4096 bytes
/// of UTF-8, which form encoding can triple (`%E2%82%AC`); this leaves room
/// for that and the field names, and nothing much more.
pub const DEFAULT_MAX_BODY_BYTES: usize = 16 * 1024;

/// How the routes behave. `Options::default()` suits a site served
/// directly (no reverse proxy) with the widget's files under `/static`.
#[derive(Debug, Clone)]
pub struct Options {
    /// How many chats one client address may start, and how many messages
    /// and ends it may send, per minute (short bursts up to this number
    /// are allowed), over the HTTP routes and the WebSocket of one
    /// [`crate::WebChat`] together. `0` turns both limits off, for load
    /// tests. The ini key `rate_limit_per_minute` sets it in the example
    /// app.
    pub rate_limit_per_minute: u32,
    /// Largest request body accepted, in bytes; larger ones get 413.
    pub max_body_bytes: usize,
    /// A header carrying the visitor's address, set by a reverse proxy in
    /// front of the application (such as `x-forwarded-for`; the address
    /// the proxy appended, the last one, is used), on both transports.
    /// `None` uses the TCP peer, which behind a proxy is the proxy itself,
    /// so that every visitor would share one budget.
    pub client_address_header: Option<HeaderName>,
    /// URL prefix under which the application serves `chatstyle.css` and
    /// `seshat.js` from `static/`, used by the `GET /chat` page.
    pub static_url: String,
    /// URL of jQuery, used by the `GET /chat` page.
    pub jquery_url: String,
    /// The names visitors see for staff members, on both transports (the
    /// long poll's `name`, the socket's `msg_out.user.name`): the
    /// `staff_names` ini key, else the JID's local part.
    pub staff_names: StaffNames,
    /// Whether the daemon keeps new chats in line while every staff
    /// member online is busy (the shared `queue_when_busy` key): then
    /// `GET /available` says `"busy": true` and the widget invites the
    /// visitor to wait in line instead of hiding.
    pub queue_when_busy: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            rate_limit_per_minute: DEFAULT_RATE_LIMIT_PER_MINUTE,
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            client_address_header: None,
            static_url: "/static".to_owned(),
            jquery_url: "/static/jquery/jquery.min.js".to_owned(),
            staff_names: StaffNames::default(),
            queue_when_busy: true,
        }
    }
}
