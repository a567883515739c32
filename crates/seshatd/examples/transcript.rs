//! A Seshat daemon with one command of your own, `!TRANSCRIPT`, built from
//! the `seshatd` library without copying any of its code.
//!
//! ```text
//! cargo run -p seshatd --example transcript -- seshat.ini Seshat
//! ```
//!
//! Everything the stock `seshatd` does still works; `!HELP` now also lists
//! `!TRANSCRIPT - Show the messages of your current chat so far`.

use std::process::ExitCode;

use clap::Parser;
use seshat_client::{Author, Error, HistoryEntry};
use seshatd::cli::Cli;
use seshatd::commands::Context;
use seshatd::config::Config;
use seshatd::daemon::Daemon;

/// How many of the latest messages `!TRANSCRIPT` shows.
const LINES: usize = 20;

/// The line `!HELP` shows for `!TRANSCRIPT`.
const HELP: &str = "!TRANSCRIPT - Show the messages of your current chat so far";

/// `!TRANSCRIPT`: the last messages of the staff member's open chat, both
/// ways, oldest first; handy after switching to another Jabber client.
fn transcript(context: &Context<'_>, _: &str) -> Result<String, Error> {
    let Some(chat) = context.store.open_chat_of(context.staff)? else {
        return Ok("You are not in a chat, so there is no transcript.".to_owned());
    };
    let token = context.store.token_of(chat.id)?;
    let mut entries = context.store.history(&token, None, LINES)?;
    entries.reverse(); // The store gives the newest first.
    let mut text = format!("Chat #{} with {}:", chat.id, chat.visitor);
    for entry in entries {
        let (who, line) = match entry {
            HistoryEntry::FromVisitor { text, .. } => (chat.visitor.as_str(), text),
            HistoryEntry::ToVisitor(message) => match message.author {
                Author::Staff(staff) if staff == context.staff => ("you", message.text),
                Author::Staff(_) => ("staff", message.text),
                Author::Seshat => ("Seshat", message.text),
            },
        };
        text.push_str(&format!("\n{who}: {line}"));
    }
    Ok(text)
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let config = match Config::load(&cli.config, &cli.section) {
        Ok(config) => config,
        Err(error) => {
            eprintln!("transcript: {error}");
            return ExitCode::from(2);
        }
    };
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new(&config.log_level))
        .with_writer(std::io::stderr)
        .init();
    let runtime = tokio::runtime::Runtime::new().expect("an async runtime");
    match runtime.block_on(
        Daemon::new(config)
            .with_command("TRANSCRIPT", HELP, transcript)
            .run(),
    ) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("transcript: {error}");
            ExitCode::from(1)
        }
    }
}

#[cfg(test)]
mod tests {
    use seshat_client::{SqliteStore, Store};
    use seshatd::commands::Commands;

    use super::*;

    const JOE: &str = "joe@example.com";

    #[test]
    fn the_transcript_shows_both_sides_oldest_first() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(dir.path().join("seshat.db")).unwrap();
        let mut commands = Commands::standard();
        commands.register("TRANSCRIPT", HELP, transcript).unwrap();
        assert!(commands.help_text().contains(HELP));

        assert_eq!(
            commands
                .dispatch(&store, JOE, "!transcript")
                .unwrap()
                .unwrap(),
            "You are not in a chat, so there is no transcript."
        );
        let chat = store.start_chat("kim", None).unwrap();
        store.accept(chat.id, JOE).unwrap();
        store.send_from_visitor(&chat.token, "Hello?").unwrap();
        store.reply_from_staff(JOE, "Hi Kim.").unwrap();
        assert_eq!(
            commands
                .dispatch(&store, JOE, "!TRANSCRIPT")
                .unwrap()
                .unwrap(),
            format!(
                "Chat #{} with kim:\n\
                 Seshat: Your chat request has been sent. Please wait while it is answered.\n\
                 Seshat: Your chat has started.\n\
                 kim: Hello?\n\
                 you: Hi Kim.",
                chat.id
            )
        );
    }
}
