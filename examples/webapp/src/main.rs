//! `seshat-webapp CONFIG SECTION [--listen ADDR]`: Seshat's example web
//! application. It reads the database path, rate limit and proxy header
//! from the same ini section as `seshatd`, serves a demo page with the chat widget, the
//! chat routes at `/chat`, the WebSocket at `/wc/connect` and the widget's
//! files at `/static`.
//!
//! # Layout
//!
//! - [`seshat_webapp::cli`] (the library): the command line.
//! - `settings`: the ini keys it reads, by the daemon's rules.
//! - `app`: the router: home page, chat routes, static files.
//! - `home`: the demo page with the widget snippet pasted in.

mod app;
mod home;
mod settings;

use std::io::{IsTerminal as _, Write as _};
use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use seshat_client::Client;
use seshat_webapp::cli::Arguments;
use tokio::sync::oneshot;
use tracing_subscriber::EnvFilter;

use settings::Settings;

/// Once asked to stop, open requests (long polls last up to 30 s) get
/// this long to finish; the widget reconnects to the next process anyway.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

#[tokio::main]
async fn main() -> ExitCode {
    let arguments = Arguments::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .init();
    match run(arguments).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("seshat-webapp: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn run(arguments: Arguments) -> Result<(), String> {
    // Listening from the start: a SIGTERM during start-up stops the app
    // cleanly instead of killing it.
    let asked_to_stop = seshat_client::signals::stop_requested()
        .map_err(|error| format!("cannot listen for shutdown signals: {error}"))?;
    let settings =
        Settings::load(&arguments.config, &arguments.section).map_err(|error| error.to_string())?;
    app::check_assets(&settings).map_err(|error| error.to_string())?;
    let store = settings
        .database
        .open(seshat_client::Limits::default())
        .map_err(|error| format!("cannot open the database {}: {error}", settings.database))?;
    let client = Client::from_store(store);
    let listener = tokio::net::TcpListener::bind(arguments.listen)
        .await
        .map_err(|error| format!("cannot listen on {}: {error}", arguments.listen))?;
    let address = listener
        .local_addr()
        .map_err(|error| format!("cannot tell the listening address: {error}"))?;

    // Scripts (the browser test, the demo) wait for this line.
    println!("seshat-webapp listening on http://{address}/");
    let _ = std::io::stdout().flush();

    let (stopping, stop_requested) = oneshot::channel::<()>();
    let (app, sockets, metrics) = app::build(client, &settings);
    if let Some(address) = settings.metrics_listen {
        seshat_client::metrics::serve(address, metrics)
            .await
            .map_err(|error| format!("cannot serve metrics on {address}: {error}"))?;
    }
    let server = axum::serve(
        seshat_web::listener::for_chat(listener),
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(async move {
        asked_to_stop.await;
        // Upgraded sockets are no longer the HTTP server's: close them
        // (code 1000) before it stops, as Chip does.
        let left_open = sockets.close_all(SHUTDOWN_GRACE).await;
        if left_open > 0 {
            tracing::warn!(left_open, "WebSockets did not close in time");
        }
        tracing::info!("stopping: finishing open requests");
        let _ = stopping.send(());
    });
    let mut server = tokio::spawn(std::future::IntoFuture::into_future(server));
    let grace_over = async {
        match stop_requested.await {
            Ok(()) => tokio::time::sleep(SHUTDOWN_GRACE).await,
            // The server ended on its own; its result says why.
            Err(_) => std::future::pending().await,
        }
    };
    tokio::select! {
        finished = &mut server => match finished {
            Ok(Ok(())) => Ok(()),
            Ok(Err(error)) => Err(format!("the server failed: {error}")),
            Err(error) => Err(format!("the server task failed: {error}")),
        },
        () = grace_over => {
            tracing::info!("open requests cut off after {} s", SHUTDOWN_GRACE.as_secs());
            Ok(())
        }
    }
}
