//! Being asked to stop: SIGTERM (what service managers and `kill` send)
//! or SIGINT (Ctrl-C). Both programs stop on the same signals, the same way.

use std::future::Future;

/// Listens for SIGTERM and SIGINT, and returns a future that completes
/// when either arrives (on other systems: Ctrl-C). The handlers are
/// installed before this returns, so a signal that arrives while the
/// program is still starting is not missed, and a failure to install them
/// is reported at once rather than leaving a program nothing can stop.
pub fn stop_requested() -> std::io::Result<impl Future<Output = ()>> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let mut terminate = signal(SignalKind::terminate())?;
        let mut interrupt = signal(SignalKind::interrupt())?;
        Ok(async move {
            tokio::select! {
                _ = terminate.recv() => tracing::info!("SIGTERM received"),
                _ = interrupt.recv() => tracing::info!("SIGINT received"),
            }
        })
    }
    #[cfg(not(unix))]
    {
        Ok(async {
            let _ = tokio::signal::ctrl_c().await;
        })
    }
}

#[cfg(all(test, unix))]
mod tests {
    use std::time::Duration;

    use super::*;

    #[tokio::test]
    async fn a_sigterm_completes_the_future_and_does_not_kill_the_process() {
        let stop = stop_requested().unwrap();
        let sent = std::process::Command::new("kill")
            .args(["-TERM", &std::process::id().to_string()])
            .status()
            .unwrap();
        assert!(sent.success());
        // Generous: only a broken handler takes anywhere near this long.
        tokio::time::timeout(Duration::from_secs(20), stop)
            .await
            .expect("SIGTERM was noticed");
    }
}
