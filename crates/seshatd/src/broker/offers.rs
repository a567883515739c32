//! Deciding what happens to chats waiting for staff: offer them, keep them
//! in line while everyone online is busy, fail them for lack of staff, or
//! fail them because nobody answered in time; and when to look again. Pure: the broker gathers the facts, [`plan`] decides.

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
    /// Whether a new chat waits in line while every staff member online
    /// is busy; if not, it fails as when nobody is online.
    pub queue_when_busy: bool,
    /// Most chats in line; the others fail at once.
    pub max_queue: usize,
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
    /// Whether any staff member is online, busy or not.
    pub anyone_online: bool,
}

/// What to do now, and when to decide again.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Plan {
    /// Chats to offer, each to every available staff member.
    pub offer: Vec<Offer>,
    /// Chats to fail because nobody is available to take them.
    pub nobody_available: Vec<i64>,
    /// Offered chats to fail because nobody accepted them in time, and
    /// chats that waited in line longer than the offer timeout.
    pub nobody_answered: Vec<i64>,
    /// Chats waiting in line, each with its place (1 is next), in order.
    pub in_line: Vec<(i64, usize)>,
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
            ChatStatus::Waiting if policy.queue_when_busy && situation.anyone_online => {
                let place = plan.in_line.len() + 1;
                let gives_up_at = policy
                    .offer_timeout
                    .map(|timeout| chat.started_at + timeout.as_secs_f64());
                if place > policy.max_queue {
                    plan.nobody_available.push(chat.id);
                } else if gives_up_at.is_some_and(|at| now >= at) {
                    plan.nobody_answered.push(chat.id);
                } else {
                    plan.in_line.push((chat.id, place));
                    if let Some(at) = gives_up_at {
                        plan.due_at(at);
                    }
                }
            }
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
            queue_when_busy: true,
            max_queue: 2,
        }
    }

    /// Everyone online is busy: the waiting chats are in line.
    fn all_busy(policy: &OfferPolicy, waiting: &[Chat]) -> Plan {
        plan(
            policy,
            &Situation {
                now: NOW,
                presence_settled_at: NOW - 1.0,
                waiting,
                available: &[],
                anyone_online: true,
            },
        )
    }

    fn settled(waiting: &[Chat], available: &[BareJid]) -> Plan {
        plan(
            &policy(Some(300), 0),
            &Situation {
                now: NOW,
                presence_settled_at: NOW - 1.0,
                waiting,
                available,
                anyone_online: !available.is_empty(),
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
                anyone_online: false,
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
                anyone_online: true,
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
                anyone_online: false,
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
                anyone_online: false,
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
                anyone_online: false,
            },
        );
        assert_eq!(plan.next_due, Some(NOW + 30.0));
    }

    #[test]
    fn with_everyone_online_busy_chats_wait_in_line_in_order() {
        let waiting = [
            chat(1, ChatStatus::Notified, NOW - 20.0, Some(NOW - 10.0)),
            chat(2, ChatStatus::Waiting, NOW - 20.0, None),
            chat(3, ChatStatus::Waiting, NOW - 10.0, None),
        ];
        let plan = all_busy(&policy(Some(300), 0), &waiting);
        assert_eq!(plan.in_line, vec![(2, 1), (3, 2)]);
        assert!(plan.nobody_available.is_empty());
        assert_eq!(plan.next_due, Some(NOW + 280.0));
    }

    #[test]
    fn a_full_line_and_a_long_wait_fail_as_the_original_did() {
        let waiting = [
            chat(1, ChatStatus::Waiting, NOW - 301.0, None),
            chat(2, ChatStatus::Waiting, NOW - 20.0, None),
            chat(3, ChatStatus::Waiting, NOW - 10.0, None),
            chat(4, ChatStatus::Waiting, NOW - 5.0, None),
        ];
        let plan = all_busy(&policy(Some(300), 0), &waiting);
        assert_eq!(plan.nobody_answered, vec![1]);
        assert_eq!(plan.in_line, vec![(2, 1), (3, 2)]);
        assert_eq!(plan.nobody_available, vec![4]);
    }

    #[test]
    fn without_queueing_a_busy_staff_fails_new_chats_at_once() {
        let waiting = [chat(2, ChatStatus::Waiting, NOW - 1.0, None)];
        let original = OfferPolicy {
            queue_when_busy: false,
            ..policy(Some(300), 0)
        };
        let plan = all_busy(&original, &waiting);
        assert_eq!(plan.nobody_available, vec![2]);
        assert!(plan.in_line.is_empty());
    }
}
