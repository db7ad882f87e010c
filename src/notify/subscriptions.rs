//! A phone's standing with the status-change notices: the dossiers it follows (at most a
//! configured number), the dossiers it muted, and whether it opted out of SMS altogether. Each
//! function runs its statements inside the caller's transaction. Phones are E.164 strings.

use deadpool_postgres::GenericClient;

use crate::db;

/// Subscribes `phone` to dossier `code`, lifting its opt-out and its mute of the dossier. False,
/// with nothing changed, when the phone already follows `max` other dossiers.
pub async fn subscribe(
    client: &impl GenericClient,
    phone: &str,
    code: &str,
    max: u32,
) -> anyhow::Result<bool> {
    // Serialises this phone's changes until the transaction ends, so two texts at once cannot
    // both pass the cap.
    db::sms::lock_phone(client, phone).await?;
    if !db::sms::find_subscription(client, phone, code).await?
        && db::sms::count_subscriptions(client, phone).await? >= i64::from(max)
    {
        return Ok(false);
    }
    db::sms::insert_subscription(client, phone, code).await?;
    db::sms::delete_opt_out(client, phone).await?;
    db::sms::delete_mute(client, phone, code).await?;
    Ok(true)
}

/// Ends `phone`'s subscription to dossier `code` and mutes the dossier, so nothing about it is
/// queued for the phone any more (what is queued already is cancelled).
pub async fn unsubscribe(
    client: &impl GenericClient,
    phone: &str,
    code: &str,
) -> anyhow::Result<()> {
    db::sms::delete_subscription(client, phone, code).await?;
    db::sms::insert_mute(client, phone, code).await?;
    db::sms_outbox::cancel_queued_for(client, phone, Some(code)).await?;
    Ok(())
}

/// Ends every subscription of `phone`, records its opt-out and cancels what is queued for it.
pub async fn opt_out(client: &impl GenericClient, phone: &str) -> anyhow::Result<()> {
    db::sms::lock_phone(client, phone).await?;
    db::sms::delete_subscriptions(client, phone).await?;
    db::sms::insert_opt_out(client, phone).await?;
    db::sms_outbox::cancel_queued_for(client, phone, None).await?;
    Ok(())
}
