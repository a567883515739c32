//! Which staff resources are available, decided from presence stanzas.
//!
//! Pure rules, no I/O: the broker feeds every incoming presence to
//! [`StaffPresence::classify`] and writes what changed to the store.
//!
//! The rules (reference section 4, defects 7 and 8):
//!
//! - Only configured staff count; presence from anyone else is ignored.
//! - An available presence (no `type`) without `<show/>`, or with
//!   `<show>chat</show>` ("actively interested in chatting", RFC 6121
//!   section 4.7.2.1), makes that resource available; with any other
//!   `<show/>` (away, xa, dnd) the resource is connected but not taking chats.
//! - `unavailable` makes the resource offline.
//! - `subscribe`, `subscribed`, `unsubscribe`, `unsubscribed`, `probe` and
//!   `error` presences change nothing. They come from the bare JID during a
//!   subscription handshake or a bounce; the original counted them as
//!   "online", so a staff member could look available forever.
//! - State is kept per resource: a staff member is available when any of
//!   their resources is, and reachable (can be sent messages) when any is
//!   connected at all, available or not.

use std::collections::{BTreeMap, BTreeSet};

use xmpp_parsers::jid::{BareJid, Jid};
use xmpp_parsers::presence::{Presence, Show, Type};
use xmpp_parsers::roster::{Ask, Roster, Subscription};

/// The state of one staff resource (one client of theirs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResourceState {
    /// Not connected, or announced `unavailable`.
    Offline,
    /// Connected with `<show/>` away, xa or dnd: reachable, but not taking
    /// new chats.
    Busy,
    /// Connected without `<show/>`, or with `<show>chat</show>`: takes new chats.
    Available,
}

impl ResourceState {
    /// Whether the resource takes new chats: what the store records.
    pub fn is_available(self) -> bool {
        self == ResourceState::Available
    }
}

/// What one incoming presence means for Seshat.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PresenceEvent {
    /// A staff member's resource changed (or re-announced) its availability.
    Availability {
        /// The staff member.
        staff: BareJid,
        /// The resource (client) concerned; empty when the presence came from
        /// the bare JID.
        resource: String,
        /// The resource's new state.
        state: ResourceState,
    },
    /// A staff member asks to see the bot's presence; the bot approves.
    SubscriptionRequest {
        /// The staff member asking.
        staff: BareJid,
    },
    /// A staff member's presence that changes nothing (subscription
    /// handshake, probe, error bounce).
    NoChange,
    /// Presence from someone who is not configured staff (or with no
    /// sender at all); ignored.
    Stranger,
}

/// The configured staff and the availability of each of their resources.
///
/// The broker keeps one of these per XMPP session: it survives a
/// suspended stream that resumes (the server keeps queued presence for
/// us), and is cleared when the session starts afresh.
#[derive(Debug, Clone, Default)]
pub struct StaffPresence {
    /// Who counts as staff; everyone else is a stranger.
    staff: BTreeSet<BareJid>,
    /// `(staff, resource) -> state`, only for resources we have heard of.
    resources: BTreeMap<(BareJid, String), ResourceState>,
}

impl StaffPresence {
    /// Starts with every staff member offline.
    pub fn new(staff: impl IntoIterator<Item = BareJid>) -> Self {
        StaffPresence {
            staff: staff.into_iter().collect(),
            resources: BTreeMap::new(),
        }
    }

    /// Makes `staff` the configured staff (a reloaded configuration):
    /// what is known of members who stay is kept, the others' is dropped.
    pub fn set_staff(&mut self, staff: impl IntoIterator<Item = BareJid>) {
        self.staff = staff.into_iter().collect();
        let staff = &self.staff;
        self.resources
            .retain(|(member, _), _| staff.contains(member));
    }

    /// Whether `jid` (any resource) belongs to a configured staff member.
    pub fn is_staff(&self, jid: &Jid) -> bool {
        self.staff.contains(&jid.to_bare())
    }

    /// The configured staff, sorted.
    pub fn staff(&self) -> impl Iterator<Item = &BareJid> {
        self.staff.iter()
    }

    /// Says what a presence means, without changing any state.
    pub fn classify(&self, presence: &Presence) -> PresenceEvent {
        let Some(from) = presence.from.as_ref().filter(|from| self.is_staff(from)) else {
            return PresenceEvent::Stranger;
        };
        let staff = from.to_bare();
        let resource = || {
            from.resource()
                .map(|resource| resource.as_str().to_owned())
                .unwrap_or_default()
        };
        match presence.type_ {
            Type::None => PresenceEvent::Availability {
                staff,
                resource: resource(),
                state: match presence.show {
                    None | Some(Show::Chat) => ResourceState::Available,
                    Some(Show::Away | Show::Xa | Show::Dnd) => ResourceState::Busy,
                },
            },
            Type::Unavailable => PresenceEvent::Availability {
                staff,
                resource: resource(),
                state: ResourceState::Offline,
            },
            Type::Subscribe => PresenceEvent::SubscriptionRequest { staff },
            Type::Subscribed
            | Type::Unsubscribe
            | Type::Unsubscribed
            | Type::Probe
            | Type::Error => PresenceEvent::NoChange,
        }
    }

    /// Records the state of one resource. Returns true when that changed
    /// what is known (a first report counts as a change).
    pub fn record(&mut self, staff: &BareJid, resource: &str, state: ResourceState) -> bool {
        if !self.staff.contains(staff) {
            return false;
        }
        let key = (staff.clone(), resource.to_owned());
        self.resources.insert(key, state) != Some(state)
    }

    /// Whether any resource of `staff` takes new chats.
    pub fn is_available(&self, staff: &BareJid) -> bool {
        self.states_of(staff).any(ResourceState::is_available)
    }

    /// Whether any resource of `staff` is connected, so that a message to
    /// them reaches a client rather than bouncing or waiting on the server.
    pub fn is_reachable(&self, staff: &BareJid) -> bool {
        self.states_of(staff)
            .any(|state| state != ResourceState::Offline)
    }

    /// The staff members with at least one connected client, sorted.
    pub fn reachable(&self) -> Vec<BareJid> {
        self.staff
            .iter()
            .filter(|staff| self.is_reachable(staff))
            .cloned()
            .collect()
    }

    fn states_of<'a>(&'a self, staff: &'a BareJid) -> impl Iterator<Item = ResourceState> + 'a {
        self.resources
            .iter()
            .filter(move |((who, _), _)| who == staff)
            .map(|(_, &state)| state)
    }

    /// Every resource heard of, with its state, in a stable order: what to
    /// write back to the store after it was marked offline.
    pub fn resources(&self) -> impl Iterator<Item = (&BareJid, &str, ResourceState)> {
        self.resources
            .iter()
            .map(|((staff, resource), &state)| (staff, resource.as_str(), state))
    }

    /// Forgets every resource: a fresh session starts with nobody online
    /// until their presence arrives again.
    pub fn forget_all(&mut self) {
        self.resources.clear();
    }

    /// The staff members the bot must ask for a presence subscription,
    /// given its roster (defect 4: a brand-new bot account sees nobody
    /// until it asks). Those it already sees, or has already asked, are
    /// left alone so that their clients do not prompt again at every
    /// reconnect. Without a roster (the server would not give it), everyone
    /// is asked; asking again is harmless.
    pub fn subscriptions_to_request(&self, roster: Option<&Roster>) -> Vec<BareJid> {
        self.staff
            .iter()
            .filter(|staff| {
                let Some(roster) = roster else {
                    return true;
                };
                !roster.items.iter().any(|item| {
                    &item.jid == *staff
                        && (matches!(item.subscription, Subscription::To | Subscription::Both)
                            || item.ask == Ask::Subscribe)
                })
            })
            .cloned()
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use xmpp_parsers::jid::FullJid;
    use xmpp_parsers::presence::Show;

    fn bare(jid: &str) -> BareJid {
        BareJid::new(jid).unwrap()
    }

    fn full(jid: &str) -> Jid {
        FullJid::new(jid).unwrap().into()
    }

    fn rules() -> StaffPresence {
        StaffPresence::new([bare("joe@example.com"), bare("bob@example.com")])
    }

    fn availability(staff: &str, resource: &str, state: ResourceState) -> PresenceEvent {
        PresenceEvent::Availability {
            staff: bare(staff),
            resource: resource.to_owned(),
            state,
        }
    }

    use ResourceState::{Available, Busy, Offline};

    #[test]
    fn plain_available_presence_from_staff_is_available() {
        let presence = Presence::available().with_from(full("joe@example.com/laptop"));
        assert_eq!(
            rules().classify(&presence),
            availability("joe@example.com", "laptop", Available)
        );
    }

    #[test]
    fn away_xa_and_dnd_mean_not_taking_chats_and_chat_means_available() {
        for (show, state) in [
            (Show::Away, Busy),
            (Show::Xa, Busy),
            (Show::Dnd, Busy),
            (Show::Chat, Available),
        ] {
            let presence = Presence::available()
                .with_from(full("joe@example.com/laptop"))
                .with_show(show.clone());
            assert_eq!(
                rules().classify(&presence),
                availability("joe@example.com", "laptop", state),
                "show {show:?}"
            );
        }
    }

    #[test]
    fn unavailable_means_offline() {
        let presence = Presence::unavailable().with_from(full("bob@example.com/phone"));
        assert_eq!(
            rules().classify(&presence),
            availability("bob@example.com", "phone", Offline)
        );
    }

    #[test]
    fn subscription_handshake_and_errors_change_nothing() {
        // Defect 8: these come from the bare JID and have no <show/>; the
        // original took them for "online".
        for presence in [
            Presence::subscribed(),
            Presence::unsubscribe(),
            Presence::new(Type::Unsubscribed),
            Presence::probe(),
            Presence::error(),
        ] {
            let presence = presence.with_from(bare("joe@example.com"));
            assert_eq!(rules().classify(&presence), PresenceEvent::NoChange);
        }
    }

    #[test]
    fn a_subscription_request_from_staff_is_to_be_approved() {
        let presence = Presence::subscribe().with_from(bare("joe@example.com"));
        assert_eq!(
            rules().classify(&presence),
            PresenceEvent::SubscriptionRequest {
                staff: bare("joe@example.com")
            }
        );
    }

    #[test]
    fn strangers_are_ignored_whatever_they_send() {
        for presence in [
            Presence::available().with_from(full("eve@example.com/x")),
            Presence::subscribe().with_from(bare("eve@example.com")),
            // Same user name, other domain: not the configured JID.
            Presence::available().with_from(full("joe@elsewhere.example/x")),
            // No sender at all.
            Presence::available(),
        ] {
            assert_eq!(rules().classify(&presence), PresenceEvent::Stranger);
        }
    }

    #[test]
    fn staff_jids_compare_case_insensitively_like_xmpp_does() {
        let presence = Presence::available().with_from(full("Joe@Example.COM/Laptop"));
        assert_eq!(
            rules().classify(&presence),
            // The resource keeps its case; only node and domain are folded.
            availability("joe@example.com", "Laptop", Available)
        );
    }

    #[test]
    fn presence_from_the_bare_jid_has_an_empty_resource() {
        let presence = Presence::available().with_from(bare("joe@example.com"));
        assert_eq!(
            rules().classify(&presence),
            availability("joe@example.com", "", Available)
        );
    }

    #[test]
    fn a_staff_member_is_available_while_any_resource_is() {
        let mut table = rules();
        let joe = bare("joe@example.com");
        assert!(!table.is_available(&joe));
        assert!(table.record(&joe, "laptop", Busy));
        assert!(table.record(&joe, "phone", Available));
        assert!(table.is_available(&joe));
        assert!(table.record(&joe, "phone", Offline));
        assert!(!table.is_available(&joe));
    }

    #[test]
    fn a_staff_member_is_reachable_while_any_resource_is_connected() {
        let mut table = rules();
        let joe = bare("joe@example.com");
        assert!(!table.is_reachable(&joe));
        table.record(&joe, "laptop", Busy);
        assert!(table.is_reachable(&joe));
        assert!(!table.is_available(&joe));
        assert_eq!(table.reachable(), vec![joe.clone()]);
        table.record(&joe, "laptop", Offline);
        assert!(!table.is_reachable(&joe));
    }

    #[test]
    fn recording_the_same_state_again_is_no_change() {
        let mut table = rules();
        let joe = bare("joe@example.com");
        assert!(table.record(&joe, "laptop", Available));
        assert!(!table.record(&joe, "laptop", Available));
    }

    #[test]
    fn strangers_are_never_recorded() {
        let mut table = rules();
        let eve = bare("eve@example.com");
        assert!(!table.record(&eve, "x", Available));
        assert!(!table.is_available(&eve));
        assert_eq!(table.resources().count(), 0);
    }

    #[test]
    fn forgetting_leaves_everyone_offline() {
        let mut table = rules();
        let joe = bare("joe@example.com");
        table.record(&joe, "laptop", Available);
        table.forget_all();
        assert!(!table.is_available(&joe));
        assert_eq!(table.resources().count(), 0);
    }

    fn roster(items: &[(&str, Subscription, Ask)]) -> Roster {
        Roster {
            ver: None,
            items: items
                .iter()
                .map(|(jid, subscription, ask)| xmpp_parsers::roster::Item {
                    jid: bare(jid),
                    name: None,
                    subscription: subscription.clone(),
                    ask: ask.clone(),
                    groups: vec![],
                    approved: None,
                })
                .collect(),
        }
    }

    #[test]
    fn an_empty_roster_means_asking_every_staff_member() {
        let asked = rules().subscriptions_to_request(Some(&roster(&[])));
        assert_eq!(
            asked,
            vec![bare("bob@example.com"), bare("joe@example.com")]
        );
    }

    #[test]
    fn staff_already_seen_or_already_asked_are_not_asked_again() {
        let roster = roster(&[
            ("bob@example.com", Subscription::Both, Ask::None),
            ("joe@example.com", Subscription::None, Ask::Subscribe),
        ]);
        assert!(rules().subscriptions_to_request(Some(&roster)).is_empty());
    }

    #[test]
    fn staff_who_only_see_the_bot_are_asked() {
        let roster = roster(&[
            ("bob@example.com", Subscription::From, Ask::None),
            ("joe@example.com", Subscription::To, Ask::None),
            ("eve@example.com", Subscription::None, Ask::None),
        ]);
        assert_eq!(
            rules().subscriptions_to_request(Some(&roster)),
            vec![bare("bob@example.com")]
        );
    }

    #[test]
    fn without_a_roster_everyone_is_asked() {
        assert_eq!(rules().subscriptions_to_request(None).len(), 2);
    }

    #[test]
    fn resources_are_listed_for_writing_back() {
        let mut table = rules();
        table.record(&bare("joe@example.com"), "laptop", Available);
        table.record(&bare("bob@example.com"), "phone", Busy);
        let listed: Vec<(String, String, ResourceState)> = table
            .resources()
            .map(|(staff, resource, state)| (staff.to_string(), resource.to_owned(), state))
            .collect();
        assert_eq!(
            listed,
            vec![
                ("bob@example.com".to_owned(), "phone".to_owned(), Busy),
                ("joe@example.com".to_owned(), "laptop".to_owned(), Available),
            ]
        );
    }
}
