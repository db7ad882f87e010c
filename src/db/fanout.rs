//! The statement of the cache fan-out between instances: subscribing a connection of its own to
//! the dossier-change notifications that `db::sync::notify_changes` sends.

use tokio_postgres::GenericClient;

/// `LISTEN` takes no parameters: the channel is spelled out (it is `db::sync::CHANGES_CHANNEL`,
/// which a test checks).
const LISTEN: &str = "LISTEN tracuu_dossiers";

/// Subscribes `client`'s connection to dossier-change notifications; they arrive as messages of
/// that connection for as long as it lives.
pub async fn listen(client: &impl GenericClient) -> anyhow::Result<()> {
    client.batch_execute(LISTEN).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_listener_listens_on_the_channel_changes_are_sent_to() {
        assert_eq!(
            LISTEN,
            format!("LISTEN {}", crate::db::sync::CHANGES_CHANNEL)
        );
    }
}
