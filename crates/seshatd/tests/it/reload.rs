//! SIGHUP: the staff list and the log level change without a restart, and
//! a broken file changes nothing.

use crate::common::{command, Rig, WAIT};

#[tokio::test]
async fn sighup_takes_new_staff_and_a_new_log_level_and_keeps_what_runs() {
    let rig = Rig::builder().staff(&["alice"]).strangers(&["bob"]).build();
    let bot = rig.bot();
    let mut alice = rig.connect_available("alice", "desk").await;
    let mut bob = rig.connect("bob", "desk").await;

    rig.change_setting(
        "localusers",
        &format!("{}, {}", rig.jid("alice"), rig.jid("bob")),
    );
    rig.change_setting("log_level", "info");
    rig.reload_daemon();
    // The bot asks Bob for his presence; once it has it, he is staff.
    rig.wait_until_available("bob").await;
    rig.wait_for_log("log level changed").await;
    let chat = rig.visitor("Dana", None).await;
    bob.wait_for_message_containing(&format!("'!ACCEPT {}'", chat.id()), WAIT)
        .await
        .unwrap();
    command(
        &mut bob,
        &bot,
        "!STATUS",
        "You are not in a chat. Send '!HELP' for more options.",
    )
    .await;

    // A file that no longer parses is refused; the daemon goes on as it was.
    rig.change_setting("max_queue", "lots");
    rig.reload_daemon();
    rig.wait_for_log("the configuration was not reloaded").await;
    assert!(rig
        .daemon_log()
        .contains("max_queue: \"lots\" is not a whole number of at least 1"));
    alice
        .wait_for_message_containing(&format!("'!ACCEPT {}'", chat.id()), WAIT)
        .await
        .unwrap();
    command(
        &mut alice,
        &bot,
        &format!("!ACCEPT {}", chat.id()),
        &format!(
            "You are now handling chat #{}. Send '!FINISH' when you are done.",
            chat.id()
        ),
    )
    .await;
}
