//! Rescuing visitors stranded by a staff member who dropped: once the
//! handler of an open chat has had no connected client for
//! `handler_grace`, the visitor is told, and the chat waits for staff
//! again so that a colleague is offered it, with the conversation so far.
//!
//! "Connected" counts any client, away or not: the server delivers to an
//! away client, so its visitor is not stranded. A handler who comes back
//! within the grace period keeps the chat and notices nothing.

use std::collections::HashMap;

use seshat_client::{Author, HistoryEntry, StaffNames, Store};
use xmpp_parsers::jid::BareJid;

use super::Broker;

/// Lines of the conversation a re-offer shows at least (more when the
/// handler missed more).
const REOFFER_HISTORY_LINES: usize = 20;

/// What a re-offer says beyond an offer: who dropped, and what was said.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Reoffer {
    /// How staff texts name the handler who lost their connection.
    pub lost_handler: String,
    /// `(who, text)` lines, oldest first.
    pub history: Vec<(String, String)>,
}

/// Since when each staff member has had no connected client, in Unix
/// seconds, for those without one and not yet dealt with.
#[derive(Debug, Default)]
pub(super) struct Absences {
    since: HashMap<BareJid, f64>,
}

impl Absences {
    /// `staff` has no connected client from `at` on (an earlier start is kept).
    pub fn gone(&mut self, staff: &BareJid, at: f64) {
        self.since.entry(staff.clone()).or_insert(at);
    }

    /// `staff` is connected again.
    pub fn back(&mut self, staff: &BareJid) {
        self.since.remove(staff);
    }

    /// Takes out those gone for `grace` seconds by `now`; returns them and
    /// when the next of the others will be.
    pub fn take_overdue(&mut self, now: f64, grace: f64) -> (Vec<BareJid>, Option<f64>) {
        let overdue: Vec<BareJid> = self
            .since
            .iter()
            .filter(|(_, since)| **since + grace <= now)
            .map(|(staff, _)| staff.clone())
            .collect();
        for staff in &overdue {
            self.since.remove(staff);
        }
        let next = self
            .since
            .values()
            .map(|since| since + grace)
            .reduce(f64::min);
        (overdue, next)
    }
}

/// Takes the open chat of `staff`, if any, back for a re-offer: tells the
/// visitor, and returns the chat's id and what the re-offer shows.
/// Runs on a blocking thread.
pub(super) fn hand_back(
    store: &dyn Store,
    names: &StaffNames,
    staff: &str,
) -> seshat_client::Result<Option<(i64, Reoffer)>> {
    let Some(chat) = store.open_chat_of(staff)? else {
        return Ok(None);
    };
    let Some(missed) = store.hand_back(chat.id, staff, seshat_client::texts::HANDLER_LOST)? else {
        return Ok(None);
    };
    let token = store.token_of(chat.id)?;
    let mut entries = store.history(&token, None, REOFFER_HISTORY_LINES.max(missed))?;
    entries.reverse();
    let history = entries
        .into_iter()
        .filter_map(|entry| match entry {
            HistoryEntry::FromVisitor { text, .. } => Some((chat.visitor.clone(), text)),
            HistoryEntry::ToVisitor(message) => match message.author {
                Author::Staff(jid) => Some((names.for_staff(&jid), message.text)),
                // Seshat's own notices are not the conversation.
                Author::Seshat => None,
            },
        })
        .collect();
    let reoffer = Reoffer {
        lost_handler: names.for_staff(staff),
        history,
    };
    Ok(Some((chat.id, reoffer)))
}

impl Broker {
    /// Re-offers the open chats of handlers gone longer than the grace
    /// period; returns when the next handler's grace runs out.
    pub(super) async fn rescue_stranded(&mut self) -> Result<Option<f64>, seshat_client::Error> {
        let grace = self.settings.handler_grace.as_secs_f64();
        let (overdue, next) = self
            .absences
            .take_overdue(seshat_client::clock::now(), grace);
        let mut failure = None;
        for staff in overdue {
            let names = self.settings.names.clone();
            let jid = staff.to_string();
            let handed_back = self
                .store
                .run(move |store| hand_back(store, &names, &jid))
                .await;
            match handed_back {
                Ok(Some((chat_id, reoffer))) => {
                    tracing::info!(chat = chat_id, %staff, "the handler lost their connection; offering the chat again");
                    self.reoffers.insert(chat_id, reoffer);
                }
                Ok(None) => {}
                // Overdue still: the next pass tries again.
                Err(error) => {
                    self.absences.gone(&staff, 0.0);
                    failure.get_or_insert(error);
                }
            }
        }
        if let Some(error) = failure {
            return Err(error);
        }
        Ok(next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jid(name: &str) -> BareJid {
        BareJid::new(&format!("{name}@example.com")).unwrap()
    }

    #[test]
    fn only_those_gone_for_the_whole_grace_are_overdue_once() {
        let mut absences = Absences::default();
        absences.gone(&jid("joe"), 100.0);
        absences.gone(&jid("bob"), 130.0);
        absences.gone(&jid("joe"), 120.0);
        assert_eq!(absences.take_overdue(150.0, 60.0), (vec![], Some(160.0)));
        assert_eq!(
            absences.take_overdue(160.0, 60.0),
            (vec![jid("joe")], Some(190.0))
        );
        assert_eq!(absences.take_overdue(170.0, 60.0), (vec![], Some(190.0)));
    }

    #[test]
    fn coming_back_cancels_the_rescue() {
        let mut absences = Absences::default();
        absences.gone(&jid("joe"), 100.0);
        absences.back(&jid("joe"));
        assert_eq!(absences.take_overdue(1000.0, 60.0), (vec![], None));
    }
}
