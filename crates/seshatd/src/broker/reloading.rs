//! Applying a reloaded configuration (SIGHUP) while running: see
//! [`crate::reload`] for reading it.

use seshat_client::clock;
use xmpp_parsers::jid::BareJid;
use xmpp_parsers::presence::Presence;

use super::{roster_query, Broker, Reload};
use crate::xmpp::XmppConnection;

impl Broker {
    /// A reloaded configuration: new staff are asked for their presence
    /// (and a subscription when the bot has none), former staff stop
    /// counting at once, and their open chats are handed to the others
    /// after the handler grace period.
    pub(super) async fn on_reload(&mut self, reload: Reload, connection: &XmppConnection) {
        let before: Vec<BareJid> = self.presence.staff().cloned().collect();
        let added: Vec<BareJid> = reload
            .staff
            .iter()
            .filter(|staff| !before.contains(staff))
            .cloned()
            .collect();
        let removed: Vec<BareJid> = before
            .iter()
            .filter(|staff| !reload.staff.contains(staff))
            .cloned()
            .collect();
        let gone: Vec<(String, String)> = self
            .presence
            .resources()
            .filter(|(staff, _, _)| removed.contains(staff))
            .map(|(staff, resource, _)| (staff.to_string(), resource.to_owned()))
            .collect();
        self.presence.set_staff(reload.staff.iter().cloned());
        self.settings.staff = reload.staff;
        for staff in &removed {
            self.absences.gone(staff, clock::now());
        }
        let written = self
            .store
            .run(move |store| {
                for (staff, resource) in &gone {
                    store.set_presence(staff, resource, false)?;
                }
                Ok(())
            })
            .await;
        if let Err(error) = written {
            tracing::error!(%error, "could not mark former staff offline");
        }
        if self.session.is_some_and(|session| session.connected) {
            for staff in &added {
                self.absences.gone(staff, clock::now());
                let probe =
                    Presence::new(xmpp_parsers::presence::Type::Probe).with_to(staff.clone());
                drop(connection.send(probe).await);
            }
            // Its answer asks those the bot cannot see for a subscription.
            drop(connection.send(roster_query()).await);
        }
        let names = |list: &[BareJid]| {
            list.iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        };
        tracing::info!(
            added = %names(&added),
            removed = %names(&removed),
            "configuration reloaded: staff list updated"
        );
        self.service.reloaded("configuration reloaded");
    }
}
