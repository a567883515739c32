//! A thousand messages each way through one chat: all arrive, in order,
//! none twice.

use crate::common::{self, Rig, WAIT};
use seshat_client::texts as visitor_texts;

const MESSAGES: usize = 1000;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_messages_each_way_arrive_in_order_exactly_once() {
    let rig = Rig::builder().staff(&["alice"]).build();
    let mut alice = rig.connect_available("alice", "desk").await;
    let bot = rig.bot();
    let mut chat = rig.visitor("chatty", None).await;
    rig.accept(&mut alice, &chat).await;
    chat.expect(&[visitor_texts::CHAT_REQUESTED, visitor_texts::CHAT_STARTED])
        .await;

    // Visitor to staff: queued as fast as the store takes them.
    let token = chat.token().clone();
    rig.web
        .run(move |store| {
            for n in 0..MESSAGES {
                store.send_from_visitor(&token, &format!("visitor {n}"))?;
            }
            Ok(())
        })
        .await
        .unwrap();
    for n in 0..MESSAGES {
        let message = alice.expect_message_from(&bot, WAIT).await.unwrap();
        assert_eq!(message.body, format!("visitor {n}"));
    }

    // Staff to visitor: sent as fast as the server acknowledges them.
    for n in 0..MESSAGES {
        alice.send_chat(&bot, &format!("staff {n}")).await.unwrap();
    }
    for n in 0..MESSAGES {
        assert_eq!(chat.next().await, format!("staff {n}"));
    }
    chat.expect_nothing().await;
    alice.expect_no_message(common::QUIET).await.unwrap();

    // Every visitor message gets marked delivered: none is left to re-send.
    rig.wait_until_all_delivered().await;
}
