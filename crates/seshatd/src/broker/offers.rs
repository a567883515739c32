//! Deciding what happens to chats waiting for staff: offer them, fail them
//! for lack of staff, or fail them because nobody answered in time; and
//! when to look again. Pure: the broker gathers the facts, [`plan`] decides.

use std::time::Duration;

use seshat_client::{Chat, ChatStatus};
use xmpp_parsers::jid::BareJid;

/// The timing rules from the configuration.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct OfferPolicy {
    /// How long an offered chat may wait for `!ACCEPT`; `None` is forever.
    pub offer_timeout: Option<Duration>,
    /// How long a new chat may wait for staff when nobody is available;
    /// zero fails it at once.
    pub no_staff_grace: Duration,
}

/// The facts one decision is made on.
#[derive(Debug, Clone, Copy)]
pub struct Situation<'a> {
    /// Now, in Unix seconds (the clock chats are stamped with).
    pub now: f64,
    /// Unix seconds from which the staff presence we know is trusted to be
    /// complete: the session start plus the settle time (defect 9). Before
    /// it, "nobody available" may only mean "presence not here yet".
    pub presence_settled_at: f64,
    /// Chats waiting for staff (WAITING and NOTIFIED), oldest first.
    pub waiting: &'a [Chat],
    /// Staff members who are online and not in a chat, sorted.
    pub available: &'a [BareJid],
}

/// What to do now, and when to decide again.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Plan {
    /// Chats to offer, each to every available staff member.
    pub offer: Vec<Offer>,
    /// Chats to fail because nobody is available to take them.
    pub nobody_available: Vec<i64>,
    /// Offered chats to fail because nobody accepted them in time.
    pub nobody_answered: Vec<i64>,
    /// When something in the waiting chats falls due even if nothing else
    /// happens (a grace period or an offer running out), Unix seconds.
    pub next_due: Option<f64>,
}

/// One chat to offer and the staff members to offer it to.
#[derive(Debug, Clone, PartialEq)]
pub struct Offer {
    /// The chat.
    pub chat: Chat,
    /// Who gets the offer, sorted.
    pub recipients: Vec<BareJid>,
}

/// Decides what to do with the waiting chats. See [`Plan`].
pub fn plan(policy: &OfferPolicy, situation: &Situation<'_>) -> Plan {
    let mut plan = Plan::default();
    let now = situation.now;
    for chat in situation.waiting {
        match chat.status {
            ChatStatus::Waiting if !situation.available.is_empty() => plan.offer.push(Offer {
                chat: chat.clone(),
                recipients: situation.available.to_vec(),
            }),
            ChatStatus::Waiting => {
                let fails_at = situation
                    .presence_settled_at
                    .max(chat.started_at + policy.no_staff_grace.as_secs_f64());
                if now >= fails_at {
                    plan.nobody_available.push(chat.id);
                } else {
                    plan.due_at(fails_at);
                }
            }
            ChatStatus::Notified => {
                let Some(timeout) = policy.offer_timeout else {
                    continue;
                };
                // A chat offered by the original Python server has no offer
                // time; its start is the best estimate.
                let offered_at = chat.offered_at.unwrap_or(chat.started_at);
                let expires_at = offered_at + timeout.as_secs_f64();
                if now >= expires_at {
                    plan.nobody_answered.push(chat.id);
                } else {
                    plan.due_at(expires_at);
                }
            }
            // Not waiting any more; the store only lists waiting chats.
            _ => {}
        }
    }
    plan
}

impl Plan {
    fn due_at(&mut self, at: f64) {
        self.next_due = Some(self.next_due.map_or(at, |due| due.min(at)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: f64 = 1_000_000.0;

    fn chat(id: i64, status: ChatStatus, started_at: f64, offered_at: Option<f64>) -> Chat {
        Chat {
            id,
            visitor: format!("visitor{id}"),
            staff: None,
            status,
            start_message: None,
            email: None,
            started_at,
            offered_at,
        }
    }

    fn staff(names: &[&str]) -> Vec<BareJid> {
        names
            .iter()
            .map(|name| BareJid::new(&format!("{name}@example.com")).unwrap())
            .collect()
    }

    fn policy(offer_timeout: Option<u64>, grace: u64) -> OfferPolicy {
        OfferPolicy {
            offer_timeout: offer_timeout.map(Duration::from_secs),
            no_staff_grace: Duration::from_secs(grace),
        }
    }

    fn settled(waiting: &[Chat], available: &[BareJid]) -> Plan {
        plan(
            &policy(Some(300), 0),
            &Situation {
                now: NOW,
                presence_settled_at: NOW - 1.0,
                waiting,
                available,
            },
        )
    }

    #[test]
    fn a_waiting_chat_is_offered_to_everyone_available() {
        let waiting = [chat(7, ChatStatus::Waiting, NOW - 1.0, None)];
        let available = staff(&["bob", "joe"]);
        let plan = settled(&waiting, &available);
        assert_eq!(
            plan.offer,
            vec![Offer {
                chat: waiting[0].clone(),
                recipients: available.clone()
            }]
        );
        assert!(plan.nobody_available.is_empty());
    }

    #[test]
    fn with_nobody_available_a_chat_fails_at_once_by_default() {
        let waiting = [chat(7, ChatStatus::Waiting, NOW - 1.0, None)];
        let plan = settled(&waiting, &[]);
        assert_eq!(plan.nobody_available, vec![7]);
        assert!(plan.offer.is_empty());
        assert_eq!(plan.next_due, None);
    }

    #[test]
    fn nobody_available_waits_for_presence_to_settle() {
        // Defect 9: just after (re)connecting nobody seems online yet.
        let waiting = [chat(7, ChatStatus::Waiting, NOW - 100.0, None)];
        let plan = plan(
            &policy(Some(300), 0),
            &Situation {
                now: NOW,
                presence_settled_at: NOW + 5.0,
                waiting: &waiting,
                available: &[],
            },
        );
        assert!(plan.nobody_available.is_empty());
        assert_eq!(plan.next_due, Some(NOW + 5.0));
    }

    #[test]
    fn offers_go_out_before_presence_settles() {
        let waiting = [chat(7, ChatStatus::Waiting, NOW, None)];
        let available = staff(&["joe"]);
        let plan = plan(
            &policy(Some(300), 0),
            &Situation {
                now: NOW,
                presence_settled_at: NOW + 5.0,
                waiting: &waiting,
                available: &available,
            },
        );
        assert_eq!(plan.offer.len(), 1);
    }

    #[test]
    fn a_grace_period_counts_from_the_start_of_the_chat() {
        let waiting = [
            chat(1, ChatStatus::Waiting, NOW - 61.0, None),
            chat(2, ChatStatus::Waiting, NOW - 10.0, None),
        ];
        let plan = plan(
            &policy(None, 60),
            &Situation {
                now: NOW,
                presence_settled_at: NOW - 100.0,
                waiting: &waiting,
                available: &[],
            },
        );
        assert_eq!(plan.nobody_available, vec![1]);
        assert_eq!(plan.next_due, Some(NOW + 50.0));
    }

    #[test]
    fn an_offer_nobody_accepts_runs_out() {
        let waiting = [
            chat(1, ChatStatus::Notified, NOW - 400.0, Some(NOW - 301.0)),
            chat(2, ChatStatus::Notified, NOW - 400.0, Some(NOW - 100.0)),
        ];
        let plan = settled(&waiting, &staff(&["joe"]));
        assert_eq!(plan.nobody_answered, vec![1]);
        assert_eq!(plan.next_due, Some(NOW + 200.0));
        // Offered chats are not offered again.
        assert!(plan.offer.is_empty());
    }

    #[test]
    fn without_an_offer_timeout_offers_wait_forever() {
        let waiting = [chat(1, ChatStatus::Notified, 0.0, Some(0.0))];
        let plan = plan(
            &policy(None, 0),
            &Situation {
                now: NOW,
                presence_settled_at: 0.0,
                waiting: &waiting,
                available: &[],
            },
        );
        assert_eq!(plan, Plan::default());
    }

    #[test]
    fn an_offer_from_the_original_server_times_out_from_the_chat_start() {
        let waiting = [chat(1, ChatStatus::Notified, NOW - 301.0, None)];
        assert_eq!(settled(&waiting, &[]).nobody_answered, vec![1]);
    }

    #[test]
    fn the_earliest_deadline_is_the_next_due() {
        let waiting = [
            chat(1, ChatStatus::Notified, NOW, Some(NOW - 10.0)),
            chat(2, ChatStatus::Waiting, NOW - 30.0, None),
        ];
        let plan = plan(
            &policy(Some(300), 60),
            &Situation {
                now: NOW,
                presence_settled_at: 0.0,
                waiting: &waiting,
                available: &[],
            },
        );
        assert_eq!(plan.next_due, Some(NOW + 30.0));
    }
}
