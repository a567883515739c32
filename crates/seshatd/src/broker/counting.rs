//! What a staff message did, for the metrics and the stale-offer
//! notices: a chat accepted or canceled, or text queued for a visitor.

use seshat_client::clock;
use xmpp_parsers::jid::Jid;

use super::Broker;
use crate::commands::StaffCommand;
use crate::texts;

impl Broker {
    /// Records what a staff message did: a chat accepted or canceled (and
    /// by whom, for the stale-offer notice), or text queued for a visitor.
    pub(super) async fn count_staff_message(
        &mut self,
        command: Option<StaffCommand>,
        answer: &Result<Option<String>, seshat_client::Error>,
        from: &Jid,
    ) {
        let Ok(reply) = answer else {
            return;
        };
        match (command, reply) {
            (None, None) => self.metrics.relayed_to_visitor(),
            (Some(StaffCommand::Cancel(chat_id)), Some(reply))
                if *reply == texts::canceled(chat_id) =>
            {
                self.metrics.cancels.inc();
                self.canceled_by.insert(chat_id, from.to_bare());
            }
            (Some(StaffCommand::Accept(chat_id)), Some(reply))
                if *reply == texts::now_handling(chat_id) =>
            {
                self.metrics.accepts.inc();
                if let Ok(Some(chat)) = self.store.run(move |store| store.chat(chat_id)).await {
                    self.metrics
                        .accept_wait
                        .observe((clock::now() - chat.started_at).max(0.0));
                }
            }
            _ => {}
        }
    }
}
