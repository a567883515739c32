//! Targeted wake-ups: who waits for what, and waking exactly them.
//!
//! A waiter names a [`Topic`]: one chat's visitor side, or the staff side
//! (the daemon). A store reads what each commit changed (the SQLite store
//! from its change log, a PostgreSQL store from its notifications) and
//! calls [`Wakeups::notify`] with the topics it names. Only the waiters of
//! those topics run again, so the cost of a commit grows with the chats it
//! changed, not with the number of visitors waiting; a commit that changes
//! nothing a waiter reads (an acknowledgement, presence) wakes no one.
//!
//! The registry holds one [`tokio::sync::watch`] channel per topic that has
//! waiters, created by the first subscription and removed with the last.
//! A watch channel remembers that it changed, so a commit that lands
//! between a waiter's check and its wait is never missed: subscribe, check,
//! then wait.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use tokio::sync::watch;

/// What a waiter waits for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Topic {
    /// The visitor side of one chat, by id: a message queued to the visitor
    /// or a change of the chat's status.
    Chat(i64),
    /// The staff side, which the daemon serves: a new chat, a message queued
    /// to staff, or a change of any chat's status.
    Staff,
    /// Staff availability ([`crate::Store::is_available`]): a staff
    /// member's resource came online or went offline, or a chat's status
    /// changed (which can make its staff member busy or free).
    Availability,
}

/// A change's `wakes` bit: the chat's visitor side looks again.
pub(crate) const WAKES_VISITOR: i64 = 1;

/// A change's `wakes` bit: the staff side (the daemon) looks again.
pub(crate) const WAKES_STAFF: i64 = 2;

/// A change's `wakes` bit: who is available may have changed (presence,
/// or a chat opened or closed).
pub(crate) const WAKES_AVAILABILITY: i64 = 4;

/// The topics a change to chat `chat_id` (0 for presence) wakes, from its
/// `wakes` bits: what both stores write with each change, the SQLite store
/// in its change log and the PostgreSQL store in its notifications.
pub(crate) fn topics_of_change(chat_id: i64, wakes: i64) -> impl Iterator<Item = Topic> {
    let visitor = (wakes & WAKES_VISITOR != 0).then_some(Topic::Chat(chat_id));
    let staff = (wakes & WAKES_STAFF != 0).then_some(Topic::Staff);
    let availability = (wakes & WAKES_AVAILABILITY != 0).then_some(Topic::Availability);
    visitor.into_iter().chain(staff).chain(availability)
}

/// The waiters of one process, by topic. Cheap to clone: clones share
/// one registry.
#[derive(Clone, Default)]
pub struct Wakeups {
    inner: Arc<Registry>,
}

#[derive(Default)]
struct Registry {
    topics: Mutex<HashMap<Topic, watch::Sender<u64>>>,
    /// Waiters woken so far: one per subscription per notification.
    woken: AtomicU64,
    /// Times every waiter was woken at once because the store could not
    /// tell what changed (a change log read after it was pruned).
    broadcasts: AtomicU64,
}

impl Wakeups {
    /// An empty registry.
    pub fn new() -> Self {
        Self::default()
    }

    /// Starts waiting for `topic`. Check the condition after subscribing,
    /// then wait with [`Subscription::changed`].
    pub fn subscribe(&self, topic: Topic) -> Subscription {
        let mut topics = self.inner.lock();
        let receiver = match topics.get(&topic) {
            Some(sender) => sender.subscribe(),
            None => {
                let (sender, receiver) = watch::channel(0);
                topics.insert(topic, sender);
                receiver
            }
        };
        Subscription {
            topic,
            registry: Arc::clone(&self.inner),
            receiver: Some(receiver),
        }
    }

    /// Wakes the waiters of each topic named, once each however often it
    /// is named. Topics nobody waits for cost a hash look-up.
    pub fn notify(&self, topics: impl IntoIterator<Item = Topic>) {
        let named: HashSet<Topic> = topics.into_iter().collect();
        let topics_waited = self.inner.lock();
        for topic in named {
            if let Some(sender) = topics_waited.get(&topic) {
                // Counted first, so that a waiter that wakes sees itself counted.
                self.inner
                    .woken
                    .fetch_add(sender.receiver_count() as u64, Ordering::SeqCst);
                sender.send_modify(|version| *version = version.wrapping_add(1));
            }
        }
    }

    /// Wakes every waiter: for when the store cannot tell what changed.
    pub fn notify_all(&self) {
        let topics = self.inner.lock();
        self.inner.broadcasts.fetch_add(1, Ordering::SeqCst);
        for sender in topics.values() {
            self.inner
                .woken
                .fetch_add(sender.receiver_count() as u64, Ordering::SeqCst);
            sender.send_modify(|version| *version = version.wrapping_add(1));
        }
    }

    /// How many waiters have been woken so far, counting each subscription
    /// once per notification: what a crowd of idle visitors costs.
    pub fn woken(&self) -> u64 {
        self.inner.woken.load(Ordering::SeqCst)
    }

    /// How many times every waiter was woken at once (see [`Wakeups::notify_all`]).
    pub fn broadcasts(&self) -> u64 {
        self.inner.broadcasts.load(Ordering::SeqCst)
    }

    /// How many waiters `topic` has now.
    pub fn waiters(&self, topic: Topic) -> usize {
        self.inner
            .lock()
            .get(&topic)
            .map_or(0, |sender| sender.receiver_count())
    }

    /// How many topics have waiters now.
    pub fn topics_waited(&self) -> usize {
        self.inner.lock().len()
    }
}

impl Registry {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<Topic, watch::Sender<u64>>> {
        self.topics.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// One waiter's interest in one topic; dropping it stops the interest.
pub struct Subscription {
    topic: Topic,
    registry: Arc<Registry>,
    /// Always `Some` until dropped.
    receiver: Option<watch::Receiver<u64>>,
}

impl Subscription {
    /// The topic waited for.
    pub fn topic(&self) -> Topic {
        self.topic
    }

    /// Waits until the topic is notified after the last [`Subscription::mark_seen`]
    /// (or since subscribing). Returns at once if that already happened.
    pub async fn changed(&mut self) {
        if let Some(receiver) = self.receiver.as_mut() {
            // The sender lives in the registry as long as this receiver
            // does, so the channel cannot close under us.
            if receiver.changed().await.is_err() {
                std::future::pending::<()>().await;
            }
        }
    }

    /// Marks every notification so far as seen. Call it before checking
    /// the condition, so that a commit made during the check wakes the
    /// waiter again instead of being missed.
    pub fn mark_seen(&mut self) {
        if let Some(receiver) = self.receiver.as_mut() {
            receiver.borrow_and_update();
        }
    }

    /// Whether a notification arrived since the last [`Subscription::mark_seen`].
    pub fn has_changed(&self) -> bool {
        self.receiver
            .as_ref()
            .is_some_and(|receiver| receiver.has_changed().unwrap_or(false))
    }
}

impl Drop for Subscription {
    fn drop(&mut self) {
        let mut topics = self.registry.lock();
        drop(self.receiver.take());
        if topics
            .get(&self.topic)
            .is_some_and(|sender| sender.receiver_count() == 0)
        {
            topics.remove(&self.topic);
        }
    }
}

impl std::fmt::Debug for Subscription {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Subscription")
            .field("topic", &self.topic)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_named_topic_is_woken() {
        let wakeups = Wakeups::new();
        let a = wakeups.subscribe(Topic::Chat(1));
        let b = wakeups.subscribe(Topic::Chat(2));
        wakeups.notify([Topic::Chat(2), Topic::Chat(2), Topic::Chat(3)]);
        assert!(!a.has_changed());
        assert!(b.has_changed());
        assert_eq!(wakeups.woken(), 1);
    }

    #[test]
    fn a_notification_before_the_wait_is_not_lost() {
        let wakeups = Wakeups::new();
        let mut staff = wakeups.subscribe(Topic::Staff);
        staff.mark_seen();
        wakeups.notify([Topic::Staff]);
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .unwrap();
        // Would wait forever if the notification had been lost.
        runtime.block_on(staff.changed());
        assert!(!staff.has_changed());
    }

    #[test]
    fn the_last_subscription_removes_its_topic() {
        let wakeups = Wakeups::new();
        let first = wakeups.subscribe(Topic::Chat(7));
        let second = wakeups.subscribe(Topic::Chat(7));
        assert_eq!(wakeups.topics_waited(), 1);
        drop(first);
        assert_eq!(wakeups.topics_waited(), 1);
        wakeups.notify([Topic::Chat(7)]);
        assert!(second.has_changed());
        drop(second);
        assert_eq!(wakeups.topics_waited(), 0);
    }

    #[test]
    fn notify_all_wakes_everyone_and_is_counted() {
        let wakeups = Wakeups::new();
        let a = wakeups.subscribe(Topic::Chat(1));
        let b = wakeups.subscribe(Topic::Staff);
        wakeups.notify_all();
        assert!(a.has_changed() && b.has_changed());
        assert_eq!(wakeups.broadcasts(), 1);
        assert_eq!(wakeups.woken(), 2);
    }
}
